import { isStorableText } from "../contracts/common.ts";
import { type ApiError, ValidationError } from "../errors.ts";

/**
 * The input sanitation every route gets from `handle()` and `readJson()` (lib/http/respond.ts):
 * text Postgres cannot store (U+0000 anywhere, an unpaired surrogate in jsonb) never reaches a
 * query. A query parameter or body string holding one is a 400 naming it; a path id holding one
 * names no stored row, so the route answers exactly as for a missing id.
 */

export const UNSTORABLE_TEXT_MESSAGE = "Must not contain U+0000 or an unpaired surrogate.";

/** 400 naming the first query parameter whose name or value is not storable text. */
export function assertStorableQuery(url: URL): void {
  for (const [name, value] of url.searchParams) {
    if (isStorableText(name) && isStorableText(value)) continue;
    const path = name || "(query)";
    throw new ValidationError(`Invalid request: check ${path}.`, [{ path, message: UNSTORABLE_TEXT_MESSAGE }]);
  }
}

type Params = Record<string, string | string[] | undefined>;
export type RouteContext<P extends Params = Params> = { params: Promise<P> };

/**
 * The route context with its params checked when the route reads them: a param that is not
 * storable text rejects with `notFound()`, the error the route gives for a missing id, at the point
 * where the route would have looked the id up (after authentication and body validation), so the
 * answer is the one a missing id gets.
 */
export function guardParams<C extends RouteContext>(ctx: C, notFound: () => ApiError): C {
  const params = ctx.params.then((p) => {
    for (const v of Object.values(p)) {
      const values = Array.isArray(v) ? v : [v ?? ""];
      if (!values.every(isStorableText)) throw notFound();
    }
    return p;
  });
  params.catch(() => undefined); // a route that never reads its params must not leave a rejection unhandled
  return { ...ctx, params };
}

/**
 * The path (`tags[0]`, `filters.name`) of the first string or key in parsed JSON that is not
 * storable text, or null. Iterative: the depth limit was checked, but a walk needs no stack either.
 */
export function unstorableTextPath(value: unknown): string | null {
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [v, path] = next;
    if (typeof v === "string") {
      if (!isStorableText(v)) return path || "(root)";
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) pending.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v).reverse()) {
        const at = path ? `${path}.${k}` : k;
        if (!isStorableText(k)) return at;
        pending.push([child, at]);
      }
    }
  }
  return null;
}
