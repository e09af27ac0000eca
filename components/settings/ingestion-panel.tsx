"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import type { ReactNode } from "react";
import { api } from "@/lib/client/api";
import type { RedisDurability } from "@/lib/contracts/health";
import { formatDateTime, formatNumber } from "@/lib/format";
import { SOURCE_LABELS } from "../sources/source-label";
import { Button } from "../ui/button";
import { Alert, Badge, Card } from "../ui/card";
import { PanelSkeleton } from "../ui/skeleton";
import { settingsKeys } from "./queries";

type Props = { canRetry: boolean; database: string; maxPayloadChars: number };

export function IngestionPanel({ canRetry, database, maxPayloadChars }: Props) {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: settingsKeys.ingestion,
    queryFn: () => api.request("GET /api/v1/settings/ingestion"),
    refetchInterval: 5000,
  });
  const retry = useMutation({
    mutationFn: (id: string) => api.request("POST /api/v1/settings/ingestion/failed/[id]/retry", { params: { id } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.ingestion }),
  });

  return (
    <div className="space-y-6">
      <Card className="grid gap-3 p-4 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <Stat
          label="Queue"
          value={status.data ? (status.data.queue === "redis" ? "Redis (BullMQ)" : "in-process") : "…"}
        />
        <Stat
          label="Waiting batches"
          value={status.data ? `${formatNumber(status.data.pending)}${status.data.pendingExact ? "" : "+"}` : "…"}
        />
        <Stat label="Database" value={database} />
        <Stat label="Payload limit" value={`${formatNumber(maxPayloadChars)} characters`} />
      </Card>
      <RedisDurabilityBanner durability={status.data?.redisDurability ?? null} />
      {status.isError && <Alert>Could not load the pipeline status: {status.error.message}</Alert>}
      {retry.isError && <Alert>{retry.error.message}</Alert>}
      <Card>
        <h2 className="border-b border-zinc-200 px-4 py-2 text-sm font-semibold dark:border-zinc-800">
          Failed batches
        </h2>
        {status.isPending ? (
          <PanelSkeleton label="Loading the pipeline status" lines={3} />
        ) : status.data?.queue === "in-process" ? (
          <p className="px-4 py-6 text-sm text-zinc-500">
            Without Redis, batches are written while the request waits: a failure is answered to the sender, which
            retries. Set REDIS_URL for a durable queue with retries and this list.
          </p>
        ) : status.data && status.data.failed.length === 0 ? (
          <p className="px-4 py-6 text-sm text-zinc-500">
            No failed batches. Batches are retried 5 times with backoff before they land here.
          </p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {status.data?.failed.map((f) => (
              <FailedRow
                key={f.id}
                testId="failed-batch"
                kind={f.kind}
                what={<span className="tabular-nums">{formatNumber(f.items)} items</span>}
                error={f.error}
                attempts={f.attempts}
                failedAt={f.failedAt}
                onRetry={canRetry ? () => retry.mutate(f.id) : undefined}
                retrying={retry.isPending}
              />
            ))}
          </ul>
        )}
      </Card>
      {status.data && status.data.failedItems.length > 0 && (
        <Card>
          <h2 className="border-b border-zinc-200 px-4 py-2 text-sm font-semibold dark:border-zinc-800">
            Items the database refused
          </h2>
          <p className="px-4 pt-2 text-xs text-zinc-500">
            The rest of their batches was stored. Retry once the cause is fixed.
          </p>
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {status.data.failedItems.map((f) => (
              <FailedRow
                key={f.id}
                testId="failed-item"
                kind={f.kind}
                what={
                  <span className="font-mono text-xs" title={f.requestId ? `request ${f.requestId}` : undefined}>
                    {SOURCE_LABELS[f.source]} · {f.itemId}
                  </span>
                }
                error={f.error}
                attempts={f.attempts}
                failedAt={f.failedAt}
                onRetry={canRetry ? () => retry.mutate(f.id) : undefined}
                retrying={retry.isPending}
              />
            ))}
          </ul>
        </Card>
      )}
      {status.data && status.data.failedOutputImports.length > 0 && (
        <Card>
          <h2 className="border-b border-zinc-200 px-4 py-2 text-sm font-semibold dark:border-zinc-800">
            Output traces not imported from S3
          </h2>
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {status.data.failedOutputImports.map((f) => (
              <li
                key={f.key}
                className="flex flex-wrap items-center gap-3 px-4 py-2"
                data-testid="failed-output-import"
              >
                <span className="min-w-0 truncate font-mono text-xs" title={`s3://${f.bucket}/${f.key}`}>
                  {f.key}
                </span>
                <span
                  className="min-w-0 flex-1 truncate font-mono text-xs text-red-700 dark:text-red-300"
                  title={f.error}
                >
                  {f.error}
                </span>
                <span className="text-zinc-500">
                  {f.attempts} attempts{f.retryAt ? ` · next try ${formatDateTime(f.retryAt)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

/** Loud when batches accepted into Redis could be lost (lib/server/redis-durability.ts). */
function RedisDurabilityBanner({ durability }: { durability: RedisDurability | null }) {
  if (!durability || durability.durable === true) return null;
  return (
    <Alert>
      <p className="font-semibold">
        {durability.durable === false
          ? "Accepted data can be lost: Redis does not keep it durably."
          : "Redis durability could not be checked."}
      </p>
      <ul className="mt-1 list-disc pl-5" data-testid="redis-durability-warning">
        {durability.warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </Alert>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <div className="text-xs text-zinc-500">{label}</div>
      <div className="font-medium">{value}</div>
    </div>
  );
}

type FailedRowProps = {
  testId: string;
  kind: string;
  what: ReactNode;
  error: string;
  attempts: number;
  failedAt: string;
  onRetry?: () => void;
  retrying: boolean;
};

/** One failed batch or item: what it is, its error, its attempts, and Retry for those who may. */
function FailedRow({ testId, kind, what, error, attempts, failedAt, onRetry, retrying }: FailedRowProps) {
  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-2" data-testid={testId}>
      <Badge tone="red">{kind}</Badge>
      {what}
      <span className="min-w-0 flex-1 truncate font-mono text-xs text-red-700 dark:text-red-300" title={error}>
        {error}
      </span>
      <span className="text-zinc-500">
        {attempts} attempts · {formatDateTime(failedAt)}
      </span>
      {onRetry && (
        <Button variant="secondary" size="sm" disabled={retrying} onClick={onRetry}>
          <RotateCcw className="size-3.5" /> Retry
        </Button>
      )}
    </li>
  );
}
