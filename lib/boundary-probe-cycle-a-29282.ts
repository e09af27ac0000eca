import { b } from "./boundary-probe-cycle-b-29282.ts";

export const a = () => b;
