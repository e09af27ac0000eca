import { type Demo, httpCall, llmCall, toolCall, work } from "./calls.ts";

/** The research agent's brief: what it looks into, query by query, and how each source helps. */
const RESEARCH_TOPIC = "Should Northwind start shipping to Canada next quarter?";
const RESEARCH_QUERIES = [
  ["US to Canada parcel carriers transit times", "carrier options and transit times by province"],
  ["Canada de minimis threshold courier imports", "the duty and tax thresholds for courier imports"],
  ["collecting GST HST on cross-border ecommerce", "how foreign sellers register for and collect GST/HST"],
  ["delivered duty paid vs unpaid Canada customer experience", "why buyers abandon parcels that arrive with fees due"],
  ["Canada Post vs UPS vs FedEx ecommerce rates", "published small-parcel rates for 1 to 5 lb shipments"],
  ["returns from Canada to US warehouse", "how merchants handle returns across the border"],
  ["French language requirements Quebec ecommerce", "the labelling and website language rules in Quebec"],
  ["Canadian shoppers cross-border buying habits", "what share of Canadian shoppers buy from US stores"],
  ["customs brokerage fees courier shipments Canada", "the brokerage fees couriers add at the door"],
  ["CUSMA certificate of origin small shipments", "when a certificate of origin is needed under CUSMA"],
  ["payment methods popular in Canada ecommerce", "which card and wallet brands Canadians use online"],
  ["fulfilment centers near Toronto for US brands", "third-party warehouses that stock US brands in Ontario"],
] as const;
const SOURCE_KINDS = [
  ["docs", "an official guide", "with the rules and the forms to file"],
  ["blog", "a merchant's write-up", "from a store that launched in Canada last year"],
  ["news", "a trade press article", "quoting carrier and customs spokespeople"],
  ["forum", "a forum thread", "where merchants compare what happened to their parcels"],
  ["report", "an industry report", "with survey numbers from 2025"],
] as const;
const SOURCE_SITES = [
  "cbsa-asfc.example.ca",
  "shipwise.example.com",
  "retailtrade.example.com",
  "merchants.example.org",
  "ecommerce-insights.example.com",
];

/**
 * The long run of the explorer: a research agent plans twelve web searches, reads five sources
 * of each in parallel (fetch, then a summary by a small model) and writes the brief with a larger
 * one: about 220 spans over a minute or so.
 */
export async function runResearch(demo: Demo, start: number): Promise<number> {
  const { client, time } = demo;
  time.set(start);
  const exec = client.startExecution({
    name: "market-brief",
    type: "agent_execution",
    agent: "research-agent",
    input: { topic: RESEARCH_TOPIC, depth: "standard" },
  });
  const system =
    "You are a research analyst. Plan web searches that answer the question, then write a brief with a recommendation, risks and open questions. Cite sources by number.";
  const plan = RESEARCH_QUERIES.map(([q], i) => `${i + 1}. ${q}`).join("\n");
  await llmCall(demo, {
    model: "claude-sonnet-4-5",
    promptName: "research-plan",
    messages: [
      { role: "system", content: system },
      { role: "user", content: `Question: ${RESEARCH_TOPIC}\nList the searches you will run, one a line.` },
    ],
    reply: plan,
  });
  const notes: string[] = [];
  for (const [q, [query, angle]] of RESEARCH_QUERIES.entries()) {
    await client.withSpan(`investigate: ${query}`, { input: { query } }, async () => {
      const sources = SOURCE_KINDS.map(([kind, what, detail], k) => {
        const slug = query.toLowerCase().replaceAll(/[^a-z0-9]+/g, "-");
        return {
          url: `https://${SOURCE_SITES[(q + k) % SOURCE_SITES.length]}/${kind}/${slug}`,
          title: `${query.replace(/^./, (c) => c.toUpperCase())} (${what})`,
          summary: `Source ${q * 5 + k + 1}: ${what} on ${angle}, ${detail}.`,
          excerpt: `This ${kind === "forum" ? "thread" : "page"} covers ${angle}, ${detail}. It is written for merchants who ship from the United States and want to sell in Canada without surprising their customers at the door, and it lists what changed this year and what still depends on the carrier.`,
        };
      });
      await toolCall(demo, "web_search", { query, max_results: 5 }, () =>
        httpCall(demo, {
          method: "GET",
          url: `https://api.search.example/v1/search?q=${encodeURIComponent(query)}&count=5`,
          status: 200,
          ms: [350, 1100],
          response: { results: sources.map(({ url, title }) => ({ url, title })) },
        }),
      );
      // The five sources are read at once, each in its own span.
      const summaries = await Promise.all(
        sources.map((source) =>
          toolCall(demo, "read_page", { url: source.url }, async () => {
            const bytes = demo.random.int(18_000, 240_000);
            await httpCall(demo, {
              method: "GET",
              url: source.url,
              status: 200,
              ms: [200, 1500],
              response: { contentType: "text/html", bytes },
            });
            await work(demo, 15, 60); // HTML to text
            await llmCall(demo, {
              model: "claude-haiku-4-5",
              promptName: "summarize-page",
              temperature: 0,
              messages: [
                {
                  role: "system",
                  content: "Summarise the page in one sentence for a research brief. Keep numbers and names.",
                },
                {
                  role: "user",
                  content: `Question: ${RESEARCH_TOPIC}\nPage: ${source.title}\n${source.url}\n\n${source.excerpt}`,
                },
              ],
              reply: source.summary,
            });
            return source.summary;
          }),
        ),
      );
      notes.push(...summaries);
      return { sources: sources.length };
    });
  }
  const brief = [
    "Recommendation: launch Canada next quarter with duties and taxes paid at checkout (DDP), starting with Ontario and British Columbia.",
    "Why: Canadian demand for US stores is steady, carriers reach the main cities in 3 to 6 business days, and DDP avoids the fees at the door that cause most refused parcels [4, 9, 19].",
    "Risks: GST/HST registration once sales pass the small-supplier threshold [11, 12]; Quebec needs French product pages and labels [31, 33]; returns cost about twice a domestic return [26, 28].",
    "Open questions: whether to stock a Toronto fulfilment center after the first 1,000 orders [56-60], and which carrier to contract for oversized items.",
  ].join("\n\n");
  await llmCall(demo, {
    model: "claude-sonnet-4-5",
    promptName: "write-brief",
    temperature: 0.4,
    messages: [
      { role: "system", content: system },
      { role: "user", content: `Question: ${RESEARCH_TOPIC}\n\nNotes:\n${notes.join("\n")}\n\nWrite the brief.` },
    ],
    reply: brief,
  });
  await exec.end({ output: { brief } });
  return 1;
}

const SUPPLIERS = [
  "Distribuidora Paulista de Embalagens Ltda",
  "Metalúrgica São Bento S.A.",
  "Papelaria Central Comércio Ltda",
  "TransLog Cargas e Logística Ltda",
  "Química Vale do Paraíba Ltda",
  "Eletro Peças Campinas Ltda",
];
const DIVERGENCES = [
  ["frete", "o frete FOB, que o pedido não previa", "Confirme o frete com o comprador antes de aprovar o pagamento."],
  [
    "quantidade",
    "5 unidades a mais do que as recebidas no almoxarifado",
    "Peça ao fornecedor uma nota de devolução ou a carta de correção.",
  ],
  [
    "preço unitário",
    "o preço da tabela antiga, anterior ao reajuste negociado",
    "Solicite a nota substituta com o preço acordado.",
  ],
  [
    "ICMS-ST",
    "o ICMS por substituição tributária destacado na nota",
    "Encaminhe ao fiscal para validar o crédito antes de lançar.",
  ],
] as const;
const brl = (v: number) => v.toLocaleString("pt-BR", { style: "currency", currency: "BRL" });

/**
 * The nightly reconciliation of supplier invoices (NF-e) against purchase orders: each invoice is
 * fetched from SEFAZ and compared with its order; a model explains the divergences for the
 * buyer. About 270 spans; one SEFAZ request fails once and is retried.
 */
export async function runReconciliation(demo: Demo, start: number): Promise<number> {
  const { client, time, random } = demo;
  time.set(start);
  const invoices = 85;
  const exec = client.startExecution({
    name: "conciliacao-notas-fornecedores",
    agent: "conciliacao-fiscal",
    type: "custom_execution",
    input: { data: "ontem", filial: "Campinas", notas: invoices },
  });
  const found: string[] = [];
  for (let n = 0; n < invoices; n++) {
    const number = `${random.int(10, 99)}.${random.int(100, 999)}.${random.int(100, 999)}`;
    const key = Array.from({ length: 44 }, () => random.int(0, 9)).join("");
    const supplier = SUPPLIERS[n % SUPPLIERS.length];
    const order = `PC-${20900 + n}`;
    const value = Math.round(random.between(380, 48_000) * 100) / 100;
    await toolCall(demo, "buscar_nfe", { chave: key }, async () => {
      const url = `https://nfe.fazenda.sp.example/ws/NFeConsultaProtocolo4/${key}`;
      if (n === 47) {
        await httpCall(demo, {
          method: "GET",
          url,
          status: 503,
          ms: [1200, 2500],
          response: { cStat: 108, xMotivo: "Serviço Paralisado Momentaneamente (curto prazo)" },
        });
        client.log("sefaz_retry", { chave: key, wait_ms: 2000 });
        await time.sleep(2000);
      }
      return httpCall(demo, {
        method: "GET",
        url,
        status: 200,
        ms: [180, 650],
        response: { cStat: 100, xMotivo: "Autorizado o uso da NF-e", emitente: supplier, numero: number, valor: value },
      });
    });
    const divergence = n % 13 === 7 ? DIVERGENCES[found.length % DIVERGENCES.length] : null;
    const difference = divergence ? Math.round(value * random.between(0.02, 0.09) * 100) / 100 : 0;
    await toolCall(demo, "conferir_pedido", { pedido: order, valor_nota: value }, async () => {
      await work(demo, 8, 45);
      return divergence
        ? { pedido: order, valor_pedido: value - difference, divergente: true, campo: divergence[0] }
        : { pedido: order, valor_pedido: value, divergente: false };
    });
    if (divergence) {
      const explanation = `A NF-e ${number} de ${supplier} cobra ${brl(value)}, mas o pedido ${order} aprovou ${brl(value - difference)}: a diferença de ${brl(difference)} corresponde a ${divergence[1]}. ${divergence[2]}`;
      await llmCall(demo, {
        model: "gpt-4o-mini",
        promptName: "explicar-divergencia",
        temperature: 0.2,
        messages: [
          {
            role: "system",
            content:
              "Explique ao comprador, em português e em até três frases, a divergência entre a nota fiscal e o pedido de compra, e sugira o próximo passo.",
          },
          {
            role: "user",
            content: JSON.stringify({
              nota: number,
              fornecedor: supplier,
              valor_nota: value,
              pedido: order,
              valor_pedido: value - difference,
              campo: divergence[0],
            }),
          },
        ],
        reply: explanation,
      });
      client.log("divergencia_encontrada", {
        nota: number,
        pedido: order,
        campo: divergence[0],
        diferenca: difference,
      });
      found.push(explanation);
    }
  }
  const report = `${invoices} notas conferidas, ${found.length} com divergência. Relatório enviado ao time de compras.`;
  await httpCall(demo, {
    method: "POST",
    url: "https://erp.northwind.example/api/v1/reconciliations",
    status: 201,
    ms: [300, 900],
    body: { notas: invoices, divergencias: found.length },
    response: { id: `rec_${random.int(10_000, 99_999)}` },
  });
  await exec.end({ output: { resumo: report, divergencias: found } });
  return 1;
}
