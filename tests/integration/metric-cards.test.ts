import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as delCard, PATCH as patchCard } from "@/app/api/v1/metrics/cards/[id]/route";
import { PUT as putLayout } from "@/app/api/v1/metrics/cards/layout/route";
import { POST as createCard, GET as listCards } from "@/app/api/v1/metrics/cards/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

describe("metric cards", () => {
  const app = withAppDb();
  let key = "";
  let other = "";
  const list = async (bearer = key) =>
    (await (await listCards(request("/api/v1/metrics/cards?agent=shop", { bearer }))).json()).cards;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Shop"));
    ({ apiKey: other } = await createKeyedWorkspace(app.db(), "Other"));
    await postEvents(
      request("/api/v1/runtime/v1/observability/events", {
        body: { events: [{ name: "order_placed", agent: "shop", properties: { amount: 1 } }] },
        bearer: key,
      }),
    );
    await app.drained();
  });

  it("creates cards in the first free place of the grid, updates, lays out and deletes them; other workspaces see none", async () => {
    const make = async (body: Record<string, unknown>) =>
      createCard(request("/api/v1/metrics/cards", { body: { agent: "shop", ...body }, bearer: key }));
    const a = await (
      await make({
        title: "Orders",
        type: "number",
        query: { event: "order_placed", aggregation: "count", range: "7d" },
      })
    ).json();
    const b = await (
      await make({
        title: "Revenue",
        type: "line",
        color: "#4f46e5",
        query: { event: "order_placed", aggregation: "sum", property: "amount", interval: "day", range: "30d" },
      })
    ).json();
    expect(a.card.layout).toEqual({ x: 0, y: 0, w: 3, h: 3 });
    // Beside the first card, on the same row.
    expect(b.card.layout).toEqual({ x: 3, y: 0, w: 6, h: 5 });
    const bad = await make({ title: "", type: "donut", query: {}, color: "blue" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "color",
      "title",
      "type",
    ]);
    const unknownAgent = await createCard(
      request("/api/v1/metrics/cards", {
        body: { agent: "nobody", title: "x", type: "number", query: { event: "order_placed" } },
        bearer: key,
      }),
    );
    expect(unknownAgent.status).toBe(404);

    const renamed = await patchCard(
      request(`/api/v1/metrics/cards/${a.card.id}`, { method: "PATCH", body: { title: "Orders (7 d)" }, bearer: key }),
      ctx({ id: a.card.id }),
    );
    expect((await renamed.json()).card.title).toBe("Orders (7 d)");

    const layout = await putLayout(
      request("/api/v1/metrics/cards/layout", {
        method: "PUT",
        body: {
          agent: "shop",
          layout: [
            { id: a.card.id, x: 6, y: 0, w: 4, h: 4 },
            { id: b.card.id, x: 0, y: 0, w: 6, h: 6 },
          ],
        },
        bearer: key,
      }),
    );
    expect(layout.status).toBe(200);
    expect((await list()).map((c: { title: string; layout: unknown }) => [c.title, c.layout])).toEqual([
      ["Revenue", { x: 0, y: 0, w: 6, h: 6 }],
      ["Orders (7 d)", { x: 6, y: 0, w: 4, h: 4 }],
    ]);

    expect(await list(other)).toEqual([]);
    const foreign = await patchCard(
      request(`/api/v1/metrics/cards/${a.card.id}`, { method: "PATCH", body: { title: "mine" }, bearer: other }),
      ctx({ id: a.card.id }),
    );
    expect(foreign.status).toBe(404);
    expect(
      (
        await delCard(
          request(`/api/v1/metrics/cards/${a.card.id}`, { method: "DELETE", bearer: key }),
          ctx({ id: a.card.id }),
        )
      ).status,
    ).toBe(204);
    expect(await list()).toHaveLength(1);
  });

  it("refuses a card that could not render, naming the missing field, on create and on update", async () => {
    const make = async (type: string, query: Record<string, unknown>) => {
      const res = await createCard(
        request("/api/v1/metrics/cards", { body: { agent: "shop", title: "x", type, query }, bearer: key }),
      );
      return { status: res.status, body: await res.json() };
    };
    const paths = (r: { body: { error: { details: { path: string }[] } } }) => r.body.error.details.map((d) => d.path);
    const sum = await make("number", { event: "order_placed", aggregation: "sum" });
    expect(sum.status).toBe(400);
    expect(paths(sum)).toEqual(["query.property"]);
    expect(sum.body.error.details[0].message).toBe("Pick a property.");
    expect(paths(await make("pie", { event: "order_placed" }))).toEqual(["query.groupBy"]);
    expect(paths(await make("rate", { event: "order_placed" }))).toEqual(["query.where"]);
    expect(paths(await make("line", { aggregation: "count" }))).toEqual(["query.event"]);
    const before = await list();

    const feed = await make("feed", {});
    expect(feed.status).toBe(201);
    const id = (await make("number", { event: "order_placed" })).body.card.id;
    const patch = async (body: Record<string, unknown>) => {
      const res = await patchCard(
        request(`/api/v1/metrics/cards/${id}`, { method: "PATCH", body, bearer: key }),
        ctx({ id }),
      );
      return { status: res.status, body: await res.json() };
    };
    // A type alone is checked against the stored query, a query alone against the stored type.
    const toPie = await patch({ type: "pie" });
    expect(toPie.status).toBe(400);
    expect(paths(toPie)).toEqual(["query.groupBy"]);
    expect(paths(await patch({ query: { event: "order_placed", aggregation: "avg" } }))).toEqual(["query.property"]);
    expect(paths(await patch({ type: "rate", query: { event: "order_placed" } }))).toEqual(["query.where"]);
    const fixed = await patch({ type: "pie", query: { event: "order_placed", groupBy: "amount" } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.card).toMatchObject({ type: "pie", query: { groupBy: "amount" } });
    expect((await patch({ title: "By amount" })).status).toBe(200);
    expect(await list()).toHaveLength(before.length + 2);
  });
});
