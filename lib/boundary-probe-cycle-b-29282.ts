import type { a } from "./boundary-probe-cycle-a-29282.ts";

export const b = 1;
export type A = typeof a;
