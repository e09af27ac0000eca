import { flow, Runlens, type Trace, traceLLM } from "@runlens/sdk";
import { z } from "zod";
import type { DemoResult } from "../contracts/ingest.ts";

/**
 * Realistic sample data sent through the SDK: support conversations in Portuguese and English,
 * workflows with every step type, failures with stacks, LLM calls with tokens, HTTP calls, and
 * 30 days of business events. Executions are spread over the last days by shifting the traces'
 * timestamps in onTrace, as a user's interceptor could.
 */
export type DemoOptions = { apiUrl?: string; apiKey?: string; fetch?: typeof fetch; seed?: number; days?: number };

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const CONVERSATIONS_PT = [
  ["Qual o horário de atendimento?", "Atendemos de segunda a sexta, das 8h às 20h, e aos sábados das 9h às 14h."],
  [
    "Minha internet caiu desde ontem",
    "Sinto muito! Identifiquei uma instabilidade na sua região. A previsão de normalização é hoje às 18h.",
  ],
  ["Quero cancelar meu plano", "Posso ajudar com isso. Antes, posso te oferecer 30% de desconto por 3 meses?"],
  ["Quais acomodações vocês têm?", "Oferecemos duas opções: quarto standard com café e suíte com vista para o mar."],
  ["Como emito a segunda via do boleto?", "Você pode emitir em Minha Conta > Faturas, ou posso enviar agora por aqui."],
];
const CONVERSATIONS_EN = [
  [
    "Where is my order #4821?",
    "Your order shipped yesterday and should arrive on Thursday. Tracking: 1Z999AA10123456784.",
  ],
  [
    "I was charged twice this month",
    "I see two charges of $49.90. I've refunded the duplicate; it takes 3–5 business days.",
  ],
  ["Can I change my delivery address?", "Yes, as long as the order hasn't shipped. What's the new address?"],
  ["Do you support SSO?", "Yes: SAML 2.0 and OIDC on the Business plan. I can send you the setup guide."],
];

/** A stand-in model with plausible latency-free answers and token counts. */
function fakeCompletion(prompt: string, answer: string) {
  return {
    text: answer,
    usage: { prompt_tokens: 40 + prompt.length, completion_tokens: Math.ceil(answer.length / 4) },
  };
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const random = rng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const days = opts.days ?? 30;
  let shiftMs = 0;
  const shift = (iso: string | null | undefined) => (iso ? new Date(Date.parse(iso) - shiftMs).toISOString() : iso);
  const client = new Runlens({
    apiUrl: opts.apiUrl,
    apiKey: opts.apiKey,
    fetch: opts.fetch,
    agent: "support-bot",
    warnings: false,
    onTrace: (t: Trace) => ({ ...t, startedAt: shift(t.startedAt)!, endedAt: shift(t.endedAt) }),
  });
  let executions = 0;
  const at = (daysAgo: number) => {
    shiftMs = Math.floor(daysAgo * 86_400_000);
  };

  // Support conversations (threads of one to three turns).
  const convos = [...CONVERSATIONS_PT.map((c) => ["pt", ...c]), ...CONVERSATIONS_EN.map((c) => ["en", ...c])];
  for (let i = 0; i < 24; i++) {
    const [lang, question, answer] = pick(convos);
    const threadId = `${lang === "pt" ? "wa" : "web"}-${1000 + i}`;
    const turns = 1 + Math.floor(random() * 3);
    const startDay = random() * (days - 1) + 0.5;
    for (let t = 0; t < turns; t++) {
      at(startDay - t * 0.01);
      const exec = client.startExecution({
        name: lang === "pt" ? "atendimento" : "support-chat",
        type: "agent_execution",
        agent: lang === "pt" ? "atendimento-whatsapp" : "support-bot",
        threadId,
        sessionId: `sess-${i}`,
        companyId: pick(["company_acme", "company_nw_telecom", "company_globex"]),
        input: {
          message: t === 0 ? question : lang === "pt" ? "Obrigado! Mais uma dúvida." : "Thanks! One more question.",
        },
      });
      client.message({
        role: "user",
        content: t === 0 ? question : lang === "pt" ? "Obrigado! Mais uma dúvida." : "Thanks! One more question.",
      });
      const tool = client.startSpan("search_knowledge_base", { type: "tool_call", input: { query: question } });
      client.log("kb_hits", { output: { hits: 1 + Math.floor(random() * 4) } });
      tool.end({ output: { articles: ["kb-112", "kb-87"] } });
      await traceLLM(
        {
          model: pick(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4"]),
          provider: "openai",
          promptName: "support-answer",
          variables: { lang },
          client,
          input: question,
        },
        async () => fakeCompletion(question, answer),
      );
      client.message({ role: "assistant", content: answer });
      if (t === turns - 1 && random() < 0.3) {
        client.message({
          role: "assistant",
          content: {
            type: "buttons",
            text: lang === "pt" ? "Posso ajudar em algo mais?" : "Anything else?",
            items: [
              { id: "yes", label: lang === "pt" ? "Sim" : "Yes" },
              { id: "no", label: lang === "pt" ? "Não, obrigado" : "No, thanks" },
            ],
          },
        });
      }
      await exec.end({ output: { message: answer } });
      executions++;
    }
  }

  // The WhatsApp CPF flow of the SDK documentation.
  at(0.2);
  {
    const exec = client.startExecution({
      name: "whatsapp-webhook",
      agent: "atendimento-whatsapp",
      threadId: "wa-5511999990000",
    });
    const turn = client.startSpan("turn");
    client.message({ role: "user", content: "48337725826" });
    const verify = client.startSpan("verify_cpf");
    const http = client.startSpan("GET /users/search", { type: "http_call" });
    http.end({ output: { user_exists: true, name: "Ana" } });
    client.log("cpf_verified", { output: { user_exists: true } });
    verify.end({});
    client.message({ role: "assistant", content: "Bem-vindo de volta, Ana!" });
    client.message({ role: "assistant", content: "Como posso te ajudar hoje?" });
    turn.end({});
    await exec.end({ output: { message: "Bem-vindo de volta, Ana!" } });
    executions++;
  }

  // Workflows with every step type, some failing.
  const orderFlow = flow({
    id: "validate-order",
    name: "Order Validation",
    agent: "order-pipeline",
    inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
    outputSchema: z.any(),
    client,
  })
    .step("fetch", async (i: { orderId: string; amount: number }) => ({
      ...i,
      status: "active",
      items: ["sku-1", "sku-2", "sku-3"],
    }))
    .connector("crm-lookup", async (o: Record<string, unknown>) => ({ ...o, customer: "c_123" }))
    .condition("high-value", (o: { amount: number }) => o.amount > 500, {
      onTrue: (o: Record<string, unknown>) => ({ ...o, review: "manual" }),
      onFalse: (o: Record<string, unknown>) => ({ ...o, review: "auto" }),
    })
    .switch("route", (o: { review: string }) => o.review, {
      cases: {
        manual: (o: Record<string, unknown>) => ({ ...o, queue: "fraud-team" }),
        auto: (o: Record<string, unknown>) => ({ ...o, queue: "fulfillment" }),
      },
    })
    .foreach(
      "reserve-stock",
      (o: { items: string[] }) => o.items,
      async (sku) => {
        if (sku === "sku-3" && random() < 0.25) throw new Error(`Out of stock: ${String(sku)}`);
        return { sku, reserved: true };
      },
    )
    .parallel("notify", { email: () => ({ sent: true }), sms: () => ({ sent: true }) })
    .agent("respond", {
      name: "order-assistant",
      process: (input: unknown) =>
        traceLLM({ model: "gpt-4o-mini", client, input }, async () =>
          fakeCompletion("order", "Your order is confirmed."),
        ),
    })
    .build();
  for (let i = 0; i < 14; i++) {
    at(random() * (days - 1));
    await orderFlow.execute({ orderId: `ORD-${2000 + i}`, amount: Math.round(random() * 1000) }).catch(() => undefined);
    executions++;
  }

  // Failures with stacks.
  for (let i = 0; i < 5; i++) {
    at(random() * 10);
    const exec = client.startExecution({
      name: "invoice-ocr",
      agent: "document-analyzer",
      type: "custom_execution",
      input: { documentId: `doc-${i}` },
    });
    client.identify({ type: "document", value: `doc-${i}` });
    try {
      await traceLLM({ model: "gpt-4o", client, promptName: "extract-invoice" }, async () => {
        throw Object.assign(new Error("Rate limit reached for gpt-4o in organization org-demo"), {
          name: "RateLimitError",
        });
      });
    } catch (e) {
      client.logError("llm_failed", e);
      exec.setError(e);
    }
    await exec.end();
    executions++;
  }
  shiftMs = 0;
  await client.flush();

  // 30 days of business events.
  let events = 0;
  const now = Date.now();
  for (let d = 0; d < days; d++) {
    const perDay = 40 + Math.floor(random() * 40);
    for (let k = 0; k < perDay; k++) {
      const ts = new Date(now - d * 86_400_000 - Math.floor(random() * 86_400_000));
      const r = random();
      if (r < 0.4) {
        client.track(
          "alert_received",
          {
            company: pick(["NW Telecom", "Acme", "Globex"]),
            severity: pick(["Low", "Medium", "High", "High", "Critical"]),
            source: pick(["Zabbix", "Grafana", "Datadog"]),
          },
          { timestamp: ts },
        );
      } else if (r < 0.75) {
        client.track(
          "ticket_resolved",
          {
            duration: Math.round(5 + random() * 120),
            answered: random() < 0.82,
            category: pick(["network", "billing", "account", "hardware"]),
          },
          { timestamp: ts },
        );
      } else {
        client.track(
          "order_placed",
          {
            amount: Math.round(random() * 50000) / 100,
            category: pick(["electronics", "books", "toys", "home"]),
            customer_id: `c_${Math.floor(random() * 300)}`,
          },
          { timestamp: ts },
        );
      }
      events++;
    }
  }
  await client.flush();
  return { executions, events };
}
