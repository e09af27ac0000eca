import type { SortKey } from "./filters";

/**
 * The executions table's columns. Status, name (with its agent), start and duration are always
 * shown; the others are chosen in the column menu, and until a member chooses, they follow the
 * width the table has (a phone shows the essentials only).
 */
export const COLUMNS = [
  { id: "started", label: "Started", sort: "startedAt", essential: true },
  { id: "agent", label: "Agent" },
  { id: "name", label: "Name", essential: true },
  { id: "status", label: "Status", essential: true },
  { id: "duration", label: "Duration", sort: "duration", essential: true },
  { id: "tokens", label: "Tokens", sort: "tokens" },
  { id: "cost", label: "Cost", sort: "cost" },
  { id: "thread", label: "Thread" },
  { id: "source", label: "Source" },
] as const satisfies readonly { id: string; label: string; sort?: SortKey; essential?: true }[];

type Column = (typeof COLUMNS)[number];
export type ColumnId = Column["id"];
/** The columns the menu shows and hides. */
export type OptionalColumn = Exclude<Column, { essential: true }>["id"];

export const OPTIONAL_COLUMNS = COLUMNS.filter((c) => !("essential" in c)).map((c) => c.id as OptionalColumn);
export const COLUMNS_STORAGE_KEY = "runlens-execution-columns";

/** The optional columns that fit a table `width` px wide, most useful first. */
export function defaultColumns(width: number): OptionalColumn[] {
  if (width >= 1100) return [...OPTIONAL_COLUMNS];
  if (width >= 860) return ["agent", "tokens", "cost"];
  if (width >= 640) return ["agent"];
  return [];
}

/** A saved choice of optional columns, or null when there is none (unknown ids are dropped). */
export function parseChosenColumns(raw: string | null): OptionalColumn[] | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return null;
    return OPTIONAL_COLUMNS.filter((c) => value.includes(c));
  } catch {
    return null;
  }
}

/** The columns shown, in table order: the essentials and the chosen (or fitting) optional ones. */
export function visibleColumns(chosen: OptionalColumn[] | null, width: number): ColumnId[] {
  const optional = new Set<ColumnId>(chosen ?? defaultColumns(width));
  return COLUMNS.filter((c) => "essential" in c || optional.has(c.id)).map((c) => c.id);
}

/** The choice after ticking or unticking `column` in the menu, starting from what is shown. */
export function toggleColumn(shown: readonly ColumnId[], column: OptionalColumn): OptionalColumn[] {
  const on = shown.includes(column);
  return OPTIONAL_COLUMNS.filter((c) => (c === column ? !on : shown.includes(c)));
}
