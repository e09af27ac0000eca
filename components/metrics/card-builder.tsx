"use client";

import { X } from "lucide-react";
import { useState } from "react";
import {
  AGGREGATIONS,
  BUILTIN_EVENTS,
  CARD_TYPES,
  type Card,
  type CatalogEvent,
  DURATION_PROPERTY,
  INTERVALS,
  isBuiltinEvent,
  isPercentile,
  RANGES,
} from "@/lib/contracts/metrics";
import { Button } from "../ui/button";
import { COMPACT_CONTROL, Field, Select } from "../ui/field";
import { saveProblem } from "./card-query";
import { CardView } from "./card-view";
import { CARD_COLORS } from "./colors";

export type CardDraft = Pick<Card, "title" | "type" | "query" | "color">;

function parseEquals(raw: string): string | number | boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

/**
 * The card builder: a side panel with a live preview. Property pickers offer only keys that fit
 * (numeric ones for sum and avg); mixed-type properties are marked. Save stays disabled, saying
 * what is missing, while the cards API would refuse the card (saveProblem).
 */
export function CardBuilder({
  agent,
  catalog,
  initial,
  onSave,
  onClose,
}: {
  agent: string;
  catalog: CatalogEvent[];
  initial?: CardDraft;
  onSave: (draft: CardDraft) => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<CardDraft>(
    initial ?? {
      title: "",
      type: "number",
      color: CARD_COLORS[0],
      query: { event: catalog[0]?.name, aggregation: "count", range: "7d", interval: "day" },
    },
  );
  const q = draft.query;
  const set = (patch: Partial<CardDraft["query"]>) => setDraft({ ...draft, query: { ...q, ...patch } });
  const builtin = isBuiltinEvent(q.event) ? BUILTIN_EVENTS[q.event] : undefined;
  const props = builtin ? builtin.properties : (catalog.find((e) => e.name === q.event)?.properties ?? []);
  const numeric = props.filter((p) => p.type === "number" || p.type === "mixed");
  const aggregation = draft.type === "rate" ? "rate" : q.aggregation;
  const needsProperty =
    aggregation === "sum" || aggregation === "avg" || aggregation === "distinct_count" || isPercentile(aggregation);
  const propertyChoices = aggregation === "sum" || aggregation === "avg" ? numeric : props;
  const chosen = props.find((p) => p.key === q.property);
  const card: CardDraft = { ...draft, title: draft.title.trim() || defaultTitle(draft), query: { ...q, aggregation } };
  const problem = saveProblem({ ...card, agent, color: card.color ?? undefined });

  return (
    <aside
      aria-label="Card builder"
      className="fixed inset-y-0 right-0 z-40 flex w-full max-w-md flex-col border-l border-zinc-200 bg-white shadow-xl dark:border-zinc-800 dark:bg-zinc-900"
    >
      <header className="flex items-center justify-between border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h2 className="font-semibold">{initial ? "Edit card" : "New card"}</h2>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close builder"
          className="rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X className="size-4" />
        </button>
      </header>
      <div className="flex-1 space-y-3 overflow-y-auto p-4 text-sm">
        <Field
          label="Title"
          value={draft.title}
          onChange={(e) => setDraft({ ...draft, title: e.target.value })}
          placeholder="e.g. Orders per day"
        />
        <Select
          label="Type"
          value={draft.type}
          onChange={(e) => setDraft({ ...draft, type: e.target.value as Card["type"] })}
        >
          {CARD_TYPES.map((t) => (
            <option key={t} value={t}>
              {t === "feed" ? "Live feed" : t[0].toUpperCase() + t.slice(1)}
            </option>
          ))}
        </Select>
        {draft.type === "feed" ? (
          <fieldset className="space-y-1">
            <legend>Events to show</legend>
            {catalog.map((e) => (
              <label key={e.name} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={q.events?.includes(e.name) ?? false}
                  onChange={(ev) =>
                    set({
                      events: ev.target.checked
                        ? [...(q.events ?? []), e.name]
                        : (q.events ?? []).filter((n) => n !== e.name),
                    })
                  }
                />
                {e.name}
              </label>
            ))}
          </fieldset>
        ) : (
          <>
            <Select
              label="Event"
              value={q.event ?? ""}
              onChange={(e) =>
                set({ event: e.target.value, property: undefined, where: undefined, groupBy: undefined })
              }
            >
              <optgroup label="Events">
                {catalog.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name} ({formatCount(e.count)})
                  </option>
                ))}
              </optgroup>
              <optgroup label="Built-in">
                {Object.entries(BUILTIN_EVENTS).map(([name, b]) => (
                  <option key={name} value={name}>
                    {b.label}
                  </option>
                ))}
              </optgroup>
            </Select>
            {draft.type !== "rate" && (
              <Select
                label="Aggregation"
                value={q.aggregation}
                onChange={(e) => {
                  const next = e.target.value as (typeof AGGREGATIONS)[number];
                  // Percentiles are of durations: the one property they take is chosen for the user.
                  set({ aggregation: next, property: isPercentile(next) ? DURATION_PROPERTY : undefined });
                }}
              >
                {AGGREGATIONS.filter((a) => a !== "rate" && (builtin || !isPercentile(a))).map((a) => (
                  <option key={a} value={a}>
                    {a.replace("_", " ")}
                  </option>
                ))}
              </Select>
            )}
            {needsProperty && (
              <div>
                <Select
                  label="Property"
                  value={q.property ?? ""}
                  onChange={(e) => set({ property: e.target.value || undefined })}
                >
                  <option value="">Choose…</option>
                  {propertyChoices.map((p) => (
                    <option key={p.key} value={p.key}>
                      {p.key} ({p.type})
                    </option>
                  ))}
                </Select>
                {chosen?.type === "mixed" && (aggregation === "sum" || aggregation === "avg") && (
                  <span className="mt-1 block text-xs text-amber-700 dark:text-amber-300">
                    This property has mixed types: non-numeric values are ignored.
                  </span>
                )}
              </div>
            )}
            <div className="grid grid-cols-2 gap-2">
              <Select
                label={`${draft.type === "rate" ? "Rate of" : "Filter"} property`}
                value={q.where?.property ?? ""}
                onChange={(e) =>
                  set({
                    where: e.target.value ? { property: e.target.value, equals: q.where?.equals ?? "" } : undefined,
                  })
                }
              >
                <option value="">{draft.type === "rate" ? "Choose…" : "None"}</option>
                {props.map((p) => (
                  <option key={p.key} value={p.key}>
                    {p.key}
                  </option>
                ))}
              </Select>
              <Field
                label="equals"
                disabled={!q.where}
                value={q.where ? String(q.where.equals) : ""}
                onChange={(e) => q.where && set({ where: { ...q.where, equals: parseEquals(e.target.value) } })}
              />
            </div>
            {(draft.type === "pie" || draft.type === "bar") && (
              <Select
                label={`${draft.type === "pie" ? "Slices by" : "Group by (else over time)"}`}
                value={q.groupBy ?? ""}
                onChange={(e) => set({ groupBy: e.target.value || undefined })}
              >
                <option value="">{draft.type === "pie" ? "Choose…" : "Time"}</option>
                {props.map((p) => (
                  <option key={p.key} value={p.key}>
                    {p.key}
                  </option>
                ))}
              </Select>
            )}
            {(draft.type === "line" || (draft.type === "bar" && !q.groupBy)) && (
              <Select
                label="Interval"
                value={q.interval ?? "day"}
                onChange={(e) => set({ interval: e.target.value as (typeof INTERVALS)[number] })}
              >
                {INTERVALS.map((i) => (
                  <option key={i} value={i}>
                    {i}
                  </option>
                ))}
              </Select>
            )}
            <Select
              label="Range"
              value={q.range}
              onChange={(e) => set({ range: e.target.value as (typeof RANGES)[number] })}
            >
              {RANGES.map((r) => (
                <option key={r} value={r}>
                  {r === "custom" ? "Custom…" : `Last ${r}`}
                </option>
              ))}
            </Select>
            {q.range === "custom" && (
              <div className="grid grid-cols-2 gap-2">
                <input
                  type="datetime-local"
                  aria-label="From"
                  className={`${COMPACT_CONTROL} w-full`}
                  onChange={(e) => set({ from: e.target.value ? new Date(e.target.value).toISOString() : undefined })}
                />
                <input
                  type="datetime-local"
                  aria-label="To"
                  className={`${COMPACT_CONTROL} w-full`}
                  onChange={(e) => set({ to: e.target.value ? new Date(e.target.value).toISOString() : undefined })}
                />
              </div>
            )}
          </>
        )}
        <fieldset>
          <legend>Colour</legend>
          <div className="mt-1 flex gap-2">
            {CARD_COLORS.map((c) => (
              <button
                key={c}
                type="button"
                aria-label={`Colour ${c}`}
                aria-pressed={draft.color === c}
                onClick={() => setDraft({ ...draft, color: c })}
                className={`size-6 rounded-full ${draft.color === c ? "ring-2 ring-offset-2 ring-zinc-400" : ""}`}
                style={{ backgroundColor: c }}
              />
            ))}
          </div>
        </fieldset>
        <div>
          <div className="mb-1 text-xs font-semibold text-zinc-500 uppercase">Preview</div>
          <div className="h-48 rounded-md border border-zinc-200 dark:border-zinc-800" data-testid="card-preview">
            <CardView card={{ agent, type: draft.type, query: { ...q, aggregation }, color: draft.color }} />
          </div>
        </div>
      </div>
      <footer className="flex items-center justify-end gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
        {problem && (
          <p id="save-problem" className="mr-auto text-sm text-amber-800 dark:text-amber-300" role="status">
            {problem}
          </p>
        )}
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button
          disabled={problem !== null}
          aria-describedby={problem ? "save-problem" : undefined}
          title={problem ?? undefined}
          onClick={() => onSave(card)}
        >
          Save card
        </Button>
      </footer>
    </aside>
  );
}

function formatCount(n: number) {
  return n.toLocaleString("en-US");
}

function defaultTitle(d: CardDraft): string {
  if (d.type === "feed") return "Live feed";
  const q = d.query;
  return `${q.aggregation.replace("_", " ")} of ${q.property ? `${q.property} in ` : ""}${q.event ?? "events"}`.slice(
    0,
    120,
  );
}
