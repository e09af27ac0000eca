import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { literals } from "../helpers/sql-literals";

/**
 * Every SQL statement on the hot paths names its workspace (issue #18 item 7, docs/scaling.md ›
 * Citus): on a distributed Postgres with `workspace_id` as the distribution column, a statement
 * that touches a workspace-owned table without a `workspace_id` predicate (or a join on
 * `workspace_id` to a table that has one) is sent to every shard, and one that joins two such
 * tables on anything else cannot run at all. Single-node Postgres does not care, so nothing else
 * would catch a regression.
 *
 * The check reads the modules' string and template literals (tests/helpers/sql-literals.ts) and,
 * for each reference to a workspace-owned table (FROM, JOIN, INTO, UPDATE, USING), looks for
 * `<alias>.workspace_id =` / `= <alias>.workspace_id`, an unqualified `workspace_id =`, or an
 * INSERT column list with `workspace_id`; a `${where.join(…)}` interpolation counts with the
 * initializer of `where` in the same file. Prisma calls (`prisma.span.findMany({…})`) must name
 * `workspaceId` in their arguments. What is left is listed in KNOWN below with the reason; the test
 * fails on anything new and on a listed statement that no longer exists (so the list stays true).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The hot paths: ingest writers, executions list and details, threads, metrics, overview. */
const HOT_PATHS = ["lib/ingest/write", "lib/traces", "lib/conversations", "lib/metrics", "lib/overview"];

/** Tables with a workspace_id column, and Prisma model names (camelCase) of the same, from the schema. */
function workspaceOwned(): { tables: Set<string>; models: Set<string> } {
  const schema = readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8");
  const tables = new Set<string>();
  const models = new Set<string>();
  for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    if (!/^\s+workspaceId\s/m.test(m[2])) continue;
    const mapped = /@@map\("([^"]+)"\)/.exec(m[2]);
    tables.add(mapped ? mapped[1] : m[1]);
    models.add(m[1][0].toLowerCase() + m[1].slice(1));
  }
  return { tables, models };
}

const SQL_WORDS = new Set(
  "where on set join left right inner full cross using order group limit returning with as select values natural lateral for union having window offset fetch into from and or not".split(
    " ",
  ),
);

type Finding = { file: string; line: number; table: string; statement: string };

/** Unscoped references to workspace-owned tables in one SQL literal. `resolve` gives an interpolated name's initializer. */
function unscopedTables(sql: string, owned: Set<string>, resolve: (name: string) => string = () => ""): string[] {
  const text = sql.replace(/--[^\n]*/g, " ");
  // Interpolated WHERE lists (`${where.join(" AND ")}`, `${cond}`) count with what they were built from.
  const expanded = text.replace(/\$\{(\w+)(?:\.join\([^)]*\))?\}/g, (_, name: string) => ` ${resolve(name)} `);
  const bad: string[] = [];
  const ref =
    /\b(FROM|JOIN|INTO|UPDATE|USING)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?/gi;
  for (const m of text.matchAll(ref)) {
    const table = m[2].toLowerCase();
    if (!owned.has(table)) continue;
    const alias = m[3] && !SQL_WORDS.has(m[3].toLowerCase()) ? m[3] : table;
    const q = alias.replace(/[^a-z0-9_]/gi, "");
    const scoped =
      new RegExp(`\\b${q}\\.workspace_id\\s*(=|IN\\b)`, "i").test(expanded) ||
      new RegExp(`=\\s*${q}\\.workspace_id\\b`, "i").test(expanded) ||
      /(^|[^.\w])workspace_id\s*=/i.test(expanded) ||
      (m[1].toUpperCase() === "INTO" && new RegExp(`INTO\\s+${table}\\s*\\(([^)]*)\\bworkspace_id\\b`, "i").test(text));
    if (!scoped) bad.push(table);
  }
  return bad;
}

function sourceFiles(): string[] {
  return HOT_PATHS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => `${dir}/${f}`),
  );
}

/** The initializer text of `const|let name = …` in a source (to the end of its statement), or "". */
function initializer(source: string, name: string): string {
  const m = new RegExp(`\\b(?:const|let)\\s+${name}\\b[^=;]*=\\s*([\\s\\S]*?);\\s*\\n`).exec(source);
  return m ? m[1] : "";
}

/** Prisma model calls (`.span.findMany(…)`) of workspace-owned models, with their argument text. */
function prismaCalls(source: string, models: Set<string>): { line: number; model: string; args: string }[] {
  const out: { line: number; model: string; args: string }[] = [];
  for (const m of source.matchAll(
    /\.(\w+)\.(find\w*|count|aggregate|groupBy|update\w*|delete\w*|upsert|create\w*)\(/g,
  )) {
    if (!models.has(m[1])) continue;
    let depth = 0;
    let i = m.index + m[0].length - 1;
    const start = i;
    for (; i < source.length; i++) {
      if (source[i] === "(") depth++;
      else if (source[i] === ")" && --depth === 0) break;
    }
    out.push({ line: source.slice(0, m.index).split("\n").length, model: m[1], args: source.slice(start, i + 1) });
  }
  return out;
}

function findings(): Finding[] {
  const { tables, models } = workspaceOwned();
  const out: Finding[] = [];
  for (const file of sourceFiles()) {
    const source = readFileSync(path.join(ROOT, file), "utf8");
    for (const l of literals(source)) {
      if (!/\b(SELECT|INSERT|UPDATE|DELETE)\b/.test(l.text)) continue;
      for (const table of unscopedTables(l.text, tables, (name) => initializer(source, name)))
        out.push({ file, line: l.line, table, statement: l.text.replace(/\s+/g, " ").trim() });
    }
    for (const c of prismaCalls(source, models)) {
      const whereVar = /\bwhere\b(?!\s*:)/.test(c.args) && /\bwhere\s*=\s*\{[^}]*workspaceId/.test(source);
      if (!/workspaceId/.test(c.args) && !whereVar)
        out.push({ file, line: c.line, table: c.model, statement: `prisma.${c.model}${c.args.replace(/\s+/g, " ")}` });
    }
  }
  return out;
}

/**
 * Statements known to touch a workspace-owned table without naming the workspace, each with why
 * and what Citus needs (docs/scaling.md › Citus). `match` is a part of the statement's text.
 */
const KNOWN: { file: string; table: string; match: string; reason: string }[] = [
  {
    file: "lib/traces/executions.ts",
    table: "execution_search",
    match: "FROM execution_search TABLESAMPLE SYSTEM",
    reason:
      "a sample of every workspace's search text, only to tell the words most rows hold (which the trigram index is not asked for): no row of it is returned and a search's results do not depend on it; on Citus it samples every shard (a per-workspace sample would do)",
  },
  {
    file: "lib/conversations/threads.ts",
    table: "agents",
    match: "FROM executions e JOIN agents a ON a.id = e.agent_id",
    reason: "agents joined by id (ids are unique); on Citus add a.workspace_id = e.workspace_id to co-locate the join",
  },
  {
    file: "lib/traces/executions.ts",
    table: "executions",
    match: "SELECT e.*, a.name AS agent_name FROM executions e JOIN agents a ON a.id = e.agent_id",
    reason:
      "EXECUTION_SELECT, a fragment: each user appends the WHERE (read.ts: e.workspace_id = $1; the list and the overview: their where lists)",
  },
  {
    file: "lib/traces/executions.ts",
    table: "agents",
    match: "SELECT e.*, a.name AS agent_name FROM executions e JOIN agents a ON a.id = e.agent_id",
    reason: "as above: the agent names of the list, one execution and the overview's slowest and costliest",
  },
  {
    file: "lib/overview/overview.ts",
    table: "agents",
    match: "JOIN agents a ON a.id = g.key",
    reason: "agent names of the overview's per-agent series; as above",
  },
  {
    file: "lib/metrics/query.ts",
    table: "track_events",
    match: "FROM track_events e WHERE ${rawWhere.join",
    reason: "rawWhere is the caller's list, whose first item is e.workspace_id = $1 (a parameter: not resolved here)",
  },
  {
    file: "lib/overview/rollups.ts",
    table: "execution_rollups",
    match: "FROM execution_rollups WHERE NOT compacted",
    reason:
      "compaction, a worker job over every workspace's new rollup rows (keys include workspace_id); on Citus it runs per shard",
  },
  {
    file: "lib/metrics/cards.ts",
    table: "metricCard",
    match: "({ where: { id }, include })",
    reason: "re-reads a card by id right after updateMany({ where: { id, workspaceId } }) found it in the workspace",
  },
];

describe("hot-path SQL is scoped by workspace_id", () => {
  it("finds statements in every hot-path module group", () => {
    const { tables } = workspaceOwned();
    expect(tables).toContain("spans");
    expect(tables).toContain("executions");
    expect(tables).not.toContain("workspaces");
    const counted = new Map<string, number>();
    for (const file of sourceFiles()) {
      const source = readFileSync(path.join(ROOT, file), "utf8");
      const n = literals(source).filter((l) =>
        /\b(FROM|INTO|UPDATE)\s+(spans|executions|track_events|event_rollups|execution_rollups|agents|event_catalog)\b/i.test(
          l.text,
        ),
      ).length;
      const group = HOT_PATHS.find((d) => file.startsWith(d))!;
      counted.set(group, (counted.get(group) ?? 0) + n);
    }
    // The scanner sees SQL in each group (a broken scanner would find nothing and pass everything).
    for (const dir of HOT_PATHS) expect(counted.get(dir), dir).toBeGreaterThan(0);
  });

  it("flags an unscoped statement, and accepts the ways a statement names its workspace", () => {
    const owned = new Set(["spans", "executions", "agents"]);
    expect(unscopedTables("SELECT * FROM spans WHERE id = $1", owned)).toEqual(["spans"]);
    expect(
      unscopedTables(
        "SELECT * FROM executions e JOIN spans s ON s.execution_id = e.id WHERE e.workspace_id = $1",
        owned,
      ),
    ).toEqual(["spans"]);
    expect(unscopedTables("DELETE FROM spans s WHERE s.execution_id = $2", owned)).toEqual(["spans"]);
    expect(unscopedTables("UPDATE executions SET name = $2 WHERE id = $1", owned)).toEqual(["executions"]);
    expect(unscopedTables("INSERT INTO spans (id, name) VALUES ($1, $2)", owned)).toEqual(["spans"]);
    // Scoped: a predicate per alias, a co-located join, an unqualified predicate, an INSERT column.
    expect(unscopedTables("SELECT * FROM spans WHERE workspace_id = $1 AND id = $2", owned)).toEqual([]);
    expect(
      unscopedTables(
        "SELECT * FROM executions e JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id WHERE e.workspace_id = $1",
        owned,
      ),
    ).toEqual([]);
    expect(unscopedTables("INSERT INTO spans (workspace_id, id) SELECT $1::text, r.id FROM x r", owned)).toEqual([]);
    // The scanner keeps an interpolation as its source text: `${where.join(…)}` in a plain string.
    const dynamic = ["SELECT * FROM executions e WHERE $", "{where.join(' AND ')}"].join("");
    expect(unscopedTables(dynamic, owned, (n) => (n === "where" ? '["e.workspace_id = $1"]' : ""))).toEqual([]);
    expect(unscopedTables(dynamic, owned)).toEqual(["executions"]);
    // Not tables: CTE names, functions, a FROM inside extract().
    expect(unscopedTables("WITH x AS (SELECT 1) SELECT extract(epoch FROM now()) FROM x", owned)).toEqual([]);
  });

  it("every hot-path statement names its workspace, except the known ones", () => {
    const found = findings();
    const unknown = found.filter(
      (f) => !KNOWN.some((k) => k.file === f.file && k.table === f.table && f.statement.includes(k.match)),
    );
    expect(unknown.map((f) => `${f.file}:${f.line} ${f.table}: ${f.statement.slice(0, 200)}`)).toEqual([]);
    const stale = KNOWN.filter(
      (k) => !found.some((f) => k.file === f.file && k.table === f.table && f.statement.includes(k.match)),
    );
    expect(
      stale.map((k) => `${k.file} ${k.match}`),
      "listed but no longer found: remove from KNOWN",
    ).toEqual([]);
  });
});
