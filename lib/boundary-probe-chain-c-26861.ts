import { d } from "./boundary-probe-chain-d-26861.ts";

export const c = d;
