"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  type TooltipContentProps,
  XAxis,
  YAxis,
} from "recharts";
import type { DataUsage } from "@/lib/contracts/data";
import { formatBytes } from "@/lib/format";

const AXIS = { fontSize: 10, fill: "currentColor" } as const;

type DayRow = { label: string; full: string; bytes: number };

function DayTooltip({ active, payload }: TooltipContentProps) {
  const row = payload?.[0]?.payload as DayRow | undefined;
  if (!active || !row) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs text-zinc-900 shadow-md dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100">
      <div className="font-medium">{row.full}</div>
      <div className="tabular-nums">{formatBytes(row.bytes)}</div>
    </div>
  );
}

/** Settings › Data: bytes per UTC day as bars (the figure around it carries the numbers as text). */
export function UsageByDayChart({ byDay }: { byDay: DataUsage["byDay"] }) {
  const days: DayRow[] = byDay.map((d) => {
    const date = new Date(`${d.day}T00:00:00Z`);
    return {
      label: date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" }),
      full: date.toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" }),
      bytes: d.bytes,
    };
  });
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={days} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
        <XAxis dataKey="label" tick={AXIS} stroke="currentColor" minTickGap={16} interval="preserveStartEnd" />
        <YAxis tick={AXIS} stroke="currentColor" width={68} tickFormatter={(v: number) => formatBytes(v)} />
        <Tooltip content={(p) => <DayTooltip {...p} />} cursor={{ fillOpacity: 0.08 }} />
        <Bar dataKey="bytes" name="Size" className="fill-indigo-600 dark:fill-indigo-400" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
