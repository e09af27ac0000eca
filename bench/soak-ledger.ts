// The soak's record of what was sent and what the server acknowledged (bench/soak.ts).

export type Kind = "span" | "event";

/**
 * One send of one item. `v` is the version the client put in the payload (spans: output.v, or 1
 * for an SDK start and 2 for its end; events: properties.v). `acked`: the server answered 201 for
 * this item. `answered`: the request got an HTTP answer at all; without one (timeout, reset, a
 * killed web process) the server may still accept it later.
 */
export type Attempt = {
  kind: Kind;
  id: string;
  v: number;
  /** The span was sent ended (success/error), not "running". */
  ended: boolean;
  start: number;
  end: number;
  acked: boolean;
  answered: boolean;
};

/** Compact form for IPC from the SDK child processes. */
export type AttemptRow = [Kind, string, number, 0 | 1, number, number, 0 | 1, 0 | 1];
export const toRow = (a: Attempt): AttemptRow => [
  a.kind,
  a.id,
  a.v,
  a.ended ? 1 : 0,
  a.start,
  a.end,
  a.acked ? 1 : 0,
  a.answered ? 1 : 0,
];
export const fromRow = (r: AttemptRow): Attempt => ({
  kind: r[0],
  id: r[1],
  v: r[2],
  ended: r[3] === 1,
  start: r[4],
  end: r[5],
  acked: r[6] === 1,
  answered: r[7] === 1,
});

/** Statuses of HTTP answers (per request) and per-item results, for the summary. */
export type StatusCounts = Record<string, number>;
export const bump = (c: StatusCounts, key: string | number, by = 1) => {
  c[key] = (c[key] ?? 0) + by;
};

type WireTrace = { id: string; status?: string; output?: { v?: unknown } | null };
type WireEvent = { id?: string; properties?: { v?: unknown } | null };

/** The version a span record carries: output.v when set, else 1 for "running" and 2 for ended. */
export function spanVersion(t: WireTrace): { v: number; ended: boolean } {
  const ended = t.status !== "running";
  const marked = Number(t.output?.v);
  return { v: Number.isInteger(marked) ? marked : ended ? 2 : 1, ended };
}

/**
 * Sends one ingest request and turns it into attempts, one per item: a 201 result is an
 * acknowledgement of that item in the version it carried.
 */
export async function sendAndRecord(
  doFetch: typeof fetch,
  url: string,
  init: RequestInit,
  record: (a: Attempt) => void,
  statuses: StatusCounts,
): Promise<Response> {
  const body = JSON.parse(String(init.body)) as { traces?: WireTrace[]; events?: WireEvent[] };
  const items = body.traces
    ? body.traces.map((t) => ({ kind: "span" as const, id: t.id, ...spanVersion(t) }))
    : (body.events ?? []).map((e) => ({
        kind: "event" as const,
        id: String(e.id),
        v: Number(e.properties?.v ?? 1),
        ended: true,
      }));
  const start = Date.now();
  let res: Response;
  try {
    res = await doFetch(url, init);
  } catch (e) {
    bump(statuses, `error:${(e as Error).name}`);
    for (const it of items) record({ ...it, start, end: Date.now(), acked: false, answered: false });
    throw e;
  }
  bump(statuses, res.status);
  let results: { status: number }[] = [];
  if (res.status === 207 || res.ok) {
    const json = (await res
      .clone()
      .json()
      .catch(() => null)) as { results?: { status: number }[] } | null;
    results = json?.results ?? [];
  }
  const end = Date.now();
  items.forEach((it, i) => {
    const status = results[i]?.status;
    if (status !== undefined) bump(statuses, `item:${status}`);
    record({ ...it, start, end, acked: status === 201, answered: true });
  });
  return res;
}
