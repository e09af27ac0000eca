import type { a } from "./boundary-probe-cycle-a-26861.ts";

export const b = 1;
export type A = typeof a;
