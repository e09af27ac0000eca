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

/**
 * A word (run of letters and digits) found in at least this share of the rows is common: a key of
 * every input (`order_id`), an id's fixed prefix (`PED` of `PED-424115`, `cus`). Left to the
 * trigram index it narrows nothing, and costs: for each candidate the rarer trigrams let through,
 * GIN reads a page of each common trigram's posting tree to confirm it (bench:lifecycle,
 * `PED-4241` on 1 million executions: 313 index pages with `ped`, 29 without, the same 145
 * candidates; docs/performance.md, "# Lifecycle").
 */
export const COMMON_WORD_SHARE = 0.5;

/** Text folded for the commonness estimate: no accents, lower case (as `searchRegex` matches). */
export const foldText = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * The part of `text` to ask the trigram index for: `text` without its common words at either end
 * (`share` gives a folded word's share of the rows), from the first to the last word of three
 * letters or digits that is not common, with the character on either side of them (a word
 * boundary narrows too: `-4241` is a word starting with 4241). A contiguous part of `text`, so its
 * `searchRegex` matches wherever the whole text's does: the index narrows by the part and the
 * whole text's expression decides. `text` itself when no word is common, or when every word is
 * (common text: its matches are found early while walking the rows in order).
 */
export function indexedPart(text: string, share: (foldedWord: string) => number): string {
  // Cut as searchRegex reads it (NFC): never between a letter and its combining accent.
  const nfc = text.normalize("NFC");
  const words = [...nfc.matchAll(/[\p{L}\p{N}]+/gu)].filter((m) => [...m[0]].length >= INDEXED_SEARCH_MIN_CHARS);
  const rare = words.filter((m) => share(foldText(m[0])) < COMMON_WORD_SHARE);
  if (rare.length === 0 || rare.length === words.length) return text;
  const first = rare[0];
  const last = rare[rare.length - 1];
  const before = [...nfc.slice(0, first.index)].at(-1) ?? "";
  const after = [...nfc.slice(last.index + last[0].length)][0] ?? "";
  return nfc.slice(first.index - before.length, last.index + last[0].length + after.length);
}
