"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import { useMemo, useState } from "react";
import { formatBytes } from "@/lib/format";
import { CopyButton } from "../ui/copy-button";

const LARGE_BYTES = 1_000_000;
const LONG_STRING = 2_000;

function byteSize(value: unknown): number {
  try {
    return new TextEncoder().encode(JSON.stringify(value) ?? "").length;
  } catch {
    return 0;
  }
}

/**
 * A lazy JSON viewer: nested values render only when opened, payloads over 1 MB start collapsed
 * with their size (or `collapsed`: shown another way above), and every key and value is rendered as text.
 */
export function JsonView({ value, label, collapsed = false }: { value: unknown; label: string; collapsed?: boolean }) {
  const size = useMemo(() => byteSize(value), [value]);
  const [open, setOpen] = useState(!collapsed && size <= LARGE_BYTES);
  if (value === null || value === undefined) return null;
  return (
    <section className="rounded-md border border-zinc-200 dark:border-zinc-800">
      <header className="flex items-center justify-between border-b border-zinc-200 px-2 py-1 dark:border-zinc-800">
        <button
          type="button"
          className="flex items-center gap-1 text-xs font-semibold uppercase tracking-wide text-zinc-500"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
        >
          {open ? <ChevronDown className="size-3.5" /> : <ChevronRight className="size-3.5" />}
          {label}
          <span className="font-normal normal-case">({formatBytes(size)})</span>
        </button>
        <CopyButton value={typeof value === "string" ? value : JSON.stringify(value, null, 2)} />
      </header>
      {open ? (
        <div className="max-h-[28rem] overflow-auto p-2 font-mono text-xs leading-relaxed">
          <Node value={value} depth={0} />
        </div>
      ) : (
        <p className="px-2 py-1.5 text-xs text-zinc-500">
          {collapsed ? "Open to see it as sent." : `Large payload (${formatBytes(size)}): open to render.`}
        </p>
      )}
    </section>
  );
}

function Node({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const isObject = value !== null && typeof value === "object";
  const [open, setOpen] = useState(depth < 2);
  const keyLabel = name !== undefined ? <span className="text-sky-700 dark:text-sky-300">{name}: </span> : null;
  if (!isObject)
    return (
      <div>
        {keyLabel}
        <Scalar value={value} />
      </div>
    );
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <div>
      <button
        type="button"
        className="inline-flex items-center text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
      >
        {open ? <ChevronDown className="size-3" /> : <ChevronRight className="size-3" />}
        {keyLabel}
        <span className="text-zinc-500">
          {brackets[0]}
          {!open && `${entries.length} ${Array.isArray(value) ? "items" : "keys"}${brackets[1]}`}
        </span>
      </button>
      {open && (
        <div className="ml-3 border-l border-zinc-200 pl-2 dark:border-zinc-800">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      )}
      {open && <span className="text-zinc-500">{brackets[1]}</span>}
    </div>
  );
}

function Scalar({ value }: { value: unknown }) {
  const [full, setFull] = useState(false);
  if (typeof value === "string") {
    const long = value.length > LONG_STRING && !full;
    return (
      <span className="whitespace-pre-wrap break-words text-emerald-700 dark:text-emerald-300">
        "{long ? value.slice(0, LONG_STRING) : value}"
        {long && (
          <button type="button" className="ml-1 text-indigo-600 underline" onClick={() => setFull(true)}>
            show all {value.length.toLocaleString("en-US")} characters
          </button>
        )}
      </span>
    );
  }
  if (typeof value === "number") return <span className="text-orange-700 dark:text-orange-300">{value}</span>;
  if (typeof value === "boolean") return <span className="text-purple-700 dark:text-purple-300">{String(value)}</span>;
  return <span className="text-zinc-500">null</span>;
}
