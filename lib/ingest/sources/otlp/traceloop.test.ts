import { describe, expect, it } from "vitest";
import { readTraceloop } from "./traceloop";

describe("OpenLLMetry / Traceloop convention", () => {
  it("a workflow: type, the entity's name, one positional argument as the input, association properties", () => {
    const r = readTraceloop({
      "traceloop.span.kind": "workflow",
      "traceloop.entity.name": "joke_generator",
      "traceloop.workflow.name": "joke_generator",
      "traceloop.entity.path": "",
      "traceloop.entity.input": JSON.stringify({ args: ["tell me a joke"], kwargs: {} }),
      "traceloop.entity.output": JSON.stringify({ joke: "..." }),
      "traceloop.association.properties.session_id": "s-5",
      "traceloop.association.properties.user_id": "u-5",
      "traceloop.association.properties.customer_id": "acme",
    });
    expect(r).toMatchObject({
      type: "workflow_execution",
      name: "joke_generator",
      input: "tell me a joke",
      output: { joke: "..." },
      context: { sessionId: "s-5", userId: "u-5", companyId: "acme" },
    });
  });

  it.each([
    ["task", "workflow_step", "function"],
    ["agent", "agent_execution", undefined],
    ["tool", "tool_call", undefined],
    ["unknown", undefined, undefined],
  ])("span kind %s is type %s", (kind, type, stepType) => {
    const r = readTraceloop({ "traceloop.span.kind": kind });
    expect(r.type).toBe(type);
    expect(r.stepType).toBe(stepType);
  });

  it("keyword arguments alone are the input object; several arguments stay as recorded", () => {
    expect(readTraceloop({ "traceloop.entity.input": '{"args":[],"kwargs":{"city":"Oslo"}}' }).input).toEqual({
      city: "Oslo",
    });
    expect(readTraceloop({ "traceloop.entity.input": '{"args":[1,2],"kwargs":{}}' }).input).toEqual({
      args: [1, 2],
      kwargs: {},
    });
    expect(readTraceloop({ "traceloop.entity.input": "plain text" }).input).toBe("plain text");
  });

  it("input and output are JSON-encoded by the SDKs: a returned string or number is decoded, text that is not JSON kept", () => {
    const tool = (attrs: Record<string, unknown>) => readTraceloop({ "traceloop.span.kind": "tool", ...attrs });
    expect(tool({ "traceloop.entity.output": '"cloudy in Lima, 18°C"' }).output).toBe("cloudy in Lima, 18°C");
    expect(tool({ "traceloop.entity.output": "42" }).output).toBe(42);
    expect(tool({ "traceloop.entity.output": "sunny" }).output).toBe("sunny");
    expect(tool({ "traceloop.entity.input": '"Weather in Lima?"' }).input).toBe("Weather in Lima?");
  });

  it("its LLM spans: request type, total tokens and request functions", () => {
    const r = readTraceloop({
      "llm.request.type": "chat",
      "llm.usage.total_tokens": 48,
      "llm.request.functions.0.name": "weather",
      "llm.request.functions.0.description": "Get the weather",
      "llm.request.functions.0.parameters": '{"type":"object"}',
      "traceloop.association.properties.thread_id": "th-1",
    });
    expect(r).toMatchObject({
      type: "llm_call",
      usage: { total: 48 },
      tools: [{ name: "weather", description: "Get the weather", parameters: { type: "object" } }],
      context: { threadId: "th-1" },
    });
  });

  it("malformed: a kind of the wrong type, ids that are not strings, input that is not JSON", () => {
    const r = readTraceloop({
      "traceloop.span.kind": 3,
      "traceloop.entity.name": "t",
      "traceloop.entity.input": "{not json",
      "traceloop.association.properties.session_id": 12,
    });
    expect(r.type).toBeUndefined();
    expect(r.input).toBe("{not json");
    expect(r.context).toEqual({});
  });

  it("spans with none of its attributes are not this family's", () => {
    expect(readTraceloop({ "gen_ai.system": "openai" })).toEqual({});
  });
});
