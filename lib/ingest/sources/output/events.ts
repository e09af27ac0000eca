/**
 * Output's raw trace events (the members of the Redis sorted set `traces/<rootRunId>`) assembled
 * into the same root node Output writes to its trace files and S3 objects, so the files adapter
 * (./output.ts) maps live runs exactly like uploaded ones.
 *
 * The assembly follows Output's own builder, quirks included (shared/spec/output-trace-format.md
 * §4): nodes are keyed by id in one map, so colliding ids (a child workflow's step "1", retried
 * activities) merge and a node pushed twice appears twice; `error` does not clear `output`; an
 * `add_attr` may precede its node's `start`; the root is the first event without `parentId`;
 * nodes never attached to the root are dropped. One deliberate difference: a cycle made by
 * colliding ids is cut where it closes instead of failing the whole trace.
 */
import type { OutputNode } from "../../../contracts/output.ts";

export type OutputEventAction = "start" | "end" | "error" | "add_attr";

/** One member of `traces/<rootRunId>`, parsed. */
export type OutputEvent = {
  kind?: string;
  action: OutputEventAction;
  name?: string;
  id: string;
  parentId?: string;
  timestamp: number;
  details?: unknown;
};

/** A node as the builder makes it: an OutputNode whose `endedAt`, `children` and `attributes` are always set. */
export type OutputTreeNode = Omit<OutputNode, "endedAt" | "children" | "attributes"> & {
  endedAt: number | null;
  children: OutputTreeNode[];
  attributes: Record<string, unknown>;
};

/** The root output Output substitutes while the root run has not ended (exact upstream text). */
export const UNFINISHED_ROOT_OUTPUT =
  "<<Workflow did not finish yet. If this workflows is supposed to have been completed already, this can indicate it timed out or was interrupted.>>";

const ACTIONS = new Set<string>(["start", "end", "error", "add_attr"]);

/**
 * Parses one sorted-set member; null for anything that is not an Output event (bad JSON, no id,
 * unknown action). `phase` (core < 0.3.0) is read as `action`.
 */
export function parseOutputEvent(member: string): OutputEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(member);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const action = r.action ?? r.phase;
  if (typeof action !== "string" || !ACTIONS.has(action)) return null;
  if (typeof r.id !== "string" || r.id === "") return null;
  const timestamp = typeof r.timestamp === "number" && Number.isFinite(r.timestamp) ? r.timestamp : 0;
  return {
    kind: typeof r.kind === "string" ? r.kind : undefined,
    action: action as OutputEventAction,
    name: typeof r.name === "string" ? r.name : undefined,
    id: r.id,
    parentId: typeof r.parentId === "string" && r.parentId !== "" ? r.parentId : undefined,
    timestamp,
    details: r.details,
  };
}

function newNode(id: string): OutputTreeNode {
  return {
    id,
    kind: "",
    name: "",
    startedAt: 0,
    endedAt: null,
    input: undefined,
    output: undefined,
    error: undefined,
    children: [],
    attributes: {},
  };
}

/**
 * Builds the root node from events in stored order (ZRANGE order: by score, ties by member
 * string). Null when no event lacks a `parentId` (Output then discards the trace).
 */
export function buildOutputTree(events: OutputEvent[]): OutputTreeNode | null {
  const nodes = new Map<string, OutputTreeNode>();
  const nodeOf = (id: string) => {
    let n = nodes.get(id);
    if (!n) {
      n = newNode(id);
      nodes.set(id, n);
    }
    return n;
  };
  let rootId: string | null = null;
  for (const e of events) {
    const node = nodeOf(e.id);
    if (rootId === null && e.parentId === undefined) rootId = e.id;
    switch (e.action) {
      case "start":
        node.input = e.details;
        node.startedAt = e.timestamp;
        node.kind = e.kind ?? "";
        node.name = e.name ?? "";
        if (e.parentId !== undefined) {
          const parent = nodeOf(e.parentId);
          parent.children.push(node);
          // Array.prototype.sort is stable: equal start times keep arrival order, as upstream.
          parent.children.sort((a, b) => a.startedAt - b.startedAt);
        }
        break;
      case "end":
        node.output = e.details;
        node.endedAt = e.timestamp;
        break;
      case "error":
        node.error = e.details;
        node.endedAt = e.timestamp;
        break;
      case "add_attr": {
        const type = (e.details as { type?: unknown } | null)?.type;
        if (typeof type === "string") node.attributes[type] = e.details;
        break;
      }
    }
  }
  if (rootId === null) return null;
  const root = nodes.get(rootId)!;
  if (root.endedAt === null) root.output = UNFINISHED_ROOT_OUTPUT;
  return detach(root, new Set());
}

/**
 * A plain copy of the tree as its JSON file would read: a node reached twice becomes two copies
 * (upstream writes shared objects twice), absent fields are dropped, and an edge leading back to
 * an ancestor (only possible with colliding ids) is cut.
 */
function detach(node: OutputTreeNode, ancestors: Set<OutputTreeNode>): OutputTreeNode {
  ancestors.add(node);
  const children: OutputTreeNode[] = [];
  for (const c of node.children) if (!ancestors.has(c)) children.push(detach(c, ancestors));
  ancestors.delete(node);
  return {
    id: node.id,
    kind: node.kind,
    name: node.name,
    startedAt: node.startedAt,
    endedAt: node.endedAt,
    ...(node.input !== undefined && { input: structuredClone(node.input) }),
    ...(node.output !== undefined && { output: structuredClone(node.output) }),
    ...(node.error !== undefined && { error: structuredClone(node.error) }),
    children,
    attributes: structuredClone(node.attributes),
  };
}

/** Members of one sorted set (ZRANGE 0 -1 order) to a tree; unreadable members are skipped. */
export function buildOutputTreeFromMembers(members: string[]): OutputTreeNode | null {
  const events: OutputEvent[] = [];
  for (const m of members) {
    const e = parseOutputEvent(m);
    if (e) events.push(e);
  }
  return buildOutputTree(events);
}
