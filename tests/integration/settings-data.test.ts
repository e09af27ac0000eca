import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { GET as dataGet, PUT as dataPut } from "@/app/api/v1/settings/data/route";
import { type DataSettings, USAGE_DAYS, ZDataSettings } from "@/lib/contracts/data";
import { drained, request, withAppDb } from "../helpers/app";
import { buildWorld, type World } from "../helpers/world";

// Settings › Data (issue #18 items 2 and 3, the settings half): retention days and the storage
// budget, who may change them, and the workspace's estimated usage per agent and per day.

const PATH = "/api/v1/settings/data";
const BASE = "/api/v1/runtime/v1/observability";
const DAY = 86_400_000;
const NOW = Date.now();
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Noon UTC of two recent days: inside byDay's window whatever the hour the test runs.
const DAY1 = Date.parse(`${dayOf(NOW - 3 * DAY)}T12:00:00.000Z`);
const DAY2 = Date.parse(`${dayOf(NOW - 1 * DAY)}T12:00:00.000Z`);
const iso = (ms: number) => new Date(ms).toISOString();

/** An execution of `spans` spans (a root and its children) of `agent`, started at `at`. */
function execution(id: string, agent: string, at: number, spans: number) {
  return Array.from({ length: spans }, (_, i) => ({
    id: `${id}-s${i}`,
    executionId: id,
    parentId: i === 0 ? null : `${id}-s0`,
    type: i === 0 ? "agent_execution" : "tool_call",
    name: i === 0 ? "run" : `tool ${i}`,
    agent,
    startedAt: iso(at + i),
    endedAt: iso(at + 100 + i),
    input: { text: `input ${id} ${i} ${"x".repeat(200)}` },
    output: { text: `output ${id} ${i}` },
  }));
}

async function get(auth: { cookie?: string; bearer?: string }): Promise<{ status: number; body: DataSettings }> {
  const res = await dataGet(request(PATH, auth));
  return { status: res.status, body: await res.json() };
}

async function put(auth: { cookie?: string; bearer?: string }, body: unknown) {
  const res = await dataPut(request(PATH, { ...auth, method: "PUT", body }));
  return { status: res.status, body: await res.json() };
}

describe("Settings › Data", () => {
  const app = withAppDb();
  let world: World;
  let owner: { cookie: string };

  beforeAll(async () => {
    world = await buildWorld(app.db());
    owner = { cookie: world.sessions.owner };
    const traces = [
      ...execution("ua-1", "usage-a", DAY1, 3),
      ...execution("ua-2", "usage-a", DAY1 + 60_000, 3),
      ...execution("ua-3", "usage-a", DAY2, 2),
      ...execution("ub-1", "usage-b", DAY2, 4),
    ];
    const t = await postTraces(request(`${BASE}/traces`, { body: { traces }, bearer: world.key }));
    expect((await t.json()).rejected).toBe(0);
    const events = [DAY1, DAY1 + 1000, DAY2].map((at, i) => ({
      id: `ue-${i}`,
      name: "ticket_closed",
      agent: "usage-b",
      timestamp: iso(at),
      properties: { ok: true },
    }));
    const e = await postEvents(request(`${BASE}/events`, { body: { events }, bearer: world.key }));
    expect((await e.json()).rejected).toBe(0);
    // The foreign workspace's own data, which A must never see.
    const foreign = await postTraces(
      request(`${BASE}/traces`, {
        body: { traces: execution("fx-1", "foreign-agent", DAY2, 5) },
        bearer: world.foreign.key,
      }),
    );
    expect((await foreign.json()).rejected).toBe(0);
    await drained();
  });

  afterEach(() => {
    delete process.env.RUNLENS_STORAGE_BUDGET;
  });

  it("answers the settings (forever and no budget by default) and the usage, to every member", async () => {
    const { status, body } = await get(owner);
    expect(status).toBe(200);
    ZDataSettings.parse(body);
    expect(body).toMatchObject({
      tracesRetentionDays: null,
      eventsRetentionDays: null,
      storageBudgetBytes: null,
      instanceBudgetBytes: null,
      canEdit: true,
      budget: null,
    });
    const viewer = await get({ cookie: world.sessions.viewer });
    expect(viewer.status).toBe(200);
    expect(viewer.body.canEdit).toBe(false);
    const key = await get({ bearer: world.key });
    expect(key.status).toBe(200);
    expect(key.body.canEdit).toBe(true);
  });

  it("estimates usage from the workspace's own rows, per agent and per day", async () => {
    const { usage } = (await get(owner)).body;
    const agent = (name: string) => usage.byAgent.find((a) => a.agent === name);
    expect(agent("usage-a")).toMatchObject({ executions: 3, spans: 8, events: 0 });
    expect(agent("usage-b")).toMatchObject({ executions: 1, spans: 4, events: 3 });
    // The world's agent: one execution of three spans and one event, in January (outside byDay).
    expect(agent(world.agent)).toMatchObject({ executions: 1, spans: 3, events: 1 });
    for (const a of usage.byAgent) expect(a.bytes).toBeGreaterThan(0);
    // Same average row sizes: more spans and executions take more bytes.
    expect(agent("usage-a")!.bytes).toBeGreaterThan(agent(world.agent)!.bytes);
    expect(usage.byAgent.map((a) => a.agent)).not.toContain("foreign-agent");

    const byDay = Object.fromEntries(usage.byDay.map((d) => [d.day, d]));
    expect(Object.keys(byDay).sort()).toEqual([dayOf(DAY1), dayOf(DAY2)]);
    expect(byDay[dayOf(DAY1)]).toMatchObject({ spans: 6, events: 2 });
    expect(byDay[dayOf(DAY2)]).toMatchObject({ spans: 6, events: 1 });
    expect(byDay[dayOf(DAY1)].bytes).toBeGreaterThan(0);
    expect(usage.byDay.length).toBeLessThanOrEqual(USAGE_DAYS);

    const sum = (xs: { bytes: number }[]) => xs.reduce((s, x) => s + x.bytes, 0);
    // Each part is rounded on its own: equal to within one byte per row.
    expect(Math.abs(sum(usage.byAgent) - usage.totalBytes)).toBeLessThanOrEqual(usage.byAgent.length + 2);
    expect(usage.totalBytes).toBe(usage.tracesBytes + usage.eventsBytes);
    expect(usage.eventsBytes).toBeGreaterThan(0);
    // The whole database holds every workspace and the rest: more than this workspace's share.
    expect(usage.databaseBytes).toBeGreaterThan(usage.totalBytes);
  });

  it("usage=fresh and a save answer with usage computed now (a plain GET may reuse a figure for a minute)", async () => {
    const before = (await get(owner)).body.usage.byAgent.find((a) => a.agent === "usage-c");
    expect(before).toBeUndefined();
    const t = await postTraces(
      request(`${BASE}/traces`, { body: { traces: execution("uc-1", "usage-c", DAY2, 2) }, bearer: world.key }),
    );
    expect((await t.json()).rejected).toBe(0);
    await drained();
    const fresh = await dataGet(request(`${PATH}?usage=fresh`, owner));
    expect(fresh.status).toBe(200);
    const freshBody = (await fresh.json()) as DataSettings;
    expect(freshBody.usage.byAgent.find((a) => a.agent === "usage-c")).toMatchObject({ executions: 1, spans: 2 });
    const bad = await dataGet(request(`${PATH}?usage=always`, owner));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("usage");

    const u = execution("uc-2", "usage-c", DAY2, 3);
    const t2 = await postTraces(request(`${BASE}/traces`, { body: { traces: u }, bearer: world.key }));
    expect((await t2.json()).rejected).toBe(0);
    await drained();
    const saved = await put(owner, {});
    expect(saved.status).toBe(200);
    expect(saved.body.usage.byAgent.find((a: { agent: string }) => a.agent === "usage-c")).toMatchObject({
      executions: 2,
      spans: 5,
    });
  });

  it("another workspace sees only its own usage", async () => {
    const { body } = await get({ bearer: world.foreign.key });
    expect(body.usage.byAgent.map((a) => a.agent)).toEqual(["foreign-agent"]);
    expect(body.usage.byAgent[0]).toMatchObject({ executions: 1, spans: 5, events: 0 });
  });

  it("owners set retention and the budget; fields not given stay, null goes back to forever", async () => {
    const set = await put(owner, { tracesRetentionDays: 30, eventsRetentionDays: 365, storageBudgetBytes: 50e9 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ tracesRetentionDays: 30, eventsRetentionDays: 365, storageBudgetBytes: 50e9 });
    expect(set.body.budget).toMatchObject({ scope: "workspace", limitBytes: 50e9, warning: false });
    expect((await get(owner)).body).toMatchObject({ tracesRetentionDays: 30, eventsRetentionDays: 365 });
    const stored = await app.db().prisma.workspace.findUniqueOrThrow({ where: { id: world.workspaceId } });
    expect(stored).toMatchObject({
      tracesRetentionDays: 30,
      eventsRetentionDays: 365,
      storageBudgetBytes: 50_000_000_000n,
    });

    const partial = await put(owner, { eventsRetentionDays: null });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      tracesRetentionDays: 30,
      eventsRetentionDays: null,
      storageBudgetBytes: 50e9,
    });

    // The foreign workspace's change is its own.
    expect((await put({ bearer: world.foreign.key }, { tracesRetentionDays: 7 })).status).toBe(200);
    expect((await get(owner)).body.tracesRetentionDays).toBe(30);
    expect((await get({ bearer: world.foreign.key })).body.tracesRetentionDays).toBe(7);

    const admin = await put({ cookie: world.sessions.admin }, { tracesRetentionDays: null, storageBudgetBytes: null });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ tracesRetentionDays: null, storageBudgetBytes: null, budget: null });
  });

  it("members who may not manage the workspace are refused, and nothing changes", async () => {
    for (const role of ["operator", "reviewer", "viewer"] as const) {
      const res = await put({ cookie: world.sessions[role] }, { tracesRetentionDays: 1 });
      expect(res.status, role).toBe(403);
    }
    expect((await get(owner)).body.tracesRetentionDays).toBeNull();
  });

  it("refuses bad values with a 400 naming the field, writing nothing", async () => {
    await put(owner, { tracesRetentionDays: 14 });
    const cases: [unknown, string][] = [
      [{ tracesRetentionDays: 0 }, "tracesRetentionDays"],
      [{ tracesRetentionDays: -3 }, "tracesRetentionDays"],
      [{ eventsRetentionDays: 1.5 }, "eventsRetentionDays"],
      [{ eventsRetentionDays: "30" }, "eventsRetentionDays"],
      [{ eventsRetentionDays: 36_501 }, "eventsRetentionDays"],
      [{ storageBudgetBytes: 10 }, "storageBudgetBytes"],
      [{ storageBudgetBytes: "50GB" }, "storageBudgetBytes"],
      [{ storageBudgetBytes: 2 ** 60 }, "storageBudgetBytes"],
      // One good field beside a bad one: nothing of it is written.
      [{ tracesRetentionDays: 90, storageBudgetBytes: 0 }, "storageBudgetBytes"],
      [{ retentionDays: 30 }, ""],
    ];
    for (const [body, field] of cases) {
      const res = await put(owner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
      if (field) expect(paths, JSON.stringify(body)).toContain(field);
      else expect(JSON.stringify(res.body.error)).toContain("retentionDays");
    }
    expect((await get(owner)).body).toMatchObject({ tracesRetentionDays: 14, storageBudgetBytes: null });
    await put(owner, { tracesRetentionDays: null });
  });

  it("reports the budget nearest to being reached: the installation's against the database", async () => {
    process.env.RUNLENS_STORAGE_BUDGET = "1MB";
    const { body } = await get(owner);
    expect(body.instanceBudgetBytes).toBe(1e6);
    expect(body.budget).toMatchObject({ scope: "instance", limitBytes: 1e6, usedBytes: body.usage.databaseBytes });
    expect(body.budget!.warning).toBe(body.usage.databaseBytes >= 0.8e6);
    expect(body.budget!.warning).toBe(true); // any database, even an empty one, is past a megabyte

    process.env.RUNLENS_STORAGE_BUDGET = "1PB";
    await put(owner, { storageBudgetBytes: 1e6 });
    const ws = (await get(owner)).body;
    expect(ws.budget).toMatchObject({ scope: "workspace", limitBytes: 1e6, usedBytes: ws.usage.totalBytes });
    expect(ws.budget!.ratio).toBeCloseTo(ws.usage.totalBytes / 1e6, 6);
    await put(owner, { storageBudgetBytes: null });
  });
});
