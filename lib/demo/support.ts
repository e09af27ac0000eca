import {
  type ChatMessage,
  type Demo,
  httpCall,
  llmCall,
  type ModelName,
  toolCall,
  toolCallsMessage,
  work,
} from "./calls.ts";
import type { Dialogue } from "./dialogues.ts";

/** Where a conversation happens: the agent answering it and how its runs are named. */
export type Channel = {
  agent: string;
  executionName: string;
  model: ModelName;
  promptName: string;
  system: string;
  threadId: string;
};

/**
 * Plays a scripted conversation as a thread: one agent execution per turn (the customer's
 * message, the model asking for tools, the tools and their HTTP calls, the model's answer, the
 * reply), the customer taking a while to read and type between turns. Returns the executions.
 */
export async function playConversation(
  demo: Demo,
  dialogue: Dialogue,
  channel: Channel,
  opts: { turns?: number; offerMore?: boolean } = {},
): Promise<number> {
  const { client, time, random } = demo;
  const turns = dialogue.turns.slice(0, opts.turns ?? dialogue.turns.length);
  const history: ChatMessage[] = [];
  const startedAt = time.now();
  for (const [i, turn] of turns.entries()) {
    if (i > 0) await time.sleep(random.between(20_000, 150_000));
    const last = i === turns.length - 1;
    const exec = client.startExecution({
      name: channel.executionName,
      type: "agent_execution",
      agent: channel.agent,
      threadId: channel.threadId,
      sessionId: `${channel.threadId}-s1`,
      companyId: dialogue.companyId,
      input: { message: turn.user },
      metadata: { locale: dialogue.lang === "pt" ? "pt-BR" : "en-US", customer: dialogue.customer },
    });
    await work(demo, 40, 160); // the webhook, the session and the history load
    client.message({ role: "user", content: turn.user });
    const messages: ChatMessage[] = [
      { role: "system", content: channel.system },
      ...history,
      { role: "user", content: turn.user },
    ];
    const llm = { model: channel.model, promptName: channel.promptName, variables: { lang: dialogue.lang } };
    if (turn.tools?.length) {
      const calls = turn.tools.map((t) => ({ id: callId(demo), name: t.name, args: t.args }));
      await llmCall(demo, { ...llm, messages, reply: calls });
      messages.push(toolCallsMessage(calls));
      for (const [k, tool] of turn.tools.entries()) {
        const result = await toolCall(demo, tool.name, tool.args, async () => {
          if (tool.http) return httpCall(demo, { ...tool.http, response: tool.result });
          await work(demo, 30, 250);
          return tool.result;
        });
        messages.push({ role: "tool", tool_call_id: calls[k].id, content: JSON.stringify(result) });
      }
    }
    await llmCall(demo, { ...llm, messages, reply: turn.answer });
    await work(demo, 20, 90); // sending the reply through the channel
    client.message({ role: "assistant", content: turn.answer });
    if (last && opts.offerMore) {
      const pt = dialogue.lang === "pt";
      client.message({
        role: "assistant",
        content: {
          type: "buttons",
          text: pt ? "Posso ajudar em algo mais?" : "Anything else I can help with?",
          items: [
            { id: "yes", label: pt ? "Sim" : "Yes" },
            { id: "no", label: pt ? "Não, obrigado" : "No, thanks" },
          ],
        },
      });
    }
    if (last)
      client.track("ticket_resolved", {
        duration: Math.max(1, Math.round((time.now() - startedAt) / 60_000)),
        answered: true,
        category: dialogue.category,
      });
    history.push({ role: "user", content: turn.user }, { role: "assistant", content: turn.answer });
    await exec.end({ output: { message: turn.answer } });
  }
  return turns.length;
}

function callId({ random }: Demo): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return `call_${Array.from({ length: 24 }, () => chars[random.int(0, chars.length - 1)]).join("")}`;
}

/**
 * The WhatsApp flow of the SDK's README: the bot asks for the customer's CPF, then looks it up
 * and greets them by name with two messages.
 */
export async function playCpfCheck(demo: Demo, threadId: string): Promise<number> {
  const { client, time, random } = demo;
  const context = { agent: "atendimento-whatsapp", threadId, companyId: "company_nw_telecom" };
  const greet = client.startExecution({
    ...context,
    name: "whatsapp-webhook",
    input: { from: "+55 11 99999-0000", type: "text", body: "Oi" },
  });
  await work(demo, 40, 120);
  client.message({ role: "user", content: "Oi" });
  await work(demo, 30, 80);
  client.message({
    role: "assistant",
    content: "Olá! Sou o assistente virtual da NW Telecom. Para começar, me informe o seu CPF, só os números.",
  });
  await greet.end({ output: { sent: 1 } });

  await time.sleep(random.between(25_000, 70_000));
  const exec = client.startExecution({
    ...context,
    name: "whatsapp-webhook",
    input: { from: "+55 11 99999-0000", type: "text", body: "48337725826" },
  });
  const turn = client.startSpan("turn");
  await work(demo, 20, 60);
  client.message({ role: "user", content: "48337725826" });
  const verify = client.startSpan("verify_cpf", { input: { cpf: "483.***.***-26" } });
  await work(demo, 2, 8);
  await httpCall(demo, {
    method: "GET",
    url: "https://api.nwtelecom.example/v2/customers/search?document=hash_6c1e94",
    status: 200,
    ms: [120, 380],
    response: { user_exists: true, name: "Ana", customer_since: 2019 },
  });
  client.log("cpf_verified", { output: { user_exists: true } });
  verify.end({ output: { user_exists: true, name: "Ana" } });
  await work(demo, 20, 60);
  client.message({ role: "assistant", content: "Bem-vindo de volta, Ana!" });
  await work(demo, 300, 900);
  client.message({ role: "assistant", content: "Como posso te ajudar hoje?" });
  turn.end({});
  await exec.end({ output: { message: "Bem-vindo de volta, Ana!" } });
  return 2;
}
