import Link from "next/link";
import type { Overview } from "@/lib/contracts/overview";
import { formatCost, formatDuration, formatNumber } from "@/lib/format";
import { Card } from "../ui/card";

const TH = "px-2 py-1 text-left font-medium text-zinc-500";
const NUM = "px-2 py-1 text-right tabular-nums";

/** The range per agent (each a link into its executions) and LLM call latency per model. */
export function Breakdowns({ data, explore }: { data: Overview; explore: (extra: Record<string, string>) => string }) {
  const bound = `Percentiles within ±${(data.latencyError * 100).toFixed(0)}%`;
  return (
    <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
      <Card className="min-w-0 p-3">
        <h2 className="mb-2 text-sm font-semibold">Agents</h2>
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Agents">
            <thead>
              <tr>
                <th className={TH}>Agent</th>
                <th className={`${TH} text-right`}>Executions</th>
                <th className={`${TH} text-right`}>Errors</th>
                <th className={`${TH} text-right`}>p50</th>
                <th className={`${TH} text-right`}>p95</th>
                <th className={`${TH} text-right`}>Cost</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {data.agents.map((a) => (
                <tr key={a.agent}>
                  <td className="max-w-48 truncate px-2 py-1" title={a.agent}>
                    <Link className="hover:underline" href={explore({ agent: a.agent })}>
                      {a.agent}
                    </Link>
                  </td>
                  <td className={NUM}>{formatNumber(a.executions)}</td>
                  <td className={NUM}>{formatNumber(a.errors)}</td>
                  <td className={NUM}>{formatDuration(a.p50)}</td>
                  <td className={NUM}>{formatDuration(a.p95)}</td>
                  <td className={NUM}>{formatCost(a.cost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card className="min-w-0 p-3">
        <h2 className="mb-2 text-sm font-semibold">LLM calls by model</h2>
        {data.models.length === 0 ? (
          <p className="text-sm text-zinc-500">No LLM calls in this range.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="LLM calls by model">
              <thead>
                <tr>
                  <th className={TH}>Model</th>
                  <th className={`${TH} text-right`}>Calls</th>
                  <th className={`${TH} text-right`}>p50</th>
                  <th className={`${TH} text-right`}>p95</th>
                  <th className={`${TH} text-right`}>p99</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {data.models.map((m) => (
                  <tr key={m.model}>
                    <td className="max-w-56 truncate px-2 py-1 font-mono text-xs" title={m.model || "(no model)"}>
                      {m.model || <span className="text-zinc-500">(no model)</span>}
                    </td>
                    <td className={NUM}>{formatNumber(m.calls)}</td>
                    <td className={NUM}>{formatDuration(m.p50)}</td>
                    <td className={NUM}>{formatDuration(m.p95)}</td>
                    <td className={NUM}>{formatDuration(m.p99)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="mt-2 text-xs text-zinc-500">{bound}, from rollups written at ingest.</p>
      </Card>
    </div>
  );
}
