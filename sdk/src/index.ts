export * from "./executions.ts";
export { type FlowOptions, flow } from "./flow.ts";
export { type TraceLLMOptions, traceLLM, type Usage, usageOf } from "./llm.ts";
export * from "./observability.ts";
export * from "./reviews.ts";
