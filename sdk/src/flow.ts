import type { z } from "zod";
import type { ObservabilityMode, ObservabilityOptions } from "./config.ts";
import { isolated } from "./context.ts";
import { getClient, type Runlens } from "./observability.ts";

type StepFn = (input: any) => unknown;
type AgentLike = { name: string; process(input: any): unknown };

type Step =
  | { kind: "function" | "connector"; name: string; run: StepFn }
  | { kind: "condition"; name: string; test: (input: any) => unknown; onTrue: StepFn; onFalse?: StepFn }
  | { kind: "switch"; name: string; select: (input: any) => unknown; cases: Record<string, StepFn>; default?: StepFn }
  | { kind: "foreach"; name: string; items: (input: any) => unknown[] | Promise<unknown[]>; each: StepFn }
  | { kind: "parallel"; name: string; branches: Record<string, StepFn> }
  | { kind: "agent"; name: string; agent: AgentLike };

export type FlowOptions<I extends z.ZodType, O extends z.ZodType> = {
  id: string;
  name?: string;
  inputSchema: I;
  outputSchema: O;
  agent?: string;
  observability?: ObservabilityMode | ObservabilityOptions;
  client?: Runlens;
};

export type ExecuteOptions = { executionId?: string; threadId?: string; sessionId?: string; companyId?: string };

/**
 * A workflow builder: each step's output is the next step's input. `execute` traces
 * workflow_execution > workflow_step [stepType] > (agent_execution...) automatically.
 */
export class FlowBuilder<I extends z.ZodType, O extends z.ZodType> {
  private readonly steps: Step[] = [];
  constructor(private readonly opts: FlowOptions<I, O>) {}

  step(name: string, run: StepFn): this {
    this.steps.push({ kind: "function", name, run });
    return this;
  }
  connector(name: string, run: StepFn): this {
    this.steps.push({ kind: "connector", name, run });
    return this;
  }
  condition(name: string, test: (input: any) => unknown, branches: { onTrue: StepFn; onFalse?: StepFn }): this {
    this.steps.push({ kind: "condition", name, test, onTrue: branches.onTrue, onFalse: branches.onFalse });
    return this;
  }
  switch(
    name: string,
    select: (input: any) => unknown,
    branches: { cases: Record<string, StepFn>; default?: StepFn },
  ): this {
    this.steps.push({ kind: "switch", name, select, cases: branches.cases, default: branches.default });
    return this;
  }
  foreach(name: string, items: (input: any) => unknown[] | Promise<unknown[]>, each: StepFn): this {
    this.steps.push({ kind: "foreach", name, items, each });
    return this;
  }
  parallel(name: string, branches: Record<string, StepFn>): this {
    this.steps.push({ kind: "parallel", name, branches });
    return this;
  }
  agent(name: string, agent: AgentLike): this {
    this.steps.push({ kind: "agent", name, agent });
    return this;
  }

  build(): { id: string; execute(input: z.input<I>, opts?: ExecuteOptions): Promise<z.output<O>> } {
    const { opts } = this;
    const steps = [...this.steps];
    const overrides: ObservabilityOptions =
      typeof opts.observability === "string" ? { mode: opts.observability } : (opts.observability ?? {});
    return {
      id: opts.id,
      execute: async (rawInput, run = {}) => {
        const client = opts.client ?? getClient();
        const input = opts.inputSchema.parse(rawInput);
        const exec = client.startExecution(
          {
            name: opts.name ?? opts.id,
            type: "workflow_execution",
            input,
            agent: opts.agent ?? opts.id,
            ...run,
            metadata: { workflowId: opts.id },
          },
          overrides,
        );
        let value: unknown = input;
        try {
          for (const step of steps) value = await isolated(() => runStep(client, step, value, overrides));
          const output = opts.outputSchema.parse(value);
          await exec.end({ output });
          return output;
        } catch (e) {
          exec.setError(e);
          await exec.end();
          throw e;
        }
      },
    };
  }
}

async function traced(
  client: Runlens,
  name: string,
  stepType: string,
  input: unknown,
  overrides: ObservabilityOptions,
  body: () => Promise<unknown>,
) {
  const span = client.startSpan(name, { type: "workflow_step", stepType, input }, overrides);
  try {
    const output = await body();
    span.end({ output });
    return output;
  } catch (e) {
    span.end({ error: e });
    throw e;
  }
}

async function runStep(client: Runlens, step: Step, input: unknown, overrides: ObservabilityOptions): Promise<unknown> {
  switch (step.kind) {
    case "function":
    case "connector":
      return traced(client, step.name, step.kind, input, overrides, async () => step.run(input));
    case "condition":
      return traced(client, step.name, "condition", input, overrides, async () => {
        const branch = (await step.test(input)) ? step.onTrue : step.onFalse;
        return branch ? branch(input) : input;
      });
    case "switch":
      return traced(client, step.name, "switch", input, overrides, async () => {
        const key = String(await step.select(input));
        const branch = step.cases[key] ?? step.default;
        return branch ? branch(input) : input;
      });
    case "foreach":
      return traced(client, step.name, "foreach", input, overrides, async () => {
        const items = await step.items(input);
        const out: unknown[] = [];
        for (const [i, item] of items.entries()) {
          out.push(
            await isolated(async () => {
              const child = client.startSpan(`${step.name}[${i}]`, { input: item }, overrides);
              try {
                const r = await step.each(item);
                child.end({ output: r });
                return r;
              } catch (e) {
                child.end({ error: e });
                throw e;
              }
            }),
          );
        }
        return out;
      });
    case "parallel":
      return traced(client, step.name, "parallel", input, overrides, async () => {
        const entries = await Promise.all(
          Object.entries(step.branches).map(([name, fn]) =>
            // Each branch in its own async-context frame, so its span is its children's parent.
            isolated(async () => {
              const child = client.startSpan(name, { input }, overrides);
              try {
                const r = await fn(input);
                child.end({ output: r });
                return [name, r] as const;
              } catch (e) {
                child.end({ error: e });
                throw e;
              }
            }),
          ),
        );
        return Object.fromEntries(entries);
      });
    case "agent":
      return traced(client, step.name, "agent", input, overrides, async () => {
        const span = client.startSpan(step.agent.name, { type: "agent_execution", input }, overrides);
        try {
          const r = await step.agent.process(input);
          span.end({ output: r });
          return r;
        } catch (e) {
          span.end({ error: e });
          throw e;
        }
      });
  }
}

export function flow<I extends z.ZodType, O extends z.ZodType>(opts: FlowOptions<I, O>): FlowBuilder<I, O> {
  return new FlowBuilder(opts);
}
