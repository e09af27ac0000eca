const orig = JSON.stringify;
let t = 0, n = 0, bytes = 0;
(JSON as any).stringify = function (v: unknown, ...rest: unknown[]) {
  const s = performance.now();
  const r = (orig as any)(v, ...rest);
  const d = performance.now() - s;
  if (typeof r === "string" && r.length > 10000) { t += d; n++; bytes += r.length; }
  return r;
};
process.on("exit", () => console.error(`big JSON.stringify: ${n} calls, ${t.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6 / (t / 1000)).toFixed(0)} MB/s`));
