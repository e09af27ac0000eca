"use client";

import { useQuery } from "@tanstack/react-query";
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
  XAxis,
  YAxis,
} from "recharts";
import { api } from "@/lib/client/api";
import type { EventFeed, MetricResult } from "@/lib/contracts/metrics";
import { formatNumber } from "@/lib/format";
import { type CardDraft, cardQuery } from "./card-query";
import { metricKeys } from "./queries";

const PALETTE = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#a1a1aa"];
const timezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function bucketLabel(iso: string, interval?: string): string {
  const d = new Date(iso);
  if (interval === "hour") return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit" });
  if (interval === "month") return d.toLocaleDateString(undefined, { month: "short", year: "numeric" });
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

/** Runs a card's query against /api/v1/metrics/query and renders it by card type. */
export function CardView({ card, refreshKey }: { card: CardDraft; refreshKey?: number }) {
  const q = card.query;
  // Only complete queries go to the server (the builder's preview renders while fields are picked).
  const { body, missing } = cardQuery(card, { timezone: timezone() });
  const result = useQuery({
    queryKey: metricKeys.query(card.agent, card.type, q, refreshKey),
    queryFn: () => api<MetricResult>("/api/v1/metrics/query", { body }),
    enabled: card.type !== "feed" && !missing,
    placeholderData: (prev) => prev,
  });
  const feed = useQuery({
    queryKey: metricKeys.feed(card.agent, q.events ?? [], refreshKey),
    queryFn: () =>
      api<EventFeed>(
        `/api/v1/metrics/events?agent=${encodeURIComponent(card.agent)}&limit=20${q.events?.length ? `&names=${encodeURIComponent(q.events.join(","))}` : ""}`,
      ),
    enabled: card.type === "feed",
  });
  const color = card.color ?? PALETTE[0];

  if (card.type === "feed") {
    if (feed.isPending) return <p className="p-3 text-sm text-zinc-500">Loading…</p>;
    if (feed.isError) return <p className="p-3 text-sm text-red-600">{feed.error.message}</p>;
    if (!feed.data.events.length) return <p className="p-3 text-sm text-zinc-500">No events yet.</p>;
    return (
      <ul className="h-full divide-y divide-zinc-100 overflow-auto text-xs dark:divide-zinc-800" data-testid="feed">
        {feed.data.events.map((e) => (
          <li key={e.id} className="px-3 py-1.5">
            <span className="font-medium">{e.name}</span>{" "}
            <span className="text-zinc-500">{new Date(e.timestamp).toLocaleTimeString()}</span>
            <div className="truncate font-mono text-zinc-600 dark:text-zinc-400">{JSON.stringify(e.properties)}</div>
          </li>
        ))}
      </ul>
    );
  }
  if (missing) return <p className="p-3 text-sm text-zinc-500">{missing}</p>;
  if (result.isPending) return <p className="p-3 text-sm text-zinc-500">Loading…</p>;
  if (result.isError) return <p className="p-3 text-sm text-red-600">{result.error.message}</p>;
  const data = result.data;

  if ("value" in data) {
    const v = data.value;
    const empty = v === null;
    return (
      <div className="flex h-full flex-col items-center justify-center" data-testid="card-value">
        <span className="text-4xl font-semibold tabular-nums" style={{ color }}>
          {empty
            ? "–"
            : card.type === "rate" || q.aggregation === "rate"
              ? `${v.toFixed(1)}%`
              : formatNumber(Math.round(v * 100) / 100)}
        </span>
        {empty && <span className="mt-1 text-xs text-zinc-500">No events in range</span>}
      </div>
    );
  }
  if ("series" in data) {
    const rows = data.series.map((s) => ({ label: bucketLabel(s.bucket, body?.interval), value: s.value }));
    const Chart = card.type === "bar" ? BarChart : LineChart;
    return (
      <ResponsiveContainer width="100%" height="100%">
        <Chart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis dataKey="label" fontSize={10} minTickGap={24} />
          <YAxis fontSize={10} width={44} />
          <Tooltip />
          {card.type === "bar" ? (
            <Bar dataKey="value" fill={color} />
          ) : (
            <Line type="monotone" dataKey="value" stroke={color} dot={false} strokeWidth={2} />
          )}
        </Chart>
      </ResponsiveContainer>
    );
  }
  const groups = data.groups.map((g) => ({ name: g.key, value: g.value ?? 0 }));
  if (card.type === "pie") {
    return (
      <ResponsiveContainer width="100%" height="100%">
        <PieChart>
          <Pie
            data={groups}
            dataKey="value"
            nameKey="name"
            innerRadius="45%"
            outerRadius="80%"
            label={({ name }) => String(name)}
            fontSize={10}
          >
            {groups.map((g, i) => (
              <Cell key={g.name} fill={PALETTE[i % PALETTE.length]} />
            ))}
          </Pie>
          <Tooltip />
        </PieChart>
      </ResponsiveContainer>
    );
  }
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={groups} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
        <XAxis dataKey="name" fontSize={10} />
        <YAxis fontSize={10} width={44} />
        <Tooltip />
        <Bar dataKey="value" fill={color} />
      </BarChart>
    </ResponsiveContainer>
  );
}
