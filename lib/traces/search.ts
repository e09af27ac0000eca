/**
 * Text search in any case and accent (the executions `q` search and the thread search): the user's
 * text becomes a Postgres regular expression, matched with `~*` (case-insensitive), in which each
 * Latin letter is the bracket class of its accented forms in both cases, so "cartao", "CARTÃO"
 * and "cartão" all find "Cartão". It matches wherever the text occurs, inside words too, as the
 * ILIKE '%text%' it replaced. Stored text needs no folding, and pg_trgm's GIN indexes answer such
 * expressions as they answer LIKE (migration 20261206150000_search_index; docs/architecture.md,
 * "Search").
 */

/** Accented letters (Latin-1 Supplement and Latin Extended-A/B) by their base letter, lower case. */
const ACCENTED = ((): Map<string, string[]> => {
  const groups = new Map<string, string[]>();
  const add = (base: string, ch: string) => {
    const g = groups.get(base) ?? [];
    if (!g.includes(ch)) g.push(ch);
    groups.set(base, g);
  };
  for (let c = 0xc0; c <= 0x24f; c++) {
    const ch = String.fromCodePoint(c);
    const base = ch.normalize("NFD")[0];
    if (base !== ch && /^[a-z]$/i.test(base)) add(base.toLowerCase(), ch);
  }
  // Letters with a stroke have no decomposition.
  for (const [ch, base] of Object.entries({ ø: "o", Ø: "o", đ: "d", Đ: "d", ł: "l", Ł: "l", ħ: "h", Ħ: "h", ı: "i" }))
    add(base, ch);
  return groups;
})();

/** The base letter of a Latin letter, accented or not, in lower case; undefined for anything else. */
function baseLetter(ch: string): string | undefined {
  if (/^[a-z]$/i.test(ch)) return ch.toLowerCase();
  for (const [base, forms] of ACCENTED) if (forms.includes(ch)) return base;
  return undefined;
}

const CLASS_OF = new Map<string, string>([...ACCENTED].map(([base, forms]) => [base, `[${base}${forms.join("")}]`]));

/**
 * The regular expression (Postgres ARE, for `~*`) that finds `text` in any case and accent:
 * letters become classes of their accented forms, ASCII punctuation is escaped (a backslash before
 * a character that is not a letter or digit makes it literal), everything else stands for itself.
 */
export function searchRegex(text: string): string {
  let re = "";
  for (const ch of text.normalize("NFC")) {
    const base = baseLetter(ch);
    if (base) re += CLASS_OF.get(base) ?? base;
    else if (/^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e ]$/.test(ch)) re += `\\${ch}`;
    else re += ch;
  }
  return re;
}

/**
 * pg_trgm narrows a search by the trigrams of its words (runs of letters and digits): text with no
 * run of three cannot use the index, and is matched while walking the rows in order instead
 * (such text is common by nature: a page of matches is found early).
 */
export const INDEXED_SEARCH_MIN_CHARS = 3;

/** Characters of the longest run of letters and digits in `text`. */
export function longestWord(text: string): number {
  return Math.max(0, ...text.split(/[^\p{L}\p{N}]+/u).map((w) => [...w].length));
}

/** Whether a trigram index can narrow the search for `text`. */
export const indexable = (text: string) => longestWord(text) >= INDEXED_SEARCH_MIN_CHARS;
