import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The layer rules of docs/architecture.md › Layers and folders are live: Biome's noRestrictedImports
 * (biome.json overrides, run by `npm run lint`) refuses an import in the wrong direction, and
 * `npm run check:deps` refuses an import cycle. Each case writes probe files into the real folders,
 * runs the real command on them and removes them, whatever happens.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIOME = path.join(ROOT, "node_modules/.bin/biome");
const run = promisify(execFile);

type Diagnostic = { file: string; line: number; rule: string; message: string };

/** Runs Biome with `args` on `files`; its exit code and diagnostics (file, line, rule, first message line). */
async function biome(args: string[], files: string[]): Promise<{ failed: boolean; diagnostics: Diagnostic[] }> {
  let output: string;
  let failed = false;
  try {
    const r = await run(BIOME, [...args, "--colors=off", "--max-diagnostics=200", ...files], { cwd: ROOT });
    output = r.stdout + r.stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: unknown };
    if (typeof err.code !== "number") throw e; // Biome did not run at all
    failed = true;
    output = `${err.stdout ?? ""}${err.stderr ?? ""}`;
  }
  const diagnostics: Diagnostic[] = [];
  const header = /^(\S+?):(\d+):\d+ ((?:lint|assist)\/\S+)/;
  const lines = output.split("\n");
  lines.forEach((l, i) => {
    const m = header.exec(l);
    if (!m) return;
    const message = lines.slice(i + 1).find((x) => x.trim().startsWith("×") || x.trim().startsWith("!")) ?? "";
    diagnostics.push({ file: m[1], line: Number(m[2]), rule: m[3], message: message.trim().replace(/^[×!]\s*/, "") });
  });
  return { failed, diagnostics };
}

/** Writes the probe files (path relative to the root → content), runs `fn`, then removes them. */
async function withProbes<T>(probes: Record<string, string>, fn: (files: string[]) => Promise<T>): Promise<T> {
  const files = Object.keys(probes);
  try {
    for (const [file, text] of Object.entries(probes)) await writeFile(path.join(ROOT, file), text);
    return await fn(files);
  } finally {
    await Promise.all(files.map((f) => rm(path.join(ROOT, f), { force: true })));
  }
}

const tag = `${process.pid}`;
const probe = (dir: string, name: string, ext = "ts") => `${dir}/boundary-probe-${name}-${tag}.${ext}`;

describe("layer rules (npm run lint)", () => {
  it("refuse each import in a wrong direction, naming the rule and the layer, and accept the allowed ones", async () => {
    const wrong = {
      [probe("components", "server", "tsx")]: 'import "@/lib/db";\nimport "../lib/ingest/pipeline.ts";\n',
      [probe("components", "app", "tsx")]: 'import "@/app/_lib/session";\n',
      [probe("lib", "up")]:
        'import "../components/ui/cn.ts";\nimport "@/app/_lib/session";\nimport "../sdk/src/index.ts";\n',
      [probe("lib", "react")]: 'import "react";\n',
      [probe("lib/contracts", "outside")]: 'import "../format.ts";\n',
      [probe("sdk/src", "app")]: 'import "../../lib/db/index.ts";\nimport "../../lib/format.ts";\n',
    };
    const allowed = {
      [probe("components", "ok", "tsx")]:
        'import "@/lib/client/api";\nimport "@/lib/contracts/executions";\nimport "@/lib/format";\nimport "@/lib/messages/view";\n',
      [probe("lib", "ok")]: 'import "@runlens/sdk";\nimport "./db/index.ts";\n',
      [probe("lib/contracts", "ok")]: 'import "zod";\nimport "./common.ts";\n',
      [probe("sdk/src", "ok")]: 'import "../../lib/contracts/ingest.ts";\nimport "./transport.ts";\n',
    };
    const [refused, accepted] = await withProbes({ ...wrong, ...allowed }, () =>
      Promise.all([biome(["check"], Object.keys(wrong)), biome(["check"], Object.keys(allowed))]),
    );
    expect(accepted).toEqual({ failed: false, diagnostics: [] });

    const { failed, diagnostics } = refused;
    expect(failed).toBe(true);
    // Every diagnostic is the rule's, on a wrong import: nothing else (format, other rules) fails the probes.
    expect(diagnostics.every((d) => d.rule === "lint/style/noRestrictedImports")).toBe(true);
    const on = (file: string) => diagnostics.filter((d) => d.file === file).map((d) => [d.line, d.message]);
    const [serverProbe, appProbe, upProbe, reactProbe, contractsProbe, sdkProbe] = Object.keys(wrong);
    expect(on(serverProbe)).toEqual([
      [1, expect.stringContaining("Components run in the browser")],
      [2, expect.stringContaining("Components run in the browser")],
    ]);
    expect(on(appProbe)).toEqual([[1, expect.stringContaining("Components do not import app/")]]);
    expect(on(upProbe)).toEqual([
      [1, expect.stringContaining("does not import app/, components/ or sdk/")],
      [2, expect.stringContaining("does not import app/, components/ or sdk/")],
      [3, expect.stringContaining("does not import app/, components/ or sdk/")],
    ]);
    expect(on(reactProbe)).toEqual([[1, expect.stringContaining("lib/ is framework-free")]]);
    expect(on(contractsProbe)).toEqual([[1, expect.stringContaining("imports only other contracts and packages")]]);
    expect(on(sdkProbe)).toEqual([
      [1, expect.stringContaining("imports only lib/contracts")],
      [2, expect.stringContaining("imports only lib/contracts")],
    ]);
  }, 180_000);
});

describe("import cycles (npm run check:deps)", () => {
  const script = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts["check:deps"] as string;
  // The script's Biome arguments without its target ("."), to run it on the probes alone.
  const args = script.split(/\s+/).slice(1, -1);

  it("is a Biome run of the dependency rules over the whole tree", () => {
    expect(script).toMatch(/^biome lint .*--only=suspicious\/noImportCycles.* \.$/);
  });

  it("refuses a cycle, also one closed by a type-only import, and passes modules without one", async () => {
    const [a, b, c, d] = [
      probe("lib", "cycle-a"),
      probe("lib", "cycle-b"),
      probe("lib", "chain-c"),
      probe("lib", "chain-d"),
    ];
    const base = (f: string) => `./${path.basename(f)}`;
    const { failed, diagnostics } = await withProbes(
      {
        [a]: `import { b } from "${base(b)}";\n\nexport const a = () => b;\n`,
        [b]: `import type { a } from "${base(a)}";\n\nexport const b = 1;\nexport type A = typeof a;\n`,
        [c]: `import { d } from "${base(d)}";\n\nexport const c = d;\n`,
        [d]: "export const d = 1;\n",
      },
      (files) => biome(args, files),
    );
    expect(failed).toBe(true);
    expect(diagnostics.map((x) => [x.file, x.rule]).sort()).toEqual([
      [a, "lint/suspicious/noImportCycles"],
      [b, "lint/suspicious/noImportCycles"],
    ]);
    // Biome's cycle rule resolves the whole module graph: 20–30 s on a loaded 2-core machine. A
    // timeout would leave the probes in the tree (their removal waits for Biome).
  }, 180_000);
});

describe("server-only marker", () => {
  /** The modules that reach the database, the queue or Redis, and the packages that do. */
  const IO_FOLDERS = ["lib/db/", "lib/queue/", "lib/server/", "lib/live/"];
  const IO_FILES = ["lib/redis.ts"];
  const IO_PACKAGES =
    /^(pg|pg-copy-streams|ioredis|bullmq|better-auth(\/.*)?|@prisma\/.+|@electric-sql\/pglite|pglite-prisma-adapter|@aws-sdk\/client-s3)$/;

  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) return rel === "lib/db/generated" ? [] : sources(rel);
      return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.includes("boundary-probe") ? [rel] : [];
    });

  /** Specifiers of the imports that load a module at run time (not `import type`), resolved to repo paths. */
  function runtimeImports(file: string): string[] {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    const specs = [
      ...text.matchAll(/^import\s+(?!type\s)[^"';]*?from\s+"([^"]+)"/gm),
      ...text.matchAll(/^import\s+"([^"]+)"/gm),
      ...text.matchAll(/^export\s+(?!type\s)[^"';]*?from\s+"([^"]+)"/gm),
    ].map((m) => m[1]);
    return specs.map((s) =>
      s.startsWith(".") ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)) : s.replace(/^@\//, ""),
    );
  }

  const isIo = (target: string) =>
    IO_PACKAGES.test(target) ||
    IO_FILES.some((f) => target === f || `${target}.ts` === f) ||
    IO_FOLDERS.some((dir) => `${target}/`.startsWith(dir));

  it("starts every lib module that loads the database, queue or Redis layer (and every module of those layers)", () => {
    const modules = sources("lib");
    const reaching = modules.filter((f) => isIo(f) || runtimeImports(f).some(isIo));
    // Not vacuous: the layers themselves and their users are found.
    expect(reaching).toEqual(expect.arrayContaining(["lib/db/index.ts", "lib/redis.ts", "lib/ingest/pipeline.ts"]));
    const unmarked = reaching.filter((f) => !/^import "server-only";$/m.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(unmarked).toEqual([]);
  });
});
