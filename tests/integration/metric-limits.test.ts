import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchCard } from "@/app/api/v1/metrics/cards/[id]/route";
import { POST as createCard } from "@/app/api/v1/metrics/cards/route";
import { POST as queryRoute } from "@/app/api/v1/metrics/query/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

describe("metric ranges are bounded before anything runs", () => {
  const app = withAppDb();
  let key = "";

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Shop"));
    const events = [0, 1, 2].map((i) => ({
      name: "order_placed",
      agent: "shop",
      timestamp: `2026-01-0${i + 1}T10:00:00Z`,
      properties: { amount: i },
    }));
    await postEvents(request("/api/v1/runtime/v1/observability/events", { body: { events }, bearer: key }));
    await app.drained();
  });

  const base = { agent: "shop", event: "order_placed", aggregation: "count" };
  const query = (body: Record<string, unknown>) =>
    queryRoute(request("/api/v1/metrics/query", { body: { ...base, ...body }, bearer: key }));
  async function refusedOn(res: Response): Promise<string[]> {
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    return error.details.map((d: { path: string }) => d.path);
  }

  it("refuses instants Postgres cannot store, naming the field", async () => {
    expect(await refusedOn(await query({ from: -8_640_000_000_000_000, to: Date.now() }))).toEqual(["from"]);
    expect(await refusedOn(await query({ from: "2026-01-01", to: "+010000-01-01T00:00:00Z" }))).toEqual(["to"]);
    expect(await refusedOn(await query({ from: 1.5, to: Date.now() }))).toEqual(["from"]);
  });

  it("refuses a range longer than 100 years (year 1 to 9999) up front", async () => {
    const paths = await refusedOn(
      await query({
        from: "0001-01-01T00:00:00Z",
        to: "9999-12-31T00:00:00Z",
        interval: "month",
        timezone: "Asia/Kolkata",
      }),
    );
    expect(paths).toEqual(["to"]);
  });

  it("refuses more than 10,000 buckets, naming the interval", async () => {
    expect(await refusedOn(await query({ from: "1990-01-01", to: "2026-01-01", interval: "day" }))).toEqual([
      "interval",
    ]);
    expect(await refusedOn(await query({ from: "2025-01-01", to: "2026-03-01", interval: "hour" }))).toEqual([
      "interval",
    ]);
  });

  it("refuses a time zone JavaScript knows and Postgres does not", async () => {
    expect(
      await refusedOn(
        await query({ from: "2026-01-01", to: "2026-01-05", interval: "day", timezone: "US/Pacific-New" }),
      ),
    ).toEqual(["timezone"]);
    const ok = await query({ from: "2026-01-01", to: "2026-01-05", interval: "day", timezone: "america/sao_paulo" });
    expect(ok.status).toBe(200);
  });

  it("answers the widest allowed query, in zones with and without half-hour offsets", async () => {
    for (const timezone of ["UTC", "Asia/Kolkata", "America/Sao_Paulo"]) {
      const res = await query({
        from: "1930-01-01T00:00:00Z",
        to: "2029-12-31T00:00:00Z",
        interval: "month",
        timezone,
      });
      expect(res.status).toBe(200);
      const { series } = await res.json();
      expect(series.reduce((s: number, b: { value: number }) => s + b.value, 0)).toBe(3);
    }
    // Without an interval the zone plays no part: the answer comes from rollups whatever the zone.
    const value = await query({ from: "1930-01-01T00:00:00Z", to: "2029-12-31T00:00:00Z", timezone: "Asia/Kolkata" });
    expect(value.headers.get("x-runlens-metric-source")).toBe("rollup");
    expect(await value.json()).toEqual({ value: 3 });
  });

  it("validates a card's custom range like a query's", async () => {
    const make = (query: Record<string, unknown>) =>
      createCard(
        request("/api/v1/metrics/cards", {
          body: { agent: "shop", title: "Orders", type: "line", query: { event: "order_placed", ...query } },
          bearer: key,
        }),
      );
    expect(await refusedOn(await make({ range: "custom", from: "garbage", to: "2026-01-02" }))).toEqual(["query.from"]);
    expect(await refusedOn(await make({ range: "custom", from: "2026-01-01" }))).toEqual(["query.to"]);
    expect(await refusedOn(await make({ range: "custom", from: "2026-01-02", to: "2026-01-01" }))).toEqual([
      "query.to",
    ]);
    expect(
      await refusedOn(await make({ range: "custom", from: "1990-01-01", to: "2026-01-01", interval: "day" })),
    ).toEqual(["query.interval"]);
    const created = await make({ range: "custom", from: "2026-01-01", to: "2026-01-03", interval: "day" });
    expect(created.status).toBe(201);
    const { card } = await created.json();
    const patched = await patchCard(
      request(`/api/v1/metrics/cards/${card.id}`, {
        method: "PATCH",
        body: { query: { event: "order_placed", range: "custom", from: "2026-01-01", to: "yesterday" } },
        bearer: key,
      }),
      ctx({ id: card.id }),
    );
    expect(await refusedOn(patched)).toEqual(["query.to"]);
    expect(await app.db().prisma.metricCard.count()).toBe(1);
  });
});
