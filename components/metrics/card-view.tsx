"use client";

import { useQuery } from "@tanstack/react-query";
import type { CSSProperties } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  type TooltipContentProps,
  XAxis,
  YAxis,
} from "recharts";
import { api } from "@/lib/client/api";
import {
  cardUnit,
  formatMetricValue,
  formatTick,
  propertyEntries,
  seriesName,
  shortLabel,
  valueFontSize,
} from "./card-format";
import { type CardDraft, cardQuery } from "./card-query";
import { CARD_BACKGROUND, CARD_COLORS, readableColor, SLICE_COLORS } from "./colors";
import { metricKeys } from "./queries";

const timezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
/** Muted chart text (ticks, legend values) at 4.5:1 or more on a card in either theme. */
const MUTED = "text-zinc-600 dark:text-zinc-400";
const AXIS = { fontSize: 10, fill: "currentColor" } as const;

function bucketLabels(iso: string, interval?: string): { tick: string; full: string } {
  const d = new Date(iso);
  if (interval === "hour")
    return {
      tick: d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }),
      full: d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
    };
  if (interval === "month") {
    const month = d.toLocaleDateString(undefined, { month: "short", year: "numeric" });
    return { tick: month, full: d.toLocaleDateString(undefined, { month: "long", year: "numeric" }) };
  }
  const full = d.toLocaleDateString(undefined, { dateStyle: "medium" });
  const tick = d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return { tick, full: interval === "week" ? `Week of ${full}` : full };
}

/**
 * The card's colour as CSS variables: `--card-accent` is the colour as text reads it at 4.5:1 on
 * the card, in light and in dark theme (the charts draw with it too).
 */
function accentStyle(color: string | null): CSSProperties {
  const c = color ?? CARD_COLORS[0];
  return {
    "--accent-light": readableColor(c, CARD_BACKGROUND.light),
    "--accent-dark": readableColor(c, CARD_BACKGROUND.dark),
  } as CSSProperties;
}
const ACCENT = "[--card-accent:var(--accent-light)] dark:[--card-accent:var(--accent-dark)]";

type Row = { label: string; full: string; value: number | null };

/** The tooltip of every chart: what the point is (a date, a group), the series' name and its value. */
function ChartTooltip({ active, payload, unit }: TooltipContentProps & { unit: string | null }) {
  const item = payload?.[0];
  if (!active || !item) return null;
  const row = item.payload as Row;
  return (
    <div
      className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs text-zinc-900 shadow-md dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100"
      data-testid="chart-tooltip"
    >
      <div className="mb-0.5 font-medium">{row.full}</div>
      <div className="flex items-center gap-1.5">
        <span className="size-2 shrink-0 rounded-full" style={{ background: "var(--card-accent)" }} />
        <span className="text-zinc-600 dark:text-zinc-300">{item.name}</span>
        <span className="ml-auto pl-2 font-medium tabular-nums">
          {formatMetricValue(typeof item.value === "number" ? item.value : null, unit)}
        </span>
      </div>
    </div>
  );
}

type Props = { card: CardDraft; refreshKey?: number };

/** Runs a card's query against /api/v1/metrics/query and renders it by card type, in the card's colour. */
export function CardView(props: Props) {
  return (
    <div className={`relative h-full ${ACCENT}`} style={accentStyle(props.card.color)}>
      <CardContent {...props} />
      <HistoryNote {...props} />
    </div>
  );
}

/** A card's metric query (one request, shared through the query cache by its users here). */
function useCardQuery({ card, refreshKey }: Props) {
  // Only complete queries go to the server (the builder's preview renders while fields are picked).
  const { body, missing } = cardQuery(card, { timezone: timezone() });
  const result = useQuery({
    queryKey: metricKeys.query(card.agent, card.type, card.query, refreshKey),
    queryFn: () => api.request("POST /api/v1/metrics/query", { body: body! }),
    enabled: card.type !== "feed" && !missing,
    placeholderData: (prev) => prev,
  });
  return { body, missing, result };
}

/**
 * When the card's range reaches back past the raw events the workspace keeps (Settings › Data),
 * says where its earlier part came from: the hourly rollups (complete), or raw events only
 * (incomplete before that day).
 */
function HistoryNote(props: Props) {
  const { result } = useCardQuery(props);
  const history = result.data?.history;
  if (!history) return null;
  const since = new Date(history.rawEventsSince).toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const text =
    history.answeredFrom === "rollups" ? `Before ${since}: from hourly rollups` : `Before ${since}: events expired`;
  const title =
    history.answeredFrom === "rollups"
      ? `Raw events are kept since ${since} (Settings › Data). Earlier parts of this card come from the hourly rollups, which keep their history.`
      : `Raw events are kept since ${since} (Settings › Data). This card needs raw events (values the hourly rollups do not keep), so its numbers before then are incomplete.`;
  return (
    <p
      className={`pointer-events-auto absolute right-1 bottom-0.5 max-w-[90%] truncate rounded bg-white/80 px-1 text-[10px] dark:bg-zinc-900/80 ${history.answeredFrom === "raw" ? "text-amber-700 dark:text-amber-300" : MUTED}`}
      title={title}
      data-testid="card-history"
    >
      {text}
    </p>
  );
}

function CardContent(props: Props) {
  const { card, refreshKey } = props;
  const q = card.query;
  const { body, missing, result } = useCardQuery(props);
  const feed = useQuery({
    queryKey: metricKeys.feed(card.agent, q.events ?? [], refreshKey),
    queryFn: () =>
      api.request("GET /api/v1/metrics/events", {
        query: { agent: card.agent, limit: 20, names: q.events?.length ? q.events.join(",") : undefined },
      }),
    enabled: card.type === "feed",
  });
  const unit = cardUnit(card);
  const name = seriesName(card);
  const note = (text: string, tone = MUTED) => <p className={`p-3 text-sm ${tone}`}>{text}</p>;

  if (card.type === "feed") {
    if (feed.isPending) return note("Loading…");
    if (feed.isError) return note(feed.error.message, "text-red-700 dark:text-red-300");
    if (!feed.data.events.length) return note("No events yet.");
    return (
      <ul className="h-full divide-y divide-zinc-100 overflow-auto text-xs dark:divide-zinc-800" data-testid="feed">
        {feed.data.events.map((e) => (
          <li key={e.id} className="px-3 py-1.5">
            <div className="flex items-baseline gap-2">
              <span className="min-w-0 truncate font-medium" title={e.name}>
                {e.name}
              </span>
              <time className={`ml-auto shrink-0 ${MUTED}`} dateTime={e.timestamp}>
                {new Date(e.timestamp).toLocaleTimeString()}
              </time>
            </div>
            <dl className="mt-0.5 grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3" data-testid="feed-properties">
              {propertyEntries(e.properties).map((p) => (
                <div key={p.key} className="contents">
                  <dt className={`truncate ${MUTED}`} title={p.key}>
                    {p.key}
                  </dt>
                  <dd className="truncate tabular-nums" title={p.value}>
                    {p.value}
                  </dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    );
  }
  if (missing) return note(missing);
  if (result.isPending) return note("Loading…");
  if (result.isError) return note(result.error.message, "text-red-700 dark:text-red-300");
  const data = result.data;

  if ("value" in data) {
    const text = formatMetricValue(data.value, unit);
    return (
      <div className="flex h-full flex-col items-center justify-center px-2 [container-type:size]">
        <span
          className="block max-w-full truncate font-semibold leading-tight text-[var(--card-accent)] tabular-nums"
          style={{ fontSize: valueFontSize(text) }}
          title={`${name}: ${text}`}
          data-testid="card-value"
        >
          {text}
        </span>
        {data.value === null && <span className={`mt-1 text-xs ${MUTED}`}>No events in range</span>}
      </div>
    );
  }
  if ("series" in data) {
    const rows: Row[] = data.series.map((s) => {
      const { tick, full } = bucketLabels(s.bucket, body?.interval);
      return { label: tick, full, value: s.value };
    });
    const Chart = card.type === "bar" ? BarChart : LineChart;
    return (
      <div className={`h-full ${MUTED}`}>
        <ResponsiveContainer width="100%" height="100%">
          <Chart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
            <XAxis dataKey="label" tick={AXIS} stroke="currentColor" minTickGap={16} interval="preserveStartEnd" />
            <YAxis tick={AXIS} stroke="currentColor" width={40} tickFormatter={formatTick} />
            <Tooltip content={(p) => <ChartTooltip {...p} unit={unit} />} cursor={{ fillOpacity: 0.08 }} />
            {card.type === "bar" ? (
              <Bar dataKey="value" name={name} fill="var(--card-accent)" isAnimationActive={false} />
            ) : (
              <Line
                type="monotone"
                dataKey="value"
                name={name}
                stroke="var(--card-accent)"
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
          </Chart>
        </ResponsiveContainer>
      </div>
    );
  }
  const groups = data.groups.map((g, i) => ({
    label: shortLabel(g.key),
    full: g.key,
    value: g.value ?? 0,
    // Not `fill`: Recharts would paint each bar with it.
    color: SLICE_COLORS[i % SLICE_COLORS.length],
  }));
  if (card.type === "pie") {
    const total = groups.reduce((sum, g) => sum + g.value, 0);
    return (
      <div className="@container h-full">
        <div className="flex h-full min-h-0 flex-col gap-1 @min-[16rem]:flex-row">
          <div className="min-h-0 min-w-0 flex-1">
            <ResponsiveContainer width="100%" height="100%">
              <PieChart>
                <Pie
                  data={groups}
                  dataKey="value"
                  nameKey="full"
                  innerRadius="50%"
                  outerRadius="90%"
                  isAnimationActive={false}
                  stroke="none"
                >
                  {groups.map((g) => (
                    <Cell key={g.full} fill={g.color} />
                  ))}
                </Pie>
                <Tooltip content={(p) => <PieTooltip {...p} series={name} unit={unit} total={total} />} />
              </PieChart>
            </ResponsiveContainer>
          </div>
          <ul
            className="max-h-[45%] shrink-0 overflow-y-auto px-2 pb-1 text-xs @min-[16rem]:max-h-full @min-[16rem]:w-1/2 @min-[16rem]:self-center"
            data-testid="pie-legend"
          >
            {groups.map((g) => (
              <li key={g.full} className="flex items-center gap-1.5 py-0.5">
                <span className="size-2.5 shrink-0 rounded-sm" style={{ background: g.color }} />
                <span className="min-w-0 flex-1 truncate" title={g.full}>
                  {g.full}
                </span>
                <span className="shrink-0 font-medium tabular-nums">{formatMetricValue(g.value, unit)}</span>
                <span className={`w-9 shrink-0 text-right tabular-nums ${MUTED}`}>
                  {total > 0 ? `${Math.round((g.value / total) * 100)}%` : ""}
                </span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    );
  }
  return (
    <div className={`h-full ${MUTED}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={groups} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
          <XAxis dataKey="label" tick={AXIS} stroke="currentColor" interval="preserveStartEnd" />
          <YAxis tick={AXIS} stroke="currentColor" width={40} tickFormatter={formatTick} />
          <Tooltip content={(p) => <ChartTooltip {...p} unit={unit} />} cursor={{ fillOpacity: 0.08 }} />
          <Bar dataKey="value" name={name} fill="var(--card-accent)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A slice's tooltip: its group, the series' name, the value and its share of the whole. */
function PieTooltip({
  active,
  payload,
  series,
  unit,
  total,
}: TooltipContentProps & { series: string; unit: string | null; total: number }) {
  const item = payload?.[0];
  if (!active || !item) return null;
  const slice = item.payload as { full: string; color: string; value: number };
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs text-zinc-900 shadow-md dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100">
      <div className="mb-0.5 flex items-center gap-1.5 font-medium">
        <span className="size-2 shrink-0 rounded-full" style={{ background: slice.color }} />
        {slice.full}
      </div>
      <div className="text-zinc-600 dark:text-zinc-300">
        {series}:{" "}
        <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
          {formatMetricValue(slice.value, unit)}
        </span>
        {total > 0 && ` (${Math.round((slice.value / total) * 100)}%)`}
      </div>
    </div>
  );
}
