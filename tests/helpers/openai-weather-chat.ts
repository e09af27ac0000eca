import type OpenAI from "openai";
import type { OpenAIStandIn } from "./openai-stand-in";

/** The weather tool the chat runs; frameworks wrap it to trace it as a tool span. */
export type WeatherTool = (args: { city: string }) => Promise<string>;

export const weatherTool: WeatherTool = async ({ city }) => `cloudy in ${city}, 18°C`;

/**
 * What an `openai` client user does for a tool call, against the stand-in: asks, runs the tool the
 * model called (`runTool`), sends its result, gets the answer. Usage: 25 + 10, then 45 + 5 tokens.
 */
export async function weatherChat(
  client: OpenAI,
  model: OpenAIStandIn,
  runTool: WeatherTool = weatherTool,
): Promise<string | null> {
  model.reply(
    {
      toolCalls: [{ id: "call_w", name: "weather", arguments: '{"city":"Lima"}' }],
      usage: { prompt: 25, completion: 10 },
    },
    { content: "Lima is cloudy, 18°C.", usage: { prompt: 45, completion: 5 } },
  );
  const tools = [
    {
      type: "function" as const,
      function: {
        name: "weather",
        description: "The weather in a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ];
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: "You answer weather questions." },
    { role: "user", content: "Weather in Lima?" },
  ];
  const first = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
  const call = first.choices[0].message.tool_calls?.[0];
  if (call?.type !== "function") throw new Error("the stand-in should have called the tool");
  const result = await runTool(JSON.parse(call.function.arguments) as { city: string });
  messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: result });
  const second = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
  return second.choices[0].message.content;
}
