// Types of ensure-build.mjs (a plain ESM script, run by node without a build step).
export const root: string;
export const nextBin: string;
export const serverNodeFlags: string[];
export function buildIsStale(): boolean;
export function ensureBuild(log?: (message: string) => void): boolean;
