import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { processGlobal } from "./process-global.ts";

/**
 * Structured logs (pino) for the web process, the worker and the scripts: one JSON object per line
 * in production, a readable line elsewhere. Settings (read once per process):
 * - `RUNLENS_LOG_LEVEL`: trace, debug, info (default), warn, error, fatal or silent;
 * - `RUNLENS_LOG_FORMAT`: `json` or `pretty`; by default `json` when NODE_ENV is production (as under
 *   `npm start` and in the worker it starts), else `pretty`.
 * Every line logged while serving a request carries its `requestId` (lib/server/edge-stamp.ts
 * opens the context; the response's `x-request-id` header tells it), every line of a queued job
 * its `queue`, `jobId` and the `requestId` that enqueued it (lib/queue).
 */

export type { Logger };

/** Fields added to every line logged in a context, and in the async work the context starts. */
export type LogContext = { requestId?: string; queue?: string; jobId?: string };

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export type LogSettings = { level: string; format: "json" | "pretty" };

/** RUNLENS_LOG_LEVEL and RUNLENS_LOG_FORMAT, with what is wrong with them (an unknown level is info). */
export function logSettings(env: Record<string, string | undefined> = process.env): LogSettings & { problem?: string } {
  const wanted = env.RUNLENS_LOG_LEVEL?.trim().toLowerCase() || "info";
  const format = env.RUNLENS_LOG_FORMAT?.trim().toLowerCase() || (env.NODE_ENV === "production" ? "json" : "pretty");
  const problems = [
    LEVELS.includes(wanted) ? "" : `RUNLENS_LOG_LEVEL=${wanted} is not one of ${LEVELS.join(", ")}: using info`,
    format === "json" || format === "pretty" ? "" : `RUNLENS_LOG_FORMAT=${format} is not json or pretty: using json`,
  ].filter(Boolean);
  return {
    level: LEVELS.includes(wanted) ? wanted : "info",
    format: format === "pretty" ? "pretty" : "json",
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
  };
}

const context = processGlobal("__runlensLogContext", () => new AsyncLocalStorage<LogContext>());

/** A logger writing to `out`; every line carries the fields of the current log context. */
export function createLogger(settings: LogSettings, out: { write(line: string): unknown }): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => context.getStore() ?? {},
  };
  return pino(options, settings.format === "json" ? out : prettyStream(out));
}

const root = processGlobal("__runlensLog", () => {
  const settings = logSettings();
  // process.stdout writes synchronously to files, pipes and terminals on Linux and macOS: a line
  // logged just before process.exit() is not lost.
  const log = createLogger(settings, process.stdout);
  if (settings.problem) log.warn(settings.problem);
  return log;
});

/** The logger of one part of Runlens; `component` names it on every line ("api", "queue:ingest"…). */
export function logger(component: string): Logger {
  return root.child({ component });
}

/** Runs `fn` with `fields` on every line it logs, and on every line of the async work it starts. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/**
 * Makes `requestId` the context of the rest of the current execution and of everything it starts
 * asynchronously. Called where Node announces a request, synchronously before the server's request
 * listener runs (lib/server/edge-stamp.ts), so the whole request runs in it.
 */
export function enterRequestContext(requestId: string): void {
  context.enterWith({ requestId });
}

/** A queued job's context: its queue and id, and the request that enqueued it (a `requestId` in its data). */
export function jobContext(queue: string, jobId: string | undefined, data: unknown): LogContext {
  const requestId = (data as { requestId?: unknown } | null)?.requestId;
  return { queue, jobId, ...(typeof requestId === "string" ? { requestId } : {}) };
}

export const newRequestId = () => `req_${randomUUID()}`;

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

const PRETTY_LEVELS: Record<string, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO ",
  warn: "WARN ",
  error: "ERROR",
  fatal: "FATAL",
};
const OMITTED = new Set(["time", "level", "msg", "component", "pid", "hostname", "err"]);

/**
 * Development output: `12:00:00.000 ERROR api: message key=value …`, an error's stack below it.
 * A few lines of code instead of pino-pretty, so production installs need nothing more.
 */
function prettyStream(out: { write(line: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const time = typeof entry.time === "string" ? entry.time.slice(11, 23) : "";
      const level = PRETTY_LEVELS[String(entry.level)] ?? String(entry.level).toUpperCase();
      const component = entry.component ? `${entry.component}: ` : "";
      const fields = Object.entries(entry)
        .filter(([k]) => !OMITTED.has(k))
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
      const err = entry.err as { stack?: string; message?: string } | undefined;
      const stack = err ? `\n    ${(err.stack ?? err.message ?? "").split("\n").join("\n    ")}` : "";
      out.write(
        `${time} ${level} ${component}${entry.msg ?? ""}${fields.length ? ` ${fields.join(" ")}` : ""}${stack}\n`,
      );
    },
  };
}
