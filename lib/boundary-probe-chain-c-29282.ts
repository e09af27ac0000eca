import { d } from "./boundary-probe-chain-d-29282.ts";

export const c = d;
