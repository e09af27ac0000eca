import { beforeAll, describe, expect, it } from "vitest";
import { POST as queryRoute } from "@/app/api/v1/metrics/query/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import type { MetricQuery } from "@/lib/contracts/metrics";
import { NONE_KEY } from "@/lib/metrics/query";
import { request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

// Deterministic random events across a DST change (America/New_York, 2026-03-08) and month end.
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}
const random = rng(7);
const FROM = Date.parse("2026-02-25T00:00:00Z");
const TO = Date.parse("2026-03-12T00:00:00Z");
type Ev = { id: string; name: string; timestamp: string; properties: Record<string, unknown> };
const CATEGORIES = ["books", "toys", "home", "Eletrônicos"];
const events: Ev[] = Array.from({ length: 1500 }, (_, i) => {
  const t = FROM - 2 * 86_400_000 + Math.floor(random() * (TO - FROM + 4 * 86_400_000));
  const props: Record<string, unknown> = {};
  const r = random();
  if (r < 0.8) props.amount = Math.round(random() * 100_000) / 100;
  else if (r < 0.9) props.amount = String(Math.round(random() * 100)); // mixed type: ignored by sum/avg
  if (random() < 0.9) props.category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
  props.answered = random() < 0.7;
  if (random() < 0.5) props.customer = `c${Math.floor(random() * 40)}`;
  if (random() < 0.05) props.customer = Math.floor(random() * 5); // 1 and "1" are different values
  return {
    id: `e${i}`,
    name: i % 7 === 0 ? "other_event" : "order_placed",
    timestamp: new Date(t).toISOString(),
    properties: props,
  };
});

// ---------- brute force ----------
const inRange = (e: Ev) => Date.parse(e.timestamp) >= FROM && Date.parse(e.timestamp) < TO && e.name === "order_placed";
function aggregate(q: Pick<MetricQuery, "aggregation" | "property" | "where">, evs: Ev[]): number | null {
  const sel =
    q.where && q.aggregation !== "rate"
      ? evs.filter((e) => JSON.stringify(e.properties[q.where!.property]) === JSON.stringify(q.where!.equals))
      : evs;
  const nums = () => sel.map((e) => e.properties[q.property!]).filter((v): v is number => typeof v === "number");
  switch (q.aggregation) {
    case "count":
      return sel.length;
    case "sum":
      return nums().reduce((a, v) => a + Math.round(v * 100), 0) / 100;
    case "avg": {
      const n = nums();
      return n.length ? n.reduce((a, v) => a + Math.round(v * 100), 0) / 100 / n.length : null;
    }
    case "distinct_count":
      return new Set(
        sel
          .map((e) => e.properties[q.property!])
          .filter((v) => v !== undefined)
          .map((v) => JSON.stringify(v)),
      ).size;
    case "rate":
      return sel.length
        ? (100 *
            sel.filter((e) => JSON.stringify(e.properties[q.where!.property]) === JSON.stringify(q.where!.equals))
              .length) /
            sel.length
        : null;
    default:
      throw new Error(`no brute force for ${q.aggregation}`);
  }
}
function groupBy<T, K>(items: T[], keyOf: (item: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}
const keyCache = new Map<string, string>();
function localKey(ms: number, tz: string, interval: "day" | "week" | "month"): string {
  const cacheKey = `${ms}|${tz}|${interval}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const k = computeLocalKey(ms, tz, interval);
  keyCache.set(cacheKey, k);
  return k;
}
function computeLocalKey(ms: number, tz: string, interval: "day" | "week" | "month"): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hourCycle: "h23",
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  if (interval === "month") return `${parts.year}-${parts.month}`;
  if (interval === "day") return `${parts.year}-${parts.month}-${parts.day}`;
  const dow = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
  const monday = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) - dow));
  return monday.toISOString().slice(0, 10);
}

describe("metrics query API agrees with brute force", () => {
  const app = withAppDb();
  let key = "";
  /** The query API's response for `body` over order_placed, by default from FROM to TO. */
  const send = (body: Record<string, unknown>) =>
    queryRoute(
      request("/api/v1/metrics/query", {
        body: {
          agent: "shop",
          event: "order_placed",
          from: new Date(FROM).toISOString(),
          to: new Date(TO).toISOString(),
          ...body,
        },
        bearer: key,
      }),
    );
  const query = async (body: Record<string, unknown>) => {
    const res = await send(body);
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db()));
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500).map((e) => ({ ...e, agent: "shop" }));
      const res = await postEvents(
        request("/api/v1/runtime/v1/observability/events", { body: { events: batch }, bearer: key }),
      );
      expect((await res.json()).rejected).toBe(0);
    }
    await app.drained();
  });

  const AGGS: Pick<MetricQuery, "aggregation" | "property" | "where">[] = [
    { aggregation: "count" },
    { aggregation: "count", where: { property: "category", equals: "toys" } },
    { aggregation: "sum", property: "amount" },
    { aggregation: "avg", property: "amount" },
    { aggregation: "distinct_count", property: "customer" },
    { aggregation: "rate", where: { property: "answered", equals: true } },
    { aggregation: "sum", property: "amount", where: { property: "answered", equals: false } },
  ];
  const close = (a: number | null, b: number | null) => {
    if (a === null || b === null) expect(a).toBe(b);
    else expect(a).toBeCloseTo(b, 9);
  };

  it("single values", async () => {
    const evs = events.filter(inRange);
    for (const a of AGGS) close((await query(a)).value, aggregate(a, evs));
  });

  it("group by a property, with top-N folding the rest into other", async () => {
    const evs = events.filter(inRange);
    for (const a of AGGS) {
      const { groups } = await query({ ...a, groupBy: "category" });
      const filtered =
        a.where && a.aggregation !== "rate"
          ? evs.filter((e) => JSON.stringify(e.properties[a.where!.property]) === JSON.stringify(a.where!.equals))
          : evs;
      const keys = [...new Set(filtered.map((e) => (e.properties.category as string | undefined) ?? NONE_KEY))];
      expect(groups.map((g: { key: string }) => g.key).sort()).toEqual(keys.sort());
      for (const g of groups)
        close(
          g.value,
          aggregate(
            a,
            evs.filter((e) => ((e.properties.category as string | undefined) ?? NONE_KEY) === g.key),
          ),
        );
    }
    const top = await query({ aggregation: "count", groupBy: "category", top: 2 });
    expect(top.groups).toHaveLength(3);
    expect(top.groups[2].key).toBe("other");
    expect(top.groups.reduce((s: number, g: { value: number }) => s + g.value, 0)).toBe(evs.length);
  });

  for (const tz of ["UTC", "America/Sao_Paulo", "America/New_York", "Asia/Kolkata"]) {
    it(`hourly, daily, weekly and monthly series in ${tz}`, async () => {
      const evs = events.filter(inRange);
      for (const a of AGGS) {
        const hourly = (await query({ ...a, interval: "hour", timezone: tz })).series as {
          bucket: string;
          value: number | null;
        }[];
        const origin = Date.parse(hourly[0].bucket);
        expect(origin).toBeLessThanOrEqual(FROM);
        expect(hourly).toHaveLength(Math.ceil((TO - origin) / 3_600_000));
        const byHour = groupBy(evs, (e) => Math.floor((Date.parse(e.timestamp) - origin) / 3_600_000));
        for (const [i, b] of hourly.entries()) {
          expect(Date.parse(b.bucket)).toBe(origin + i * 3_600_000);
          const inBucket = byHour.get(i) ?? [];
          close(
            b.value,
            inBucket.length ||
              a.aggregation === "count" ||
              a.aggregation === "sum" ||
              a.aggregation === "distinct_count"
              ? aggregate(a, inBucket)
              : null,
          );
        }
        for (const interval of ["day", "week", "month"] as const) {
          const series = (await query({ ...a, interval, timezone: tz })).series as {
            bucket: string;
            value: number | null;
          }[];
          const expectedKeys: string[] = [];
          for (let t = FROM; t < TO; t += 3_600_000) {
            const k = localKey(t, tz, interval);
            if (!expectedKeys.includes(k)) expectedKeys.push(k);
          }
          expect(series.map((b) => localKey(Date.parse(b.bucket), tz, interval))).toEqual(expectedKeys);
          const byKey = groupBy(evs, (e) => localKey(Date.parse(e.timestamp), tz, interval));
          for (const b of series) {
            const inBucket = byKey.get(localKey(Date.parse(b.bucket), tz, interval)) ?? [];
            close(
              b.value,
              inBucket.length ||
                a.aggregation === "count" ||
                a.aggregation === "sum" ||
                a.aggregation === "distinct_count"
                ? aggregate(a, inBucket)
                : null,
            );
          }
        }
      }
    }, 60_000);
  }

  it("reads whole hours from rollups and the partial hours at both ends from events", async () => {
    const from = FROM + 17 * 60_000 + 123;
    const to = TO - 23 * 60_000;
    const evs = events.filter(
      (e) => Date.parse(e.timestamp) >= from && Date.parse(e.timestamp) < to && e.name === "order_placed",
    );
    const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    for (const a of AGGS) {
      const res = await send({ ...range, ...a });
      // customer mixes strings and numbers, so its distinct values are not all in rollups.
      const rolled =
        a.aggregation !== "distinct_count" && !(a.where && a.aggregation !== "rate" && a.aggregation !== "count");
      expect(res.headers.get("x-runlens-metric-source"), JSON.stringify(a)).toBe(rolled ? "rollup" : "raw");
      close((await res.json()).value, aggregate(a, evs));
    }
    const rolledGroups = await send({ ...range, aggregation: "count", groupBy: "category", top: 2 });
    expect(rolledGroups.headers.get("x-runlens-metric-source")).toBe("rollup");
    const counts = new Map<string, number>();
    for (const e of evs) {
      const k = (e.properties.category as string | undefined) ?? NONE_KEY;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const ranked = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    expect((await rolledGroups.json()).groups).toEqual([
      ...ranked.slice(0, 2).map(([k, v]) => ({ key: k, value: v })),
      { key: "other", value: ranked.slice(2).reduce((s, [, v]) => s + v, 0) },
    ]);
    // A property with numbers among its values cannot group from per-value rollups.
    const mixed = await send({ aggregation: "count", groupBy: "customer" });
    expect(mixed.headers.get("x-runlens-metric-source")).toBe("raw");
  });

  it("names the bad fields of a query", async () => {
    const res = await queryRoute(
      request("/api/v1/metrics/query", {
        body: {
          agent: "shop",
          event: "x",
          aggregation: "sum",
          from: "2026-01-02",
          to: "2026-01-01",
          timezone: "Mars/Olympus",
        },
        bearer: key,
      }),
    );
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["property", "timezone", "to"]);
  });
});
