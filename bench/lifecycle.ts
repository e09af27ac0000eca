// `npm run bench:lifecycle [-- --parts search,compression]`: the data-lifecycle benchmarks of issue
// 18 on Postgres, each a part of one run on one fresh database (partitions and retention come as
// further parts):
//  search       1 million executions (30 days, input/output previews in Portuguese, English, Spanish,
//               French and German, order numbers, customer and workflow ids) loaded with SQL; the
//               executions `q` search (lib/traces/executions.ts listExecutions, the function behind
//               GET /api/v1/runtime/v1/observability/executions?q=; `--api` sends the requests to the
//               real portal instead) against the ILIKE query it replaced, measured in the same run
//               on the same data, over a mix of what users type: ids, order numbers, partial words,
//               words without their accents, error message fragments, common words, two letters,
//               text found nowhere. Every execution the ILIKE query finds on its first page must be
//               on the new first page too. Target: p95 under 300 ms.
//  compression  spans with LLM-sized payloads (system prompt, conversation, answer, metadata)
//               written with the payload columns compressed with pglz, then the same spans (same
//               seed) with lz4 (where the server has it, as migration 20261206150000_search_index
//               sets): bytes per span (pg_total_relation_size of spans / spans, and the payload
//               columns' pg_column_size) and the time the INSERT took.
//  partition    --partition-spans (2 million) spans of 40-span executions over --days (30) days, each
//               day in its workspace partition (lib/data/partitions.ts), loaded with SQL; the time
//               retention takes to drop the oldest day (lib/data/retention.ts applyRetention: the
//               keep move, DROP TABLE, the executions' delete). Target: under 1 s. Also the lookup
//               by id of 500 spans in every partition against one (why the writer does not probe
//               every partition: docs/architecture.md › Time partitions).
//  retention    ingest (lib/ingest/write/spans.ts writeSpanBatch, COPY jobs of 500 new spans, two
//               writers) alone for 6 s, then while one retention pass (applyRetention) drops 6 of
//               the partition part's days, four times: twice back to back (pause 0), twice at the
//               pass's own pace (RUNLENS_RETENTION_PAUSE_MS, default 1 s). Target: paced, ingest
//               within 10% of alone.
// Last line: {"bench":"lifecycle",...}. See docs/performance.md, "# Lifecycle".
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { ZExecutionListQuery } from "../lib/contracts/executions.ts";
import { ensurePartition } from "../lib/data/partitions.ts";
import { applyRetention, retentionPauseMs } from "../lib/data/retention.ts";
import { openDatabase } from "../lib/db/client.ts";
import { withTransaction } from "../lib/db/transaction.ts";
import { emptyContextFields, emptySpanFields, type SpanBatch, type SpanJob } from "../lib/ingest/model.ts";
import { resolveAgents } from "../lib/ingest/write/agents.ts";
import { toSpanJob, writeSpanBatch } from "../lib/ingest/write/spans.ts";
import { listExecutions } from "../lib/traces/executions.ts";
import { adminCreateWorkspace } from "../lib/workspaces/admin.ts";
import { type RunningServer, startPortal } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";

const PARTS = ["search", "compression", "partition", "retention"] as const;
type Part = (typeof PARTS)[number];

const { values: args } = parseArgs({
  options: {
    parts: { type: "string" },
    part: { type: "string" },
    "partition-spans": { type: "string" },
    executions: { type: "string" },
    spans: { type: "string" },
    days: { type: "string" },
    runs: { type: "string" },
    "raw-runs": { type: "string" },
    api: { type: "boolean" },
    "pg-url": { type: "string" },
    keep: { type: "string" },
    reuse: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`npm run bench:lifecycle -- [options]
  --parts LIST      comma-separated parts to run: ${PARTS.join(", ")} (default all; --part too)
  --partition-spans N  spans over --days for the partition and retention parts (default 2000000)
  --executions N    executions for the search part (default 1000000)
  --spans N         spans for the compression part (default 100000)
  --days N          days the executions cover, ending now (default 30)
  --runs N          searches per query after one warm-up (default 10)
  --raw-runs N      runs per query of the ILIKE baseline (default 3)
  --api             search through the real portal's HTTP API (builds it when stale) instead of the service function
  --pg-url URL      admin URL of Postgres (default postgresql://postgres@127.0.0.1:5432/postgres, or BENCH_PG_URL)
  --keep NAME       keep the loaded database under this name (for --reuse)
  --reuse NAME      measure on a database kept by --keep (skips loading the executions)`);
  process.exit(0);
}

const parts = new Set<Part>(
  (args.parts ?? args.part ?? PARTS.join(",")).split(",").map((p) => {
    if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--parts: unknown part "${p}"`);
    return p as Part;
  }),
);
const EXECUTIONS = intOpt(args.executions ?? process.env.BENCH_EXECUTIONS, 1_000_000, "--executions");
const SPANS = intOpt(args.spans, 100_000, "--spans");
const DAYS = intOpt(args.days, 30, "--days");
const RUNS = intOpt(args.runs, 10, "--runs");
const RAW_RUNS = intOpt(args["raw-runs"], 3, "--raw-runs");
const TARGET_P95_MS = 300;
const PARTITION_SPANS = intOpt(args["partition-spans"], 2_000_000, "--partition-spans");
const SPANS_PER_EXECUTION = 40;
const TARGET_DROP_MS = 1000;
const PG_ADMIN_URL = args["pg-url"] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DB_NAME = args.reuse ?? args.keep ?? `runlens_bench_lifecycle_${process.pid}`;
const WORKSPACE = "Bench lifecycle";
const API_KEY = "rl_bench_lifecycle_0123456789abcdef";
const AGENTS = ["support", "research", "billing", "triage", "reconcile"];

const dbUrl = (name: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};
const log = (s: string) => console.log(s);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x: number) => Math.round(x * 10) / 10;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const fmt = (n: number) => n.toLocaleString("en");

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let server: RunningServer | null = null;
let created = false;
async function cleanup() {
  await server?.stop().catch(() => undefined);
  server = null;
  if (created && !args.keep)
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)).catch(() => undefined);
  created = false;
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });

// ---- Text users send to agents, and agents answer, in five languages ----
const USER_TEXT = [
  "Olá, não consigo acessar minha conta desde ontem, já tentei redefinir a senha duas vezes.",
  "Meu cartão de crédito foi recusado na finalização da compra, mas o limite está disponível.",
  "Gostaria de solicitar o reembolso do pedido, o produto chegou com defeito.",
  "A entrega está atrasada há três semanas e o rastreamento não atualiza.",
  "Como faço para alterar o endereço de cobrança antes da próxima fatura?",
  "Preciso da segunda via da nota fiscal para a declaração de imposto.",
  "O aplicativo fecha sozinho quando abro o histórico de transações.",
  "Qual é o prazo de devolução para produtos eletrônicos comprados na promoção?",
  "I can't log in to my account after the password reset email expired.",
  "Please cancel my subscription before the next billing cycle starts.",
  "The invoice shows a duplicate charge for the same order, can you refund one of them?",
  "Where is my order? The tracking page has not updated since Monday.",
  "Summarize the attached contract and list the termination clauses.",
  "Which plan includes single sign-on and audit logs for our team?",
  "No puedo iniciar sesión en mi cuenta desde el teléfono nuevo.",
  "¿Cuándo llegará mi pedido? Lo compré hace diez días.",
  "Quiero cambiar el método de pago a transferencia bancaria.",
  "Je n'arrive pas à me connecter à mon compte depuis la mise à jour.",
  "Pouvez-vous rembourser la commande ? L'article était endommagé.",
  "La livraison est en retard d'une semaine, que se passe-t-il ?",
  "Ich möchte meine Bestellung stornieren und das Geld zurückerhalten.",
  "Die Rechnung enthält einen Fehler bei der Mehrwertsteuer.",
  "Wann wird meine Lieferung ankommen? Die Sendungsverfolgung zeigt nichts.",
];
const ANSWER_TEXT = [
  "Entendi. Verifiquei sua conta e a senha foi redefinida; você receberá um e-mail de confirmação em instantes.",
  "Sinto muito pelo transtorno. O reembolso foi aprovado e aparecerá na sua fatura em até 7 dias úteis.",
  "Seu pedido saiu do centro de distribuição e a previsão de entrega é sexta-feira.",
  "A segunda via da nota fiscal foi enviada para o seu e-mail cadastrado.",
  "I've checked your account: the duplicate charge was reversed and you'll see the refund in 3-5 business days.",
  "Your subscription is cancelled and stays active until the end of the current billing period.",
  "The Enterprise plan includes SSO (SAML and OIDC) and a 1-year audit log.",
  "He revisado tu pedido: llegará mañana antes de las 18:00.",
  "Votre remboursement a été validé, il apparaîtra sous cinq jours ouvrés.",
  "Ihre Bestellung wurde storniert; die Erstattung erfolgt innerhalb von fünf Werktagen.",
];
const ERRORS: [string, string][] = [
  ["RateLimitError", "429 Too Many Requests: rate limit reached for requests to gpt-4o"],
  ["TimeoutError", "Tool call search_orders exceeded 30000 ms"],
  ["ValidationError", "Model output did not match the response schema: missing field 'answer'"],
  ["ToolError", "HTTP 502 Bad Gateway from inventory service (pedidos-api)"],
];
const NAMES = ["handle_request", "triage_ticket", "summarize_contract", "refund_flow", "atendimento_cliente"];

/** A pick from array parameter $n, per row. */
const pick = (param: string, n: number) => `(${param}::text[])[1 + floor(random() * ${n})::int]`;

/**
 * Executions lo..hi over DAYS days ending now: previews as lib/ingest/write/rollup.ts stores them
 * (the root span's input and output JSON), 5% failing, a fifth with an external (workflow) id.
 */
const EXECUTIONS_SQL = `
  WITH x AS (
    SELECT g, 'run_' || substr(md5('e' || g), 1, 20) AS id,
      to_timestamp(($3::bigint - $4::bigint * 86400000 + floor((g - 1)::float8 / $5 * $4 * 86400000)::bigint) / 1000.0) AS st,
      (300 + floor(random() * 20000))::bigint AS dur,
      CASE WHEN random() < 0.05 THEN 1 + floor(random() * ${ERRORS.length})::int END AS err,
      1 + floor(random() * ${USER_TEXT.length})::int AS u
    FROM generate_series($1::int, $2::int) g
  )
  INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, ended_at, duration_ms,
    input, output, error, span_count, tokens_input, tokens_output, tokens_total, cost, external_id)
  SELECT $6, x.id, ($7::text[])[1 + g % ${AGENTS.length}], ${pick("$8", NAMES.length)}, 'agent_execution',
    (CASE WHEN err IS NULL THEN 'success' ELSE 'error' END)::"RunStatus", 'sdk', st,
    st + dur * interval '1 millisecond', dur,
    jsonb_build_object('messages', jsonb_build_array(
        jsonb_build_object('role', 'user', 'content', ($9::text[])[u] || ' ' || ${pick("$9", USER_TEXT.length)})),
      'customer_id', 'cus_' || ((g::bigint * 7919) % 400000), 'order_id', 'PED-' || lpad(((g::bigint * 104729) % 1000000)::text, 6, '0'),
      'channel', (ARRAY['whatsapp', 'email', 'chat', 'telefone'])[1 + g % 4]),
    CASE WHEN err IS NULL THEN jsonb_build_object('answer', ${pick("$10", ANSWER_TEXT.length)}, 'tool_calls', g % 5) END,
    CASE WHEN err IS NOT NULL THEN jsonb_build_object('name', ($11::text[])[err], 'message', ($12::text[])[err]) END,
    5 + g % 40, 400 + g % 3000, 50 + g % 800, 450 + g % 3000 + g % 800, (g % 1000) / 100000.0,
    CASE WHEN g % 5 = 0 THEN 'wf_' || md5('w' || g) END
  FROM x`;

/** The `q` condition as it was before migration 20261206150000_search_index (the baseline). */
function ilikeSearchSql(): string {
  return `SELECT e.*, a.name AS agent_name FROM executions e JOIN agents a ON a.id = e.agent_id
    WHERE e.workspace_id = $1 AND (e.id = $2 OR e.external_id = $2 OR e.name ILIKE $3 OR e.input::text ILIKE $3 OR e.output::text ILIKE $3)
    ORDER BY e.started_at DESC, e.id DESC LIMIT 51`;
}
const ilikePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---- Payloads of LLM calls for the compression part ----
const SYSTEM_PROMPT = `Você é o assistente de atendimento da loja. Responda sempre em português, com cordialidade e objetividade.
Regras: 1) nunca peça a senha do cliente; 2) confirme o número do pedido antes de qualquer alteração; 3) reembolsos acima de R$ 500,00 precisam de aprovação humana; 4) use as ferramentas search_orders, refund_order e update_address quando necessário; 5) se o cliente estiver irritado, peça desculpas e ofereça um cupom de 10%.
You are also allowed to answer in English or Spanish when the customer writes in those languages. Keep answers under 120 words. Cite the order number and the expected delivery date when relevant. Do not invent tracking codes.`;

/** Spans lo..hi of executions already loaded (or made-up ids): an LLM call with a conversation. */
const SPANS_SQL = `
  INSERT INTO spans (workspace_id, id, execution_id, parent_id, type, name, status, started_at, ended_at,
    input, output, metadata, llm, llm_model, tokens_input, tokens_output, tokens_total)
  SELECT $3, 'sp_' || g, 'run_' || substr(md5('e' || (1 + g % 1000)), 1, 20), NULL, 'llm_call', 'chat gpt-4o', 'success',
    now() - g * interval '1 second', now() - g * interval '1 second' + interval '900 milliseconds',
    jsonb_build_object('messages', jsonb_build_array(
      jsonb_build_object('role', 'system', 'content', $4::text),
      jsonb_build_object('role', 'user', 'content', ${pick("$5", USER_TEXT.length)} || ' Pedido PED-' || lpad((g % 1000000)::text, 6, '0')),
      jsonb_build_object('role', 'assistant', 'content', ${pick("$6", ANSWER_TEXT.length)}),
      jsonb_build_object('role', 'user', 'content', ${pick("$5", USER_TEXT.length)} || ' ' || ${pick("$5", USER_TEXT.length)}),
      jsonb_build_object('role', 'tool', 'content', (SELECT jsonb_agg(jsonb_build_object('order_id', 'PED-' || lpad(((g * 31 + k) % 1000000)::text, 6, '0'),
        'status', (ARRAY['enviado', 'entregue', 'em separação', 'cancelado'])[1 + (g + k) % 4], 'total', round((random() * 900)::numeric, 2),
        'items', 1 + (g + k) % 6)) FROM generate_series(1, 1 + g % 12) k)::text)),
      'temperature', 0.2, 'max_tokens', 512),
    jsonb_build_object('role', 'assistant', 'content', ${pick("$6", ANSWER_TEXT.length)} || ' ' || ${pick("$6", ANSWER_TEXT.length)}),
    jsonb_build_object('request_id', md5('r' || g), 'region', 'sa-east-1', 'attempt', 1 + g % 3, 'user_agent', 'runlens-sdk/0.4 node/22'),
    jsonb_build_object('model', 'gpt-4o', 'provider', 'openai'), 'gpt-4o', 900 + g % 2000, 60 + g % 400, 960 + g % 2000 + g % 400
  FROM generate_series($1::int, $2::int) g`;
const PAYLOAD_COLUMNS = ["input", "output", "metadata", "error", "llm", "message"];

type SearchRow = {
  query: string;
  kind: string;
  found: number;
  ilike_found: number;
  p50_ms: number;
  p95_ms: number;
  ilike_p50_ms: number;
  ilike_p95_ms: number;
  /** Shared buffers the search's list query touched (service function only). */
  pages: number | null;
};

try {
  const loadBefore = load();
  if (!args.reuse) {
    await admin((c) => c.query(`CREATE DATABASE ${DB_NAME}`));
    created = true;
  }
  const db = await openDatabase({
    kind: "postgres",
    url: dbUrl(DB_NAME),
    migrate: "apply",
    poolSize: 4,
    timeouts: { connectMs: 10_000, queryMs: 3_600_000 },
  });
  const pool = db.pool!;
  const info = (
    await pool.query<{ version: string; toast: string; trgm: boolean }>(
      `SELECT current_setting('server_version') AS version, current_setting('default_toast_compression') AS toast,
         EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS trgm`,
    )
  ).rows[0];
  log(
    `Postgres ${info.version}, default_toast_compression ${info.toast}, pg_trgm ${info.trgm ? "installed" : "absent"}`,
  );
  let workspaceId: string;
  let agentIds: string[];
  if (args.reuse) {
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM workspaces WHERE name = $1", [WORKSPACE]);
    if (!rows[0]) throw new Error(`${DB_NAME} holds no bench data: load it with --keep ${DB_NAME}`);
    workspaceId = rows[0].id;
    const ids = await withTransaction(db, (tx) => resolveAgents(tx, workspaceId, AGENTS));
    agentIds = AGENTS.map((a) => ids.get(a)!);
    log(`reusing ${DB_NAME}`);
  } else {
    ({
      workspace: { id: workspaceId },
    } = await adminCreateWorkspace(db, { name: WORKSPACE, apiKey: API_KEY }));
    const ids = await withTransaction(db, (tx) => resolveAgents(tx, workspaceId, AGENTS));
    agentIds = AGENTS.map((a) => ids.get(a)!);
  }
  const result: Record<string, unknown> = {};

  // ---------------- search ----------------
  if (parts.has("search")) {
    const loaded = Number((await pool.query("SELECT count(*) FROM executions")).rows[0].count);
    const loading: Record<string, number> = {};
    if (loaded === 0) {
      // Bulk load: the search rows and their index are built once after the executions, as a
      // restore would; the per-write cost of the triggers is what bench:ingest measures.
      const client = await pool.connect();
      try {
        await client.query("SELECT setseed(0.18)");
        await client.query("ALTER TABLE executions DISABLE TRIGGER executions_search_insert");
        await client.query("DROP INDEX IF EXISTS execution_search_doc_trgm");
        const t0 = performance.now();
        const now = Date.now();
        const chunk = 50_000;
        for (let lo = 1; lo <= EXECUTIONS; lo += chunk) {
          const hi = Math.min(EXECUTIONS, lo + chunk - 1);
          await client.query(EXECUTIONS_SQL, [
            lo,
            hi,
            now,
            DAYS,
            EXECUTIONS,
            workspaceId,
            agentIds,
            NAMES,
            USER_TEXT,
            ANSWER_TEXT,
            ERRORS.map((e) => e[0]),
            ERRORS.map((e) => e[1]),
          ]);
          process.stdout.write(`\rloading executions: ${fmt(hi)} / ${fmt(EXECUTIONS)}`);
        }
        loading.executions_s = round((performance.now() - t0) / 1000);
        log(`\nloaded executions in ${secs(t0)}`);
        await client.query("ALTER TABLE executions ENABLE TRIGGER executions_search_insert");
        const t1 = performance.now();
        await client.query(
          `INSERT INTO execution_search (workspace_id, execution_id, started_at, doc)
           SELECT workspace_id, id, started_at, runlens_execution_search_doc(name, input, output, error) FROM executions`,
        );
        loading.search_rows_s = round((performance.now() - t1) / 1000);
        const t2 = performance.now();
        await client.query("SET maintenance_work_mem = '256MB'");
        const indexed = (await client.query("SELECT runlens_ensure_search_indexes() AS ok")).rows[0].ok;
        loading.search_index_s = round((performance.now() - t2) / 1000);
        log(
          `search rows in ${loading.search_rows_s} s, trigram index ${indexed ? `in ${loading.search_index_s} s` : "not available"}`,
        );
      } finally {
        client.release();
      }
    }
    for (const table of ["executions", "execution_search"]) await pool.query(`VACUUM (ANALYZE) ${table}`);
    const sizes = (
      await pool.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM executions WHERE workspace_id = $1)::text AS executions,
           pg_total_relation_size('executions')::text AS executions_bytes,
           pg_total_relation_size('execution_search')::text AS search_bytes,
           COALESCE(pg_relation_size(to_regclass('execution_search_doc_trgm')), 0)::text AS trgm_index_bytes`,
        [workspaceId],
      )
    ).rows[0];
    const n = Number(sizes.executions);
    log(
      `executions: ${fmt(n)}, ${fmt(Number(sizes.executions_bytes))} bytes; execution_search ${fmt(Number(sizes.search_bytes))} bytes (trigram index ${fmt(Number(sizes.trgm_index_bytes))})`,
    );

    // What users type: picked from the loaded data so each query has its real answer.
    const pickRow = async (sql: string) => (await pool.query(sql, [workspaceId])).rows[0];
    const someId = (
      await pickRow(
        `SELECT id FROM executions WHERE workspace_id = $1 ORDER BY id LIMIT 1 OFFSET ${Math.floor(n * 0.43)}`,
      )
    ).id as string;
    const someExternal = (
      await pickRow(
        `SELECT external_id FROM executions WHERE workspace_id = $1 AND external_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET ${Math.floor(n * 0.077)}`,
      )
    ).external_id as string;
    const someOrder = (
      await pickRow(
        `SELECT input->>'order_id' AS o FROM executions WHERE workspace_id = $1 ORDER BY id LIMIT 1 OFFSET ${Math.floor(n * 0.61)}`,
      )
    ).o as string;
    const queries: [string, string][] = [
      [someId, "execution id"],
      [someExternal, "external id"],
      [someOrder, "order number"],
      [someOrder.slice(0, 8), "order number prefix"],
      [someOrder.slice(0, 7), "order number, 3 digits"],
      [someOrder.slice(5), "order digits"],
      [someOrder.slice(4, 7), "3 digits"],
      [`"order_id": "${someOrder.slice(0, 8)}`, "JSON pasted"],
      ["cus_31337", "customer id"],
      ["cus_313", "customer id prefix"],
      ["reembolso", "word"],
      ["reembol", "partial word"],
      ["cartao de credito", "words without accents"],
      ["CARTÃO", "accented, upper case"],
      ["rate limit reached", "error fragment"],
      ["exceeded 30000 ms", "error fragment"],
      ["stornieren", "word (German)"],
      ["subscription", "word"],
      ["de", "two letters"],
      ["zebra-unicorn-42", "found nowhere"],
    ];
    // Text without a run of three letters or digits cannot use a trigram index: found nowhere, it is
    // a scan of every execution (as with ILIKE). Measured, reported, and kept out of the p95.
    const unindexable: [string, string][] = [["ok", "two letters, found nowhere"]];

    if (args.api)
      server = await startPortal({ databaseUrl: dbUrl(DB_NAME), env: { RUNLENS_WORKER: "off", REDIS_URL: "" } });
    const headers = { authorization: `Bearer ${API_KEY}` };
    // The list query the service function sent last, to count the pages it reads (EXPLAIN BUFFERS).
    let lastSql: { sql: string; params: unknown[] } | null = null;
    const recorded: typeof db = {
      ...db,
      prisma: new Proxy(db.prisma, {
        get: (target, key) =>
          key === "$queryRawUnsafe"
            ? (sql: string, ...params: unknown[]) => {
                lastSql = { sql, params };
                return target.$queryRawUnsafe(sql, ...params);
              }
            : Reflect.get(target, key),
      }),
    };
    /** Shared buffers (hit or read) the last list query touches: what a cold cache turns into I/O. */
    const pagesOfLast = async (): Promise<number | null> => {
      if (!lastSql) return null;
      const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${lastSql.sql}`, lastSql.params);
      const top = rows[0]["QUERY PLAN"][0].Plan;
      return top["Shared Hit Blocks"] + top["Shared Read Blocks"];
    };
    const search = async (q: string): Promise<string[]> => {
      if (server) {
        const res = await fetch(
          `${server.url}/api/v1/runtime/v1/observability/executions?${new URLSearchParams({ q, limit: "50" })}`,
          { headers },
        );
        if (!res.ok) throw new Error(`search ${q}: HTTP ${res.status} ${await res.text()}`);
        return ((await res.json()) as { executions: { id: string }[] }).executions.map((e) => e.id);
      }
      const list = await listExecutions(recorded, workspaceId, ZExecutionListQuery.parse({ q, limit: 50 }));
      return list.executions.map((e) => e.id);
    };

    const rows: SearchRow[] = [];
    const all: number[] = [];
    const allIlike: number[] = [];
    const missed: string[] = [];
    const worst: SearchRow[] = [];
    for (const [q, kind] of [...queries, ...unindexable]) {
      const excluded = unindexable.some(([u]) => u === q);
      const ms: number[] = [];
      let ids: string[] = [];
      for (let i = excluded ? 0 : -1; i < (excluded ? 1 : RUNS); i++) {
        const t = performance.now();
        ids = await search(q);
        if (i >= 0) ms.push(performance.now() - t);
      }
      const pages = server ? null : await pagesOfLast();
      const ilikeMs: number[] = [];
      let ilike: { id: string; started_at: Date }[] = [];
      for (let i = 0; i < (excluded ? 1 : RAW_RUNS); i++) {
        const t = performance.now();
        ilike = (await pool.query(ilikeSearchSql(), [workspaceId, q, ilikePattern(q)])).rows.slice(0, 50);
        ilikeMs.push(performance.now() - t);
      }
      // Everything ILIKE finds on its first page is on the new first page (which may hold more:
      // accents now match), unless the new page is full of newer matches.
      const newIds = new Set(ids);
      const lastNew = ids.length
        ? (
            await pool.query("SELECT started_at FROM executions WHERE workspace_id = $1 AND id = $2", [
              workspaceId,
              ids.at(-1),
            ])
          ).rows[0].started_at
        : null;
      for (const r of ilike)
        if (!newIds.has(r.id) && (ids.length < 50 || (lastNew && r.started_at >= lastNew)))
          missed.push(`${q}: ${r.id}`);
      if (!excluded) {
        all.push(...ms);
        allIlike.push(...ilikeMs);
      }
      const row: SearchRow = {
        query: q,
        kind,
        found: ids.length,
        ilike_found: ilike.length,
        p50_ms: round(pct(ms, 50)),
        p95_ms: round(pct(ms, 95)),
        ilike_p50_ms: round(pct(ilikeMs, 50)),
        ilike_p95_ms: round(pct(ilikeMs, 95)),
        pages,
      };
      (excluded ? worst : rows).push(row);
      log(
        `${kind.padEnd(24)} ${JSON.stringify(q).padEnd(28)} found ${String(ids.length).padStart(2)} (ILIKE ${String(ilike.length).padStart(2)})  p50 ${row.p50_ms} ms p95 ${row.p95_ms} ms, ${row.pages ?? "?"} pages   ILIKE p50 ${row.ilike_p50_ms} ms p95 ${row.ilike_p95_ms} ms`,
      );
    }
    const p95 = round(pct(all, 95));
    const ilikeP95 = round(pct(allIlike, 95));
    log(`search p95 ${p95} ms over ${all.length} searches (ILIKE p95 ${ilikeP95} ms over ${allIlike.length})`);
    log(`executions the ILIKE search found and the new one did not: ${missed.length}`);
    for (const m of missed.slice(0, 10)) log(`  missed: ${m}`);
    result.search = {
      executions: n,
      days: DAYS,
      via: server ? "api" : "service",
      pg_trgm: info.trgm,
      runs: RUNS,
      raw_runs: RAW_RUNS,
      loading,
      bytes: {
        executions: Number(sizes.executions_bytes),
        execution_search: Number(sizes.search_bytes),
        trgm_index: Number(sizes.trgm_index_bytes),
      },
      queries: rows,
      not_in_p95: worst,
      p95_ms: p95,
      ilike_p95_ms: ilikeP95,
      target_p95_ms: TARGET_P95_MS,
      missed: missed.length,
      meets_target: p95 < TARGET_P95_MS && missed.length === 0,
    };
    await server?.stop();
    server = null;
  }

  // ---------------- partition, retention ----------------
  let partitionWs: string | null = null;
  let partitionDays: string[] = [];
  if (parts.has("partition") || parts.has("retention")) {
    ({
      workspace: { id: partitionWs },
    } = await adminCreateWorkspace(db, { name: "Bench partitions" }));
    const ws = partitionWs!;
    const [agentId] = (await withTransaction(db, (tx) => resolveAgents(tx, ws, ["support"]))).values();
    const executionsPerDay = Math.max(1, Math.round(PARTITION_SPANS / SPANS_PER_EXECUTION / DAYS));
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    partitionDays = Array.from({ length: DAYS }, (_, i) =>
      new Date(today - (DAYS - i) * 86_400_000).toISOString().slice(0, 10),
    );
    const t0 = performance.now();
    for (const day of partitionDays) {
      await ensurePartition(db, "spans", ws, day);
      await pool.query(
        `INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, ended_at, duration_ms,
           span_count, created_at, updated_at)
         SELECT $1, 'px_' || $2 || '_' || g, $3, 'run ' || g, 'agent_execution', 'success', 'sdk',
           $2::date + g * interval '1 second', $2::date + g * interval '1 second' + interval '3 seconds', 3000, $5,
           $2::date + g * interval '1 second', now()
         FROM generate_series(1, $4::int) g`,
        [ws, day, agentId, executionsPerDay, SPANS_PER_EXECUTION],
      );
      await pool.query(
        `INSERT INTO spans (workspace_id, day, id, execution_id, parent_id, type, name, status, started_at, ended_at,
           input, output, llm_model, tokens_input, tokens_output, tokens_total)
         SELECT $1, $2::date, 'ps_' || $2 || '_' || g || '_' || k, 'px_' || $2 || '_' || g,
           CASE WHEN k = 0 THEN NULL ELSE 'ps_' || $2 || '_' || g || '_0' END,
           CASE WHEN k = 0 THEN 'agent_execution' ELSE 'llm_call' END, 'step ' || k, 'success',
           $2::date + g * interval '1 second', $2::date + g * interval '1 second' + interval '900 milliseconds',
           jsonb_build_object('messages', jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Pedido PED-' || g || ' ' || repeat('texto ', 30)))),
           jsonb_build_object('answer', 'ok ' || k || ' ' || repeat('resposta ', 20)), 'gpt-4o', 900, 60, 960
         FROM generate_series(1, $3::int) g, generate_series(0, $4::int - 1) k`,
        [ws, day, executionsPerDay, SPANS_PER_EXECUTION],
      );
    }
    await pool.query("ANALYZE spans");
    const loaded = Number((await pool.query("SELECT count(*) FROM spans WHERE workspace_id = $1", [ws])).rows[0].count);
    log(`partition: loaded ${fmt(loaded)} spans over ${DAYS} days in ${secs(t0)}`);
    result.partition_data = { spans: loaded, days: DAYS, executions_per_day: executionsPerDay };
  }

  /** Drops the oldest partitioned day still there (retention of one day fewer), in ms. */
  let dropped = 0;
  const dropOldestDay = async (): Promise<number | null> => {
    if (dropped >= partitionDays.length - 1) return null;
    dropped++;
    await pool.query("UPDATE workspaces SET traces_retention_days = $2 WHERE id = $1", [partitionWs, DAYS - dropped]);
    const t0 = performance.now();
    const r = await applyRetention(db, new Date());
    const ms = performance.now() - t0;
    if (r.dropped.length !== 1) throw new Error(`expected one day dropped, got ${r.dropped.length}`);
    return ms;
  };

  if (parts.has("partition")) {
    const ws = partitionWs!;
    // Lookup by id: 500 ids of one day, in that day's partition and in every partition.
    const day = partitionDays[Math.floor(DAYS / 2)];
    const ids = (
      await pool.query<{ id: string }>(
        "SELECT id FROM spans WHERE workspace_id = $1 AND day = $2::date ORDER BY random() LIMIT 500",
        [ws, day],
      )
    ).rows.map((r) => r.id);
    const time = async (sql: string, params: unknown[]) => {
      const ms: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await pool.query(sql, params);
        ms.push(performance.now() - t0);
      }
      return round(pct(ms.slice(1), 50));
    };
    const allDays = [...partitionDays];
    const oneMs = await time(
      "SELECT count(*) FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[])",
      [ws, ids, [day]],
    );
    const allMs = await time(
      "SELECT count(*) FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[])",
      [ws, ids, allDays],
    );
    log(`partition: 500 spans by id in one partition ${oneMs} ms, in all ${DAYS} ${allMs} ms (median of 5)`);
    const drops: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ms = await dropOldestDay();
      if (ms !== null) drops.push(round(ms));
    }
    log(`partition: dropping the oldest day took ${drops.join(", ")} ms`);
    result.partition = {
      lookup_500_ids_one_partition_ms: oneMs,
      lookup_500_ids_all_partitions_ms: allMs,
      drop_day_ms: drops,
      meets_target: drops.every((d) => d < TARGET_DROP_MS),
    };
  }

  if (parts.has("retention")) {
    const ws = partitionWs!;
    let n = 0;
    const makeJobs = (count: number): SpanJob[] => {
      const jobs: SpanJob[] = [];
      for (let b = 0; b < count / 500; b++) {
        const spans = Array.from({ length: 500 }, (_, i) => {
          const e = Math.floor(i / 25);
          const id = `ing_${n}_${b}_${i}`;
          return {
            ...emptySpanFields(),
            id,
            execution_id: `ingx_${n}_${b}_${e}`,
            parent_id: i % 25 === 0 ? null : `ing_${n}_${b}_${e * 25}`,
            type: i % 25 === 0 ? "agent_execution" : "llm_call",
            name: `step ${i}`,
            status: "success" as const,
            started_at: new Date(Date.now() - 1000 + i).toISOString(),
            ended_at: new Date(Date.now() + i).toISOString(),
            input: { messages: [{ role: "user", content: `Pedido PED-${b} ${"texto ".repeat(30)}` }] },
            output: { answer: `ok ${"resposta ".repeat(20)}` },
            llm_model: "gpt-4o",
            tokens_input: 900,
            tokens_output: 60,
            tokens_total: 960,
          };
        });
        const batch: SpanBatch = {
          kind: "spans",
          workspaceId: ws,
          source: "sdk",
          spans,
          executions: [...new Set(spans.map((s) => s.execution_id))].map((execution_id) => ({
            execution_id,
            agent: "support",
            agent_from_root: false,
            ...emptyContextFields(),
          })),
        };
        jobs.push(toSpanJob(batch, "copy"));
      }
      n++;
      return jobs;
    };
    /** Two writers write new spans until `done()`; spans/s over that time. */
    const ingestUntil = async (done: () => boolean) => {
      let written = 0;
      const t0 = performance.now();
      await Promise.all(
        [0, 1].map(async () => {
          while (!done()) {
            await writeSpanBatch(db, makeJobs(500)[0]);
            written += 500;
          }
        }),
      );
      return written / ((performance.now() - t0) / 1000);
    };
    const ingestFor = (ms: number) => {
      const end = performance.now() + ms;
      return ingestUntil(() => performance.now() >= end);
    };
    // Today's partition exists, as the worker makes it ahead.
    await ensurePartition(db, "spans", ws, new Date().toISOString().slice(0, 10));
    await ingestFor(2_000); // warm-up
    // Each round: ingest alone for ROUND_MS, then ingest while one retention pass drops
    // DAYS_PER_PASS days (the workspace's retention shortened by that many days), back to back
    // (pause 0) or at the pass's own pace (RUNLENS_RETENTION_PAUSE_MS, default 1 s), alternating.
    const DAYS_PER_PASS = 6;
    const ROUND_MS = 6_000;
    const rounds: { pause_ms: number; alone: number; during: number; days: number; pass_ms: number }[] = [];
    for (const pauseMs of [0, retentionPauseMs(), 0, retentionPauseMs()]) {
      const alone = await ingestFor(ROUND_MS);
      dropped += DAYS_PER_PASS;
      await pool.query("UPDATE workspaces SET traces_retention_days = $2 WHERE id = $1", [partitionWs, DAYS - dropped]);
      let passing = true;
      const t0 = performance.now();
      const pass = applyRetention(db, new Date(), { pauseMs }).finally(() => {
        passing = false;
      });
      const during = await ingestUntil(() => !passing);
      const r = await pass;
      rounds.push({ pause_ms: pauseMs, alone, during, days: r.dropped.length, pass_ms: round(performance.now() - t0) });
      log(
        `retention: pause ${pauseMs} ms: ingest alone ${fmt(Math.round(alone))} spans/s, while a pass dropped ${r.dropped.length} days in ${fmt(Math.round(performance.now() - t0))} ms ${fmt(Math.round(during))} spans/s (${(during / alone).toFixed(3)})`,
      );
    }
    const ratio = (pause: (ms: number) => boolean) => {
      const rs = rounds.filter((r) => pause(r.pause_ms));
      return round((rs.reduce((n, r) => n + r.during, 0) / rs.reduce((n, r) => n + r.alone, 0)) * 1000) / 1000;
    };
    const paced = ratio((ms) => ms > 0);
    const backToBack = ratio((ms) => ms === 0);
    log(`retention: during / alone: paced ${paced}, back to back ${backToBack}`);
    result.retention = {
      rounds: rounds.map((r) => ({ ...r, alone: Math.round(r.alone), during: Math.round(r.during) })),
      ratio_paced: paced,
      ratio_back_to_back: backToBack,
      meets_target: paced >= 0.9 && rounds.every((r) => r.days === DAYS_PER_PASS),
    };
  }

  // ---------------- compression ----------------
  if (parts.has("compression")) {
    const lz4 = await pool
      .query("CREATE TEMP TABLE lz4_probe (t text COMPRESSION lz4)")
      .then(() => true)
      .catch(() => false);
    const methods = lz4 ? ["pglz", "lz4"] : ["pglz"];
    const measured: Record<string, Record<string, number>> = {};
    for (const method of methods) {
      // TRUNCATE, not DELETE + VACUUM FULL: a snapshot held elsewhere (autovacuum's ANALYZE of the
      // million executions) keeps deleted rows in the rewritten table and doubles the figures.
      await pool.query("TRUNCATE spans");
      await pool.query(
        `ALTER TABLE spans ${PAYLOAD_COLUMNS.map((c) => `ALTER COLUMN ${c} SET COMPRESSION ${method}`).join(", ")}`,
      );
      const client = await pool.connect();
      const t0 = performance.now();
      try {
        await client.query("SELECT setseed(0.42)");
        const chunk = 20_000;
        for (let lo = 1; lo <= SPANS; lo += chunk)
          await client.query(SPANS_SQL, [
            lo,
            Math.min(SPANS, lo + chunk - 1),
            workspaceId,
            SYSTEM_PROMPT,
            USER_TEXT,
            ANSWER_TEXT,
          ]);
      } finally {
        client.release();
      }
      const insertS = (performance.now() - t0) / 1000;
      await pool.query("VACUUM (ANALYZE) spans");
      const r = (
        await pool.query<Record<string, string>>(
          // spans is partitioned: its sizes are its partitions' (the parent has no storage).
          `SELECT count(*)::text AS n,
             (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('spans'))::text AS total,
             (SELECT sum(pg_relation_size(relid)) FROM pg_partition_tree('spans'))::text AS heap,
             (SELECT COALESCE(sum(pg_total_relation_size(c.reltoastrelid)), 0) FROM pg_partition_tree('spans') t
                JOIN pg_class c ON c.oid = t.relid WHERE c.reltoastrelid <> 0)::text AS toast,
             avg(${PAYLOAD_COLUMNS.map((c) => `COALESCE(pg_column_size(${c}), 0)`).join(" + ")})::text AS payload_stored,
             avg(${PAYLOAD_COLUMNS.map((c) => `COALESCE(octet_length(${c}::text), 0)`).join(" + ")})::text AS payload_text,
             (SELECT count(*) FROM spans s WHERE pg_column_compression(s.input) = '${method}')::text AS compressed_inputs
           FROM spans`,
        )
      ).rows[0];
      const spans = Number(r.n);
      measured[method] = {
        spans,
        bytes_per_span: round(Number(r.total) / spans),
        heap_bytes_per_span: round(Number(r.heap) / spans),
        toast_bytes_per_span: round(Number(r.toast) / spans),
        payload_stored_bytes_per_span: round(Number(r.payload_stored)),
        payload_json_text_bytes_per_span: round(Number(r.payload_text)),
        inputs_compressed_with_method: Number(r.compressed_inputs),
        insert_s: round(insertS),
      };
      log(`${method}: ${JSON.stringify(measured[method])}`);
    }
    await pool.query("TRUNCATE spans");
    result.compression = { lz4_available: lz4, default_toast_compression: info.toast, ...measured };
  }

  const loadAfter = load();
  log(`load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
  await db.close();
  await cleanup();
  const search = result.search as { meets_target: boolean } | undefined;
  console.log(
    JSON.stringify({
      bench: "lifecycle",
      parts: [...parts],
      ...result,
      loadavg_before: loadBefore,
      loadavg_after: loadAfter,
      meets_targets:
        (search ? search.meets_target : true) &&
        ((result.partition as { meets_target?: boolean } | undefined)?.meets_target ?? true) &&
        ((result.retention as { meets_target?: boolean } | undefined)?.meets_target ?? true),
    }),
  );
} catch (e) {
  console.error(e);
  await cleanup();
  process.exit(1);
}
