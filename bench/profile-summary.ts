// `npx tsx bench/profile-summary.ts file.cpuprofile [top]`: self and inclusive time by function and
// self time by package of a V8 CPU profile (as written by `node --cpu-prof`, e.g. from
// `npm run bench:ingest -- --cpu-prof`). Frames of the minified production build (.next/server)
// are named after their source file and line through the build's source maps when available.
import fs from "node:fs";
import { createRequire } from "node:module";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Node = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
type Pos = { source: string | null; line: number | null; name: string | null };
type Consumer = { originalPositionFor(p: { line: number; column: number }): Pos };
type Section = { offset: { line: number; column: number }; map?: unknown; consumer?: Consumer };

const [file, topRaw] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top=30]");
  process.exit(2);
}
const top = Number(topRaw ?? 30);
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++)
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

// Source maps of the build (source-map-js ships with the toolchain; without it, minified names stay).
let SourceMapConsumer: (new (map: unknown) => Consumer) | null = null;
try {
  SourceMapConsumer = createRequire(import.meta.url)("source-map-js").SourceMapConsumer;
} catch {
  // names stay minified
}
const mapCache = new Map<string, Section[] | null>();
function original(frame: CallFrame): string | null {
  if (!SourceMapConsumer || !frame.url.includes("/.next/server/")) return null;
  const path = frame.url.replace(/^file:\/\//, "");
  if (!mapCache.has(path)) {
    let loaded: Section[] | null = null;
    try {
      const map = JSON.parse(fs.readFileSync(`${path}.map`, "utf8"));
      loaded = map.sections ?? [{ offset: { line: 0, column: 0 }, map }];
    } catch {
      // no map: the minified name stays
    }
    mapCache.set(path, loaded);
  }
  const sections = mapCache.get(path);
  if (!sections?.length) return null;
  const { lineNumber: line, columnNumber: col } = frame;
  let sec = sections[0];
  for (const s of sections) if (s.offset.line < line || (s.offset.line === line && s.offset.column <= col)) sec = s;
  // A frame before the first section (the chunk's runtime prelude) has no mapping.
  if (line - sec.offset.line + 1 < 1) return null;
  sec.consumer ??= new SourceMapConsumer(sec.map);
  const p = sec.consumer.originalPositionFor({
    line: line - sec.offset.line + 1,
    column: sec.offset.line === line ? col - sec.offset.column : col,
  });
  if (!p.source) return null;
  const src = p.source.replace(/^(\.\.\/)+/, "").replace(/^.*node_modules\//, "");
  return `${frame.functionName || p.name || "(anonymous)"} ${src}:${p.line}`;
}

function pkg(url: string): string {
  if (!url) return "(native/v8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return url;
  const r = /\/(lib|app|scripts|bench|\.next\/server)\/(.*)$/.exec(url);
  return r ? `${r[1]}/${r[2]}` : url;
}
const labels = new Map<number, string>();
function label(n: Node): string {
  let l = labels.get(n.id);
  if (l === undefined) {
    const f = n.callFrame;
    l = original(f) ?? `${f.functionName || "(anonymous)"} ${pkg(f.url)}:${f.lineNumber + 1}`;
    labels.set(n.id, l);
  }
  return l;
}
/** A minified frame's package: its source's package or top folder. */
function group(n: Node): string {
  const o = original(n.callFrame);
  if (!o) return pkg(n.callFrame.url);
  const src = o.split(" ")[1];
  const m = /^((?:@[^/]+\/)?[^/]+)/.exec(src);
  return src.startsWith("lib/") || src.startsWith("app/") ? src.replace(/:\d+$/, "") : (m?.[1] ?? src);
}

const fnTime = new Map<string, number>();
const pkgTime = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const f = label(n);
  fnTime.set(f, (fnTime.get(f) ?? 0) + t);
  const p = group(n);
  pkgTime.set(p, (pkgTime.get(p) ?? 0) + t);
}
// Inclusive time: a sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (n.callFrame.functionName === "(root)") continue;
    const f = label(n);
    if (seen.has(f)) continue;
    seen.add(f);
    incl.set(f, (incl.get(f) ?? 0) + t);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(
  `total sampled ${(total / 1000).toFixed(0)} ms (wall ${((prof.endTime - prof.startTime) / 1000).toFixed(0)} ms)`,
);
show("self time by package/file", pkgTime);
show("self time by function", fnTime);
show("inclusive time by function", incl);
