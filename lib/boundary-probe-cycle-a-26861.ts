import { b } from "./boundary-probe-cycle-b-26861.ts";

export const a = () => b;
