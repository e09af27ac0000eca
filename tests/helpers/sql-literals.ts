/**
 * The string and template literals of a TypeScript source, found by a small scanner (comments,
 * quotes, templates with nested `${…}` and regular expressions skipped properly enough for this
 * code base's modules): what the workspace-scoping test reads SQL from. An interpolation stays in
 * the text as `${expression}`.
 */
export type Literal = { line: number; text: string };

export function literals(source: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  const lineAt = (pos: number) => source.slice(0, pos).split("\n").length;

  function skipString(quote: string): string {
    let text = "";
    i++;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === "\\") {
        text += source[i + 1] === "n" ? "\n" : source[i + 1];
        i += 2;
        continue;
      }
      text += source[i++];
    }
    i++;
    return text;
  }

  /** A template from its backtick; nested templates inside `${…}` are recorded too. */
  function template(): string {
    let text = "";
    i++;
    while (i < source.length && source[i] !== "`") {
      if (source[i] === "\\") {
        text += source[i + 1];
        i += 2;
      } else if (source[i] === "$" && source[i + 1] === "{") {
        const start = i;
        i += 2;
        code(1);
        text += source.slice(start, i);
      } else text += source[i++];
    }
    i++;
    return text;
  }

  /** Scans code until the brace depth drops below `depth` (0: to the end). */
  function code(depth: number) {
    let braces = depth;
    let prev = "";
    while (i < source.length) {
      const c = source[i];
      if (c === "/" && source[i + 1] === "/") {
        while (i < source.length && source[i] !== "\n") i++;
      } else if (c === "/" && source[i + 1] === "*") {
        const end = source.indexOf("*/", i + 2);
        i = end < 0 ? source.length : end + 2;
      } else if (c === '"' || c === "'") {
        const start = i;
        out.push({ line: lineAt(start), text: skipString(c) });
        prev = "x";
      } else if (c === "`") {
        const start = i;
        out.push({ line: lineAt(start), text: template() });
        prev = "x";
      } else if (c === "/" && /[(,=:[!&|?{};]|^$/.test(prev)) {
        // A regular expression literal (after an operator or an opening bracket).
        i++;
        let inClass = false;
        while (i < source.length && (source[i] !== "/" || inClass)) {
          if (source[i] === "\\") i++;
          else if (source[i] === "[") inClass = true;
          else if (source[i] === "]") inClass = false;
          i++;
        }
        i++;
        while (/[a-z]/i.test(source[i] ?? "")) i++;
        prev = "x";
      } else {
        if (c === "{") braces++;
        if (c === "}") {
          braces--;
          if (depth > 0 && braces < depth) {
            i++;
            return;
          }
        }
        if (!/\s/.test(c)) prev = c;
        i++;
      }
    }
  }
  code(0);
  return out;
}
