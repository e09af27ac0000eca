import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZThreadListQuery } from "@/lib/contracts/conversations";
import { ZExecutionListQuery } from "@/lib/contracts/executions";
import { type TraceRecord, ZTraceRecord } from "@/lib/contracts/ingest";
import { listThreads } from "@/lib/conversations/threads";
import { type Db, openDatabase } from "@/lib/db/client";
import { buildSpanBatch, processBatch } from "@/lib/ingest/pipeline";
import { executionContexts, mapTraceRecord } from "@/lib/ingest/sources/sdk/map";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { listExecutions } from "@/lib/traces/executions";
import { COMMON_WORD_SHARE, indexedPart, searchRegex } from "@/lib/traces/search";
import { createTestDb, type TestDb, testServerUrl } from "../helpers/db";
import { createKeyedWorkspace } from "../helpers/workspace";

// The executions `q` search and the thread search (issue 18 item 5) on the embedded database and
// on Postgres: ids exactly, text anywhere in any case and accent (partial words as ILIKE found
// them), % and _ literal, error messages, paging, rows that change or go, other filters, the
// trigram index in the plan, the same answers without it, and never another workspace's data.

const T0 = Date.parse("2026-06-01T09:00:00.000Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

type Exec = {
  id: string;
  name?: string;
  agent?: string;
  at: number;
  input?: unknown;
  output?: unknown;
  error?: { name: string; message: string };
  threadId?: string;
  messages?: [string, string][];
};

function records(e: Exec): unknown[] {
  const root = {
    id: `${e.id}-root`,
    executionId: e.id,
    type: "agent_execution",
    name: e.name ?? "handle_request",
    agent: e.agent ?? "support",
    status: e.error ? "error" : "success",
    startedAt: iso(e.at),
    endedAt: iso(e.at + 5),
    ...(e.input !== undefined ? { input: e.input } : {}),
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error ? { error: e.error } : {}),
    ...(e.threadId ? { threadId: e.threadId } : {}),
  };
  return [
    root,
    ...(e.messages ?? []).map(([role, content], i) => ({
      id: `${e.id}-m${i}`,
      executionId: e.id,
      parentId: root.id,
      type: "conversation_message",
      name: role,
      startedAt: iso(e.at + i + 1),
      endedAt: iso(e.at + i + 1),
      message: { role, content },
    })),
  ];
}

async function write(db: Db, workspaceId: string, execs: Exec[]) {
  const recs: TraceRecord[] = execs.flatMap(records).map((r) => ZTraceRecord.parse(r));
  const batch = await buildSpanBatch(db, workspaceId, "sdk", recs.map(mapTraceRecord), executionContexts(recs));
  expect(await processBatch(db, batch)).toEqual([]);
}

const MINE: Exec[] = [
  {
    id: "ex-card",
    at: 0,
    input: { messages: [{ role: "user", content: "Meu Cartão de crédito foi recusado na finalização" }] },
    output: { answer: "O reembolso foi aprovado." },
    threadId: "wa-5511",
    messages: [
      ["user", "Quero remarcar a entrega para sábado"],
      ["assistant", "Pronto, remarcada."],
    ],
  },
  {
    id: "ex-limit",
    at: 60,
    agent: "billing",
    input: { text: "I can't log in after the password reset" },
    error: { name: "RateLimitError", message: "429 Too Many Requests: rate limit reached" },
    threadId: "web-77",
    messages: [["user", "Login broken again"]],
  },
  {
    id: "ex-cafe",
    name: "CAFÉ order",
    at: 120,
    input: { note: "100% sure_thing" },
    output: { answer: "ok" },
  },
];
const FOREIGN: Exec[] = [
  {
    id: "ex-foreign",
    at: 30,
    input: { text: "cartão recusado de novo, reembolso, 100% sure_thing" },
    threadId: "wa-foreign",
    messages: [["user", "remarcar sábado por favor"]],
  },
];

const kinds: { name: string; open: () => Promise<Db & { drop?: () => Promise<void> }> }[] = [
  { name: "embedded", open: () => openDatabase({ kind: "embedded", dataDir: "memory" }) },
];
if (testServerUrl()) kinds.push({ name: "postgres", open: () => createTestDb() as Promise<TestDb> });

describe.each(kinds)("search on $name", ({ open }) => {
  let db: Db & { drop?: () => Promise<void> };
  let ws = "";
  let other = "";
  const find = async (q: string, extra: Record<string, unknown> = {}, on: Db = db, workspace = ws) =>
    (await listExecutions(on, workspace, ZExecutionListQuery.parse({ q, ...extra }))).executions.map((e) => e.id);
  const threads = async (q: string, workspace = ws) =>
    (await listThreads(db, workspace, ZThreadListQuery.parse({ q }))).threads.map((t) => t.threadId);

  beforeAll(async () => {
    clearAgentCache();
    db = await open();
    ({ workspaceId: ws } = await createKeyedWorkspace(db, "Searcher"));
    ({ workspaceId: other } = await createKeyedWorkspace(db, "Foreign"));
    await write(db, ws, MINE);
    await write(db, other, FOREIGN);
    await db.prisma.$executeRawUnsafe(
      "UPDATE executions SET external_id = 'wf-7f3a' WHERE workspace_id = $1 AND id = 'ex-limit'",
      ws,
    );
  }, 120_000);
  afterAll(async () => {
    if (db?.drop) await db.drop();
    else await db?.close();
  });

  it("has the trigram index (pg_trgm) and keeps one search row per execution", async () => {
    const [r] = await db.prisma.$queryRawUnsafe<{ ok: boolean }[]>(
      "SELECT to_regclass('execution_search_doc_trgm') IS NOT NULL AND to_regclass('conversation_search_doc_trgm') IS NOT NULL AS ok",
    );
    expect(r.ok).toBe(true);
    // The thread search's texts: one per execution written with its messages, distinct, sorted.
    expect(
      await db.prisma.$queryRawUnsafe(
        "SELECT execution_id, first_span_id, doc FROM conversation_search WHERE workspace_id = $1 ORDER BY 1",
        ws,
      ),
    ).toEqual([
      {
        execution_id: "ex-card",
        first_span_id: "ex-card-m0",
        doc: '"Pronto, remarcada."\n"Quero remarcar a entrega para sábado"',
      },
      { execution_id: "ex-limit", first_span_id: "ex-limit-m0", doc: '"Login broken again"' },
    ]);
    const rows = await db.prisma.$queryRawUnsafe<{ id: string; same_start: boolean }[]>(
      `SELECT e.id, x.started_at = e.started_at AS same_start FROM executions e
       JOIN execution_search x ON x.workspace_id = e.workspace_id AND x.execution_id = e.id ORDER BY e.id`,
    );
    expect(rows).toEqual(["ex-cafe", "ex-card", "ex-foreign", "ex-limit"].map((id) => ({ id, same_start: true })));
  });

  it("finds an execution by its id or external id exactly, not by part of them", async () => {
    expect(await find("ex-limit")).toEqual(["ex-limit"]);
    expect(await find("wf-7f3a")).toEqual(["ex-limit"]);
    expect(await find("wf-7f")).toEqual([]);
    expect(await find("ex-lim")).toEqual([]);
  });

  it("finds text in any case and accent, inside words too", async () => {
    for (const q of ["cartão", "CARTÃO", "cartao", "Cartao DE Credito", "recus", "REEMBOL", "mbols", "crédito foi"])
      expect(await find(q), q).toEqual(["ex-card"]);
    expect(await find("cafe order")).toEqual(["ex-cafe"]);
    expect(await find("fé")).toEqual(["ex-cafe"]); // two letters: matched without the index
    expect(await find("password RESET")).toEqual(["ex-limit"]);
    expect(await find("zebra unicorn")).toEqual([]);
  });

  it("finds what ILIKE found, JSON text included; % and _ are literal", async () => {
    // The preview's JSON text as ILIKE read it: keys and quotes too.
    expect(await find('"answer": "ok"')).toEqual(["ex-cafe"]);
    expect(await find('{"note"')).toEqual(["ex-cafe"]);
    expect(await find("handle_request")).toEqual(["ex-limit", "ex-card"]);
    expect(await find("100%")).toEqual(["ex-cafe"]);
    expect(await find("%")).toEqual(["ex-cafe"]);
    expect(await find("sure_thing")).toEqual(["ex-cafe"]);
    expect(await find("sure-thing")).toEqual([]);
    expect(await find("_")).toEqual(["ex-cafe", "ex-limit", "ex-card"]);
    expect(await find("(a|b).*[x]")).toEqual([]);
  });

  it("finds error messages", async () => {
    expect(await find("rate limit reached")).toEqual(["ex-limit"]);
    expect(await find("too many")).toEqual(["ex-limit"]);
  });

  it("never finds another workspace's executions or threads", async () => {
    expect(await find("ex-foreign")).toEqual([]);
    expect(await find("recusado de novo")).toEqual([]);
    expect(await find("cartao")).not.toContain("ex-foreign");
    expect(await threads("sabado")).toEqual(["wa-5511"]);
    expect(await threads("wa-foreign")).toEqual([]);
    expect(await find("recusado de novo", {}, db, other)).toEqual(["ex-foreign"]);
    expect(await threads("SÁBADO", other)).toEqual(["wa-foreign"]);
  });

  it("pages through matches and combines them with other filters", async () => {
    const first = await listExecutions(db, ws, ZExecutionListQuery.parse({ q: "handle_request", limit: 1 }));
    expect(first.executions.map((e) => e.id)).toEqual(["ex-limit"]);
    const second = await listExecutions(
      db,
      ws,
      ZExecutionListQuery.parse({ q: "handle_request", limit: 1, cursor: first.nextCursor! }),
    );
    expect(second.executions.map((e) => e.id)).toEqual(["ex-card"]);
    expect(second.nextCursor).toBeNull();
    expect(await find("handle_request", { order: "asc" })).toEqual(["ex-card", "ex-limit"]);
    expect(await find("handle_request", { from: iso(30) })).toEqual(["ex-limit"]);
    expect(await find("handle_request", { to: iso(30) })).toEqual(["ex-card"]);
    expect(await find("handle_request", { status: "error" })).toEqual(["ex-limit"]);
    expect(await find("handle_request", { agent: "support" })).toEqual(["ex-card"]);
    expect(await find("handle_request", { sort: "duration" })).toHaveLength(2);
    expect(await find("ex-card", { status: "error" })).toEqual([]);
  });

  it("follows an execution's text when it changes, and forgets an execution that goes", async () => {
    await write(db, ws, [{ ...MINE[2], output: { answer: "Entregue na portaria" } }]);
    expect(await find("portaria")).toEqual(["ex-cafe"]);
    expect(await find('"answer": "ok"')).toEqual([]);
    // Named by its id, without previews (as the writer's placeholder is): still searchable by name.
    await write(db, ws, [{ id: "ex-bare", name: "ex-bare", at: 180 }]);
    expect(await find("x-bar")).toEqual(["ex-bare"]);
    await write(db, ws, [{ id: "ex-gone", at: 200, input: { text: "efêmero" } }]);
    expect(await find("efemero")).toEqual(["ex-gone"]);
    await db.prisma.execution.delete({ where: { workspaceId_id: { workspaceId: ws, id: "ex-gone" } } });
    expect(await find("efemero")).toEqual([]);
    const [r] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM execution_search WHERE execution_id = 'ex-gone'",
    );
    expect(r.n).toBe(0);
  });

  it("searches threads by id and by message content in any case and accent", async () => {
    expect(await threads("remarc")).toEqual(["wa-5511"]);
    expect(await threads("SABADO")).toEqual(["wa-5511"]);
    expect(await threads("web-")).toEqual(["web-77"]);
    expect(await threads("login BROKEN")).toEqual(["web-77"]);
    expect(await threads("nothing like this")).toEqual([]);
    const [t] = (await listThreads(db, ws, ZThreadListQuery.parse({ q: "sábado" }))).threads;
    expect(t).toMatchObject({ threadId: "wa-5511", executionCount: 1, messageCount: 2 });
  });

  it("follows a thread's messages when they are resent, changed or go, and never matches across two", async () => {
    const chat = (messages: [string, string][]): Exec => ({ id: "ex-chat", at: 240, threadId: "tg-42", messages });
    await write(db, ws, [
      chat([
        ["system", "Você é o assistente da loja"],
        ["user", "primeira versão"],
        ["assistant", "ok"],
      ]),
    ]);
    // A system prompt is not searched (it is in every thread of its agent).
    expect(await threads("assistente da loja")).toEqual([]);
    expect(await threads("primeira")).toEqual(["tg-42"]);
    // Resent with one message changed and one added: the old text is not found any more.
    await write(db, ws, [
      chat([
        ["user", "segunda versão"],
        ["assistant", "ok"],
        ["user", "e mais uma"],
        ["assistant", "ok"],
      ]),
    ]);
    expect(await threads("primeira")).toEqual([]);
    // A text repeated in one write is in its search text once (a resend on the embedded database
    // may leave two texts: its upsert rewrites the changed messages' and adds the new ones').
    const docs = await db.prisma.$queryRawUnsafe<{ doc: string }[]>(
      "SELECT doc FROM conversation_search WHERE execution_id = 'ex-chat'",
    );
    for (const { doc } of docs) expect(new Set(doc.split("\n")).size).toBe(doc.split("\n").length);
    expect(new Set(docs.flatMap((d) => d.doc.split("\n")))).toEqual(
      new Set(['"e mais uma"', '"ok"', '"segunda versão"']),
    );
    expect(await threads("SEGUNDA versao")).toEqual(["tg-42"]);
    expect(await threads("mais uma")).toEqual(["tg-42"]);
    // Two messages' texts are joined by a newline: a search never spans them.
    expect(await threads('versão"\n"ok')).toEqual([]);
    expect(await threads("versão ok")).toEqual([]);
    await db.prisma.execution.delete({ where: { workspaceId_id: { workspaceId: ws, id: "ex-chat" } } });
    expect(await threads("segunda")).toEqual([]);
    const [r] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM conversation_search WHERE execution_id = 'ex-chat'",
    );
    expect(r.n).toBe(0);
  });

  it("uses the trigram indexes for text of three letters or more", async () => {
    // (Without the workspace condition: on a few rows the planner rightly prefers the b-trees.)
    const plan = async (sql: string, ...params: unknown[]) =>
      db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
        const rows = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, ...params);
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    expect(
      await plan("SELECT execution_id FROM execution_search x WHERE x.doc ~* $1", searchRegex("cartao")),
    ).toContain("execution_search_doc_trgm");
    expect(
      await plan("SELECT execution_id FROM conversation_search c WHERE c.doc ~* $1", searchRegex("sabado")),
    ).toContain("conversation_search_doc_trgm");
  });

  it("answers the same without the trigram index (a database without pg_trgm)", async () => {
    const queries = ["cartao", "ex-limit", "wf-7f3a", "rate limit", "handle_request", "100%", "zebra unicorn"];
    const withIndex = await Promise.all(queries.map((q) => find(q)));
    await db.prisma.$executeRawUnsafe("DROP INDEX execution_search_doc_trgm");
    try {
      // A new handle: whether the index exists is known per open database.
      const fresh: Db = { ...db };
      expect(await Promise.all(queries.map((q) => find(q, {}, fresh)))).toEqual(withIndex);
    } finally {
      await db.prisma.$executeRawUnsafe(
        "CREATE INDEX execution_search_doc_trgm ON execution_search USING gin (doc gin_trgm_ops)",
      );
    }
  });

  it("asks the index for id-like text without its common words, and matches the whole text", async () => {
    const common = (w: string) => (["ped", "order", "cus"].includes(w) ? 1 : 0);
    expect(indexedPart("PED-4241", common)).toBe("-4241");
    expect(indexedPart("pÉd-4241", common)).toBe("-4241");
    expect(indexedPart("PED-4241 cafe\u0301", common)).toBe("-4241 café"); // cut as NFC: é whole
    expect(indexedPart('"order_id": "PED-424115"', common)).toBe('-424115"');
    expect(indexedPart("cus_31337 PED", common)).toBe("_31337 ");
    expect(indexedPart("PED-42", common)).toBe("PED-42"); // every word of three is common
    expect(indexedPart("reembolso", common)).toBe("reembolso");
    // Orders in most executions' input: "ped" is in most rows (the search samples them).
    const orders: Exec[] = [
      ["PED-424115", "cus_31337"],
      ["pÉd-424199", "cus_5"],
      ["XYZ-424115", "cus_7"],
      ["PED-142410", "cus_241150"],
      ...Array.from({ length: 7 }, (_, i): [string, string] => [`PED-90000${i}`, `cus_9${i}`]),
    ].map(([order, customer], i) => ({
      id: `ord-${i}`,
      at: 300 + i * 10,
      input: { order_id: order, customer_id: customer },
    }));
    await write(db, ws, orders);
    const [share] = await db.prisma.$queryRawUnsafe<{ n: number; ped: number }[]>(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE doc ~* 'p[eé]d')::int AS ped FROM execution_search",
    );
    expect(share.ped / share.n).toBeGreaterThanOrEqual(COMMON_WORD_SHARE);
    // A new handle reads the sample anew; it records the SQL the search sends.
    const sent: string[] = [];
    const fresh: Db = {
      ...db,
      prisma: new Proxy(db.prisma, {
        get: (target, key) =>
          key === "$queryRawUnsafe"
            ? (sql: string, ...params: unknown[]) => {
                sent.push(sql);
                return target.$queryRawUnsafe(sql, ...params);
              }
            : Reflect.get(target, key),
      }),
    };
    const ord = (...ns: number[]) => ns.map((n) => `ord-${n}`);
    for (const q of ["PED-4241", "ped-4241", "PÉD-4241", "pÉd-4241"])
      expect(await find(q, {}, fresh), q).toEqual(ord(1, 0));
    expect(sent.at(-1)).toContain("texticregexeq"); // narrowed, the whole text decides: not XYZ-424115
    expect(await find("XYZ-4241", {}, fresh)).toEqual(ord(2));
    expect(await find("24115", {}, fresh)).toEqual(ord(3, 2, 0)); // inside cus_241150 and 424115
    expect(await find("4241", {}, fresh)).toEqual(ord(3, 2, 1, 0));
    expect(await find("PED-424115", {}, fresh)).toEqual(ord(0));
    expect(await find('"order_id": "PED-424115"', {}, fresh)).toEqual(ord(0));
    expect(await find("cus_31337", {}, fresh)).toEqual(ord(0));
    expect(await find("cus_3133", {}, fresh)).toEqual(ord(0));
    expect(await find("PED-4241", { order: "asc" }, fresh)).toEqual(ord(0, 1));
    expect(await find("PED-4241", { status: "success" }, fresh)).toEqual(ord(1, 0));
    expect(sent.at(-1)).toContain("texticregexeq");
    expect(await find("PED-9", {}, fresh)).toEqual(ord(10, 9, 8, 7, 6, 5, 4)); // "9" is too short: all of it
  });
});
