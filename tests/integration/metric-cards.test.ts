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

  it("creates cards stacked below each other, updates, lays out and deletes them; other workspaces see none", async () => {
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
    expect(b.card.layout).toEqual({ x: 0, y: 3, w: 6, h: 5 });
    const bad = await make({ title: "", type: "donut", query: {}, color: "blue" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "color",
      "title",
      "type",
    ]);
    const unknownAgent = await createCard(
      request("/api/v1/metrics/cards", {
        body: { agent: "nobody", title: "x", type: "number", query: {} },
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
});
