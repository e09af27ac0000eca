"use client";

import { X } from "lucide-react";
import type { Span } from "@/lib/contracts/executions";
import type { AppliedPrice } from "@/lib/contracts/models";
import { formatCost, formatDateTime, formatDuration, formatNumber } from "@/lib/format";
import { chatMessagesOf, isPartsContent } from "@/lib/messages/turns";
import { StatusBadge } from "../executions/status-badge";
import { ChatParts, ChatTurns } from "../messages/chat-turns";
import { CopyButton } from "../ui/copy-button";
import { JsonView } from "./json-view";
import { spanStyle } from "./span-style";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="truncate text-sm">{children}</dd>
    </div>
  );
}

/** What a serialized error carries besides name, message and stack (a cause, failure fields), or null. */
function errorDetails(error: NonNullable<Span["error"]>): Record<string, unknown> | null {
  const { name: _name, message: _message, stack: _stack, ...rest } = error as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : null;
}

/** Cache and reasoning token counts, e.g. "cache read 1,024 · reasoning 300", or null. */
function usageDetailsText(d: NonNullable<Span["llm"]>["usageDetails"]): string | null {
  if (!d) return null;
  const parts = [
    d.cacheReadTokens != null && `cache read ${formatNumber(d.cacheReadTokens)}`,
    d.cacheWriteTokens != null && `cache write ${formatNumber(d.cacheWriteTokens)}`,
    d.reasoningTokens != null && `reasoning ${formatNumber(d.reasoningTokens)}`,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : null;
}

/**
 * The selected span: error, LLM and HTTP panels, message, an LLM call's messages as turns (the raw
 * input/output one click away), then input/output/metadata as lazy JSON.
 */
export function SpanDetail({ span, onClose }: { span: Span; onClose: () => void }) {
  const style = spanStyle(span.type, span.stepType);
  const Icon = style.icon;
  const usage = span.llm?.usage;
  const details = usageDetailsText(span.llm?.usageDetails);
  // Turns for LLM calls whose payloads read as chat; a truncated payload is not chat and keeps the raw view.
  const inputTurns = span.llm ? chatMessagesOf(span.input) : null;
  const outputTurns = span.llm ? chatMessagesOf(span.output) : null;
  return (
    <aside aria-label="Span details" className="flex h-full flex-col overflow-hidden">
      <header className="flex items-start gap-2 border-b border-zinc-200 p-3 dark:border-zinc-800">
        <Icon className={`mt-0.5 size-4 shrink-0 ${style.text}`} aria-hidden="true" />
        <div className="min-w-0 flex-1">
          <h2 className="truncate font-semibold" title={span.name}>
            {span.name}
          </h2>
          <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-zinc-500">
            <span className={style.text}>{style.label}</span>
            <StatusBadge status={span.status} />
            <span>{formatDuration(span.durationMs)}</span>
            <span className="font-mono">{span.id}</span>
            <CopyButton value={span.id} label="Copy id" />
          </div>
        </div>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close details"
          className="rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X className="size-4" />
        </button>
      </header>
      <div className="flex-1 space-y-3 overflow-y-auto p-3">
        <dl className="grid grid-cols-2 gap-2">
          <Field label="Started">{formatDateTime(span.startedAt)}</Field>
          <Field label="Ended">{span.endedAt ? formatDateTime(span.endedAt) : "running"}</Field>
        </dl>

        {span.error && (
          <section
            className="rounded-md border border-red-200 bg-red-50 p-2 dark:border-red-900 dark:bg-red-950"
            data-testid="span-error"
          >
            <p className="text-sm font-semibold text-red-800 dark:text-red-200">
              {span.error.name ?? "Error"}: {span.error.message}
            </p>
            {span.error.stack && (
              <pre className="mt-2 max-h-64 overflow-auto font-mono text-xs whitespace-pre-wrap text-red-900 dark:text-red-200">
                {span.error.stack}
              </pre>
            )}
            <JsonView label="Error details" value={errorDetails(span.error)} />
          </section>
        )}

        {span.llm && (
          <section className="rounded-md border border-fuchsia-200 p-2 dark:border-fuchsia-900" data-testid="llm-panel">
            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-fuchsia-700 dark:text-fuchsia-300">
              LLM call
            </h3>
            <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3">
              <Field label="Model">{span.llm.model ?? "–"}</Field>
              <Field label="Provider">{span.llm.provider ?? "–"}</Field>
              <Field label="Prompt">{span.llm.promptName ?? "–"}</Field>
              <Field label="Input tokens">{usage?.inputTokens != null ? formatNumber(usage.inputTokens) : "–"}</Field>
              <Field label="Output tokens">
                {usage?.outputTokens != null ? formatNumber(usage.outputTokens) : "–"}
              </Field>
              <Field label="Total tokens">{usage?.totalTokens != null ? formatNumber(usage.totalTokens) : "–"}</Field>
              {details && <Field label="Token details">{details}</Field>}
              {span.llm.finishReasons?.length ? (
                <Field label="Finish reasons">{span.llm.finishReasons.join(", ")}</Field>
              ) : null}
              {span.llm.timeToFirstTokenMs != null && (
                <Field label="Time to first token">{formatDuration(span.llm.timeToFirstTokenMs)}</Field>
              )}
              <Field label="Cost">
                <span data-testid="llm-cost">{formatCost(span.llm.cost)}</span>
                {span.llm.cost != null && (
                  <span className="block text-xs text-zinc-500">
                    {span.llm.price ? priceLabel(span.llm.price) : "sent by the client"}
                  </span>
                )}
              </Field>
            </dl>
            <div className="mt-2 space-y-2">
              <JsonView label="Variables" value={span.llm.variables} />
              <JsonView label="Config" value={span.llm.config} />
              <JsonView label="Tools" value={span.llm.tools} />
            </div>
          </section>
        )}

        {span.http && (
          <section className="rounded-md border border-sky-200 p-2 dark:border-sky-900" data-testid="http-panel">
            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-sky-700 dark:text-sky-300">HTTP</h3>
            <p className="font-mono text-sm break-all">
              <span className="font-semibold">{span.http.method}</span> {span.http.url}
            </p>
            <p className="mt-1 text-sm">Status: {span.http.statusCode ?? "–"}</p>
          </section>
        )}

        {span.message && (
          <section className="rounded-md border border-emerald-200 p-2 dark:border-emerald-900">
            <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-emerald-700 dark:text-emerald-300">
              Message · {span.message.role}
            </h3>
            {typeof span.message.content === "string" ? (
              <p className="text-sm whitespace-pre-wrap">{span.message.content}</p>
            ) : isPartsContent(span.message.content) ? (
              <ChatParts parts={span.message.content.parts} />
            ) : (
              <JsonView label="Content" value={span.message.content} />
            )}
          </section>
        )}

        {inputTurns && <ChatTurns label="Input messages" messages={inputTurns} />}
        {outputTurns && <ChatTurns label="Output messages" messages={outputTurns} />}
        <JsonView
          label={span.llm ? (inputTurns ? "Raw input" : "Prompt / input") : "Input"}
          value={span.input}
          collapsed={!!inputTurns}
        />
        <JsonView
          label={span.llm ? (outputTurns ? "Raw output" : "Result / output") : "Output"}
          value={span.output}
          collapsed={!!outputTurns}
        />
        <JsonView label="Metadata" value={span.metadata} />
      </div>
    </aside>
  );
}

/** The price a call was charged at, per million tokens, as Settings › Models lists it. */
function priceLabel(p: AppliedPrice): string {
  const parts = [`$${p.input} in`, `$${p.output} out`];
  if (p.cachedInput != null) parts.push(`$${p.cachedInput} cached`);
  if (p.reasoning != null) parts.push(`$${p.reasoning} reasoning`);
  return `${p.model}${p.startsAt ? ` from ${p.startsAt}` : ""}: ${parts.join(", ")} per 1M tokens`;
}
