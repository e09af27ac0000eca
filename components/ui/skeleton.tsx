import { Card } from "./card";
import { cn } from "./cn";

/** A grey placeholder block that pulses where content is loading. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded bg-zinc-200 dark:bg-zinc-800", className)} />;
}

/** Screen readers hear what is loading; sighted users see the page's shape. */
function Loading({ label, className, children }: { label: string; className?: string; children: React.ReactNode }) {
  return (
    <div role="status" aria-busy="true" aria-label={label} className={className} data-testid="skeleton">
      <span className="sr-only">{label}</span>
      {children}
    </div>
  );
}

/** A table of `rows` lines under a header line (lists). */
export function TableSkeleton({ label, rows = 8, columns = 6 }: { label: string; rows?: number; columns?: number }) {
  return (
    <Loading label={label}>
      <Card className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {Array.from({ length: rows + 1 }, (_, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows never reorder
          <div key={r} className="flex items-center gap-4 px-3 py-2.5">
            {Array.from({ length: columns }, (_, c) => (
              <Skeleton
                // biome-ignore lint/suspicious/noArrayIndexKey: placeholder cells never reorder
                key={c}
                className={cn("h-3.5", r === 0 ? "h-3 opacity-60" : "", c === 2 ? "flex-[2]" : "flex-1")}
              />
            ))}
          </div>
        ))}
      </Card>
    </Loading>
  );
}

function PanelLines({ lines }: { lines: number }) {
  return (
    <div className="space-y-3 p-4">
      <Skeleton className="h-5 w-1/2" />
      <Skeleton className="h-3 w-1/3" />
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder lines never reorder
        <Skeleton key={i} className={cn("h-3.5", i % 3 === 2 ? "w-2/3" : "w-full")} />
      ))}
    </div>
  );
}

/** A panel's lines of text (a span's details, a form). */
export function PanelSkeleton({ label, lines = 6 }: { label: string; lines?: number }) {
  return (
    <Loading label={label}>
      <PanelLines lines={lines} />
    </Loading>
  );
}

/** An execution's page: its header, the trace tree with its waterfall, and the details panel. */
export function ExplorerSkeleton({ embedded = false }: { embedded?: boolean }) {
  return (
    <Loading
      label="Loading execution"
      className={cn("flex flex-col gap-3", embedded ? "h-[calc(100vh-6rem)]" : "h-[calc(100vh-3rem)]")}
    >
      <div className="space-y-2">
        <div className="flex items-center gap-3">
          <Skeleton className="h-6 w-64 max-w-full" />
          <Skeleton className="h-5 w-16" />
        </div>
        <div className="flex flex-wrap gap-4">
          {["w-24", "w-36", "w-16", "w-40", "w-20"].map((w) => (
            <Skeleton key={w} className={cn("h-3.5", w)} />
          ))}
        </div>
      </div>
      <div className="grid min-h-0 flex-1 gap-3 lg:grid-cols-[minmax(0,3fr)_minmax(22rem,2fr)]">
        <Card className="min-h-0 overflow-hidden p-2">
          <Skeleton className="mb-3 h-8 w-full" />
          {Array.from({ length: 10 }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows never reorder
            <div key={i} className="grid grid-cols-2 items-center gap-2 py-1.5">
              <Skeleton className="h-3.5" />
              <Skeleton className="h-3" />
            </div>
          ))}
        </Card>
        <Card className="hidden min-h-0 lg:block">
          <PanelLines lines={6} />
        </Card>
      </div>
    </Loading>
  );
}

/** A grid of cards, each a title, a subtitle and its figure or chart (the Metrics dashboard). */
export function CardGridSkeleton({ label, count = 6 }: { label: string; count?: number }) {
  return (
    <Loading label={label} className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder cards never reorder
        <Card key={i} className="flex h-44 flex-col gap-2 p-3">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-3 w-1/3" />
          <Skeleton className={cn("mt-2 flex-1", i % 3 === 0 ? "mx-auto w-1/2" : "w-full")} />
        </Card>
      ))}
    </Loading>
  );
}

/** A settings panel: a card of text lines above a list. */
export function SettingsPanelSkeleton({ label }: { label: string }) {
  return (
    <Loading label={label} className="space-y-4">
      <Card>
        <PanelLines lines={3} />
      </Card>
      <Card className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {Array.from({ length: 4 }, (_, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows never reorder
          <div key={r} className="flex items-center gap-4 px-3 py-2.5">
            <Skeleton className="h-3.5 flex-[2]" />
            <Skeleton className="h-3.5 flex-1" />
            <Skeleton className="h-3.5 flex-1" />
          </div>
        ))}
      </Card>
    </Loading>
  );
}

/** A row of chips (a list of keys or tags). */
export function ChipsSkeleton({ label }: { label: string }) {
  return (
    <Loading label={label} className="flex flex-wrap gap-2">
      {["w-16", "w-24", "w-20", "w-14"].map((w) => (
        <Skeleton key={w} className={cn("h-6 rounded-full", w)} />
      ))}
    </Loading>
  );
}
