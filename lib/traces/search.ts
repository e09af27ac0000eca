/**
 * Text search in any case and accent (the executions `q` search and the thread search): the user's
 * text becomes a Postgres regular expression, matched with `~*` (case-insensitive), in which each
 * Latin letter is the bracket class of its accented forms, so "cartao", "CARTÃO" and "cartão" all
 * find "Cartão". It matches wherever the text occurs, inside words too, as the
 * ILIKE '%text%' it replaced. Stored text needs no folding, and pg_trgm's GIN indexes answer such
 * expressions as they answer LIKE (migration 20261206150000_search_index; docs/architecture.md,
 * "Search").
 */

/**
 * The accented forms a letter stands for: the lower-case letters of Latin-1 (Portuguese, Spanish,
 * French, German, Italian, Nordic...) by their base letter. Lower case only: `~*` matches upper
 * case too. Kept small on purpose: pg_trgm expands a class into one trigram per letter in it, and
 * past a few hundred trigrams it drops some, which lets more rows through the index to be checked.
 * A letter outside these (ą, ł, ş...) typed as such still matches itself in any case.
 */
const FORMS = ((): Map<string, string> => {
  const groups = new Map<string, string>();
  for (let c = 0xe0; c <= 0xff; c++) {
    const ch = String.fromCodePoint(c);
    const base = ch === "ø" ? "o" : ch.normalize("NFD")[0];
    if (base !== ch && /^[a-z]$/.test(base)) groups.set(base, (groups.get(base) ?? "") + ch);
  }
  return groups;
})();

/** The class for a letter of the query: its base and the base's accented forms, and itself. */
function letterClass(ch: string): string | undefined {
  const lower = ch.toLowerCase();
  if (lower.length !== 1) return undefined;
  const base = lower === "ø" ? "o" : lower.normalize("NFD")[0];
  const forms = FORMS.get(base);
  if (!forms) return /^[a-z]$/.test(lower) ? lower : undefined;
  return `[${base}${forms}${forms.includes(lower) || lower === base ? "" : lower}]`;
}

/**
 * The regular expression (Postgres ARE, for `~*`) that finds `text` in any case and accent:
 * letters become classes of their accented forms (FORMS), ASCII punctuation is escaped (a
 * backslash before a character that is not a letter or digit makes it literal), everything else
 * stands for itself.
 */
export function searchRegex(text: string): string {
  let re = "";
  for (const ch of text.normalize("NFC")) {
    const cls = letterClass(ch);
    if (cls) re += cls;
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
