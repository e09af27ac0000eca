import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { API_ROUTES, discoverRouteFiles, type RouteSpec, routePath } from "../helpers/api-routes";
import { createTestDb, type TestDb, testServerUrl } from "../helpers/db";
import { type RunningServer, startPortal } from "../helpers/server";
import { HANG_MS, type Outcome, problemWith, rowCounter, Tally } from "./check";
import { casesFor, FUZZ_SEED, type FuzzCase } from "./grammar";

/**
 * The fuzz suite against a real server (`next start` on the production build): a smaller sample
 * (FUZZ_SERVER_CASES, default 1,200) of the same grammar, sent as raw HTTP, plus what only a
 * server sees: methods Next cannot route (TRACE, PROPFIND), paths that are not valid
 * percent-encoding, and lone surrogates encoded as the invalid UTF-8 a hostile client sends.
 * The server is healthy after each route's group; on Postgres (TEST_DATABASE_URL) a refused
 * request must also leave every row count as it was.
 */

const CASES = Number(process.env.FUZZ_SERVER_CASES ?? 1_200);
const OWNER = { email: "owner@example.com", password: "server-test-password" };

/** Percent-encoding as a hostile client writes it: a lone surrogate becomes its (invalid) UTF-8 bytes. */
function encodeSegment(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff)
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(ch);
  }
  return out;
}

type Raw = { method: string; path: string; headers: Record<string, string>; body: Uint8Array | null };

function send(base: URL, raw: Raw): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method: raw.method,
      path: raw.path,
      headers: raw.headers,
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve("hang");
    }, HANG_MS);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= 1_000_000) chunks.push(c);
        if ((res.headers["content-type"] ?? "").includes("event-stream")) res.destroy();
      });
      const done = () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"] ?? "",
          text: Buffer.concat(chunks).toString("utf8"),
        });
      };
      res.on("end", done);
      res.on("close", done);
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      resolve({ status: 599, contentType: "", text: `connection error: ${e.message}` });
    });
    if (raw.body) req.write(raw.body);
    req.end();
  });
}

describe("fuzz: a sample against a running server", () => {
  const files = discoverRouteFiles();
  const perRoute = Math.ceil(CASES / files.length);
  const total = new Tally();
  let server: RunningServer;
  let db: TestDb | null = null;
  let base: URL;
  let cookie = "";
  let counts: (() => Promise<string>) | null = null;

  beforeAll(async () => {
    db = testServerUrl() ? await createTestDb() : null;
    server = await startPortal({ databaseUrl: db?.url ?? null, env: { REDIS_URL: "" } });
    base = new URL(server.url);
    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify(OWNER),
    });
    expect(signIn.status).toBe(200);
    cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const traces = [
      {
        id: "s-root",
        executionId: "s-exec",
        type: "agent_execution",
        name: "run",
        agent: "srv",
        startedAt: "2026-01-01T00:00:00Z",
        threadId: "s-thread",
      },
    ];
    const ingest = await fetch(`${server.url}/api/v1/runtime/v1/observability/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.apiKey}` },
      body: JSON.stringify({ traces }),
    });
    expect(ingest.status).toBe(207);
    if (db) counts = await rowCounter(db as Db);
  }, 600_000);

  afterAll(async () => {
    console.log(total.toString(`fuzz (seed ${FUZZ_SEED}, running server)`));
    await server?.stop();
    await db?.drop();
  });

  const REAL: Record<string, string> = { execution: "s-exec", span: "s-root", thread: "s-thread" };

  function toRaw(route: string, spec: RouteSpec, c: FuzzCase, i: number): Raw {
    const params: Record<string, string> = {};
    for (const [name, kind] of Object.entries(spec.params ?? {}))
      params[name] = c.params[name] === "$real" ? (REAL[kind] ?? `missing-${kind}`) : c.params[name];
    const path = routePath(route, spec, params, spec.methods[c.method as keyof RouteSpec["methods"]], encodeSegment);
    const query = c.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join("&");
    const headers: Record<string, string> = { host: base.host };
    if (c.method !== "GET" && c.method !== "HEAD") headers.origin = server.url;
    if (c.contentType) headers["content-type"] = c.contentType;
    if (c.credential === "wrongKey") headers.authorization = "Bearer rl_fuzz_wrong_key_000000000000000000";
    else if (c.credential === "owner" && spec.auth !== "auth") {
      if (spec.auth === "key" || (spec.auth !== "member" && spec.auth !== "user" && i % 2 === 0))
        headers.authorization = `Bearer ${server.apiKey}`;
      else headers.cookie = c.workspaceCookie === null ? cookie : `runlens_workspace=${c.workspaceCookie}; ${cookie}`;
    }
    const body = c.body && c.method !== "GET" && c.method !== "HEAD" ? c.body : null;
    if (body) headers["content-length"] = String(body.byteLength);
    return { method: c.method, path: query ? `${path}?${query}` : path, headers, body };
  }

  /** What only a server sees, for every route: unroutable methods and malformed paths. */
  function serverOnly(route: string, spec: RouteSpec): { raw: Raw; classes: string[] }[] {
    const path = routePath(route.replace(/\[([^\]]+)\]/g, "x"), spec, {});
    const headers = { host: base.host, authorization: `Bearer ${server.apiKey}` };
    return [
      { raw: { method: "TRACE", path, headers, body: null }, classes: ["unroutable method"] },
      { raw: { method: "PROPFIND", path, headers, body: null }, classes: ["unroutable method"] },
      {
        raw: { method: "GET", path: `${path}/%E0%A4%A`, headers, body: null },
        classes: ["malformed percent-encoding"],
      },
      {
        raw: { method: "GET", path: path.replace(/x/, "%E0%A4%A"), headers, body: null },
        classes: ["malformed percent-encoding"],
      },
      { raw: { method: "GET", path: `${path}%00`, headers, body: null }, classes: ["NUL"] },
    ];
  }

  for (const file of files) {
    it(`${file.route}: no 5xx, no hang, the error format over HTTP`, async () => {
      const spec = API_ROUTES[file.route];
      expect(spec, `${file.route} has no entry in tests/helpers/api-routes.ts`).toBeDefined();
      const tally = new Tally();
      const failures: string[] = [];
      const cases = [
        ...casesFor(spec, file.route, FUZZ_SEED + 1, perRoute).map((c, i) => ({
          raw: toRaw(file.route, spec, c, i),
          classes: c.classes,
        })),
        ...serverOnly(file.route, spec),
      ];
      let before = counts ? await counts() : "";
      for (const { raw, classes } of cases) {
        const outcome = await send(base, raw);
        tally.add(classes, outcome === "hang" ? null : outcome.status);
        let problem = problemWith(outcome, { errorFormat: !spec.foreignErrorFormat && raw.method !== "HEAD" });
        if (counts) {
          const after = await counts();
          if (!problem && outcome !== "hang" && outcome.status >= 400 && after !== before)
            problem = `${outcome.status}, yet rows changed: ${before} -> ${after}`;
          before = after;
        }
        if (problem)
          failures.push(`${raw.method} ${raw.path.slice(0, 200)} [${classes.join(", ")}]: ${problem}`.slice(0, 600));
      }
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status, "GET /api/health after the group").toBe(200);
      total.merge(tally);
      expect(failures.slice(0, 20)).toEqual([]);
    }, 600_000);
  }
});
