import type { HttpSpec } from "./calls.ts";

/**
 * Scripted support conversations: each turn is what the customer wrote, the tools the assistant
 * called to answer it (with the HTTP requests behind them) and the answer it gave.
 */
export type ToolStep = {
  name: string;
  args: Record<string, unknown>;
  result: unknown;
  http?: Omit<HttpSpec, "response">;
};
export type Turn = { user: string; tools?: ToolStep[]; answer: string };
export type Dialogue = {
  lang: "en" | "pt";
  /** The ticket category reported when the conversation ends (the `ticket_resolved` event). */
  category: "orders" | "billing" | "account" | "network" | "booking";
  customer: string;
  companyId: string;
  turns: Turn[];
};

const NW = "https://api.northwind.example";
const TELECOM = "https://api.nwtelecom.example";
const PAY = "https://api.pagamentos.example";

export const SYSTEM_PROMPTS = {
  en: "You are Northwind's support assistant. Answer in the customer's language, in two or three friendly sentences. Use the tools to look up orders, charges and accounts before answering; never invent order data.",
  pt: "Você é o assistente de atendimento da NW Telecom no WhatsApp. Responda em português, de forma curta e cordial. Consulte as ferramentas antes de falar de faturas, contratos ou falhas na rede; nunca invente protocolos.",
  hotel:
    "Você é a concierge virtual da Pousada Mar Azul, em Balneário Piçarras (SC). Responda em português, com simpatia e objetividade. Use as ferramentas para disponibilidade, preços, reservas e pagamentos.",
} as const;

export const DIALOGUES: Dialogue[] = [
  {
    lang: "en",
    category: "orders",
    customer: "Dana Whitaker",
    companyId: "company_northwind",
    turns: [
      {
        user: "Hi, where is my order #4821? It was supposed to arrive yesterday.",
        tools: [
          {
            name: "lookup_order",
            args: { order_id: "4821" },
            result: { status: "in_transit", carrier: "UPS", tracking: "1Z999AA10123456784", eta: "Thursday" },
            http: { method: "GET", url: `${NW}/v1/orders/4821`, status: 200, ms: [60, 180] },
          },
        ],
        answer:
          "Sorry for the wait! Order #4821 left our warehouse on Monday and is with UPS now (tracking 1Z999AA10123456784). The carrier's new estimate is Thursday by 8 pm.",
      },
      {
        user: "Can I change the delivery address? I won't be home on Thursday.",
        tools: [
          {
            name: "carrier_redirect_options",
            args: { tracking: "1Z999AA10123456784" },
            result: { redirect_allowed: true, fee_usd: 0, cutoff: "Wednesday 6 pm" },
            http: {
              method: "GET",
              url: "https://onlinetools.ups.example/api/track/v1/details/1Z999AA10123456784",
              status: 200,
              ms: [250, 700],
            },
          },
        ],
        answer:
          "Yes: it's still in transit, so UPS can redirect it at no charge until Wednesday 6 pm. Send me the new address and I'll request the change; you'll get an updated estimate by email.",
      },
      {
        user: "Thanks! One more question: do you ship to Canada?",
        tools: [
          {
            name: "search_knowledge_base",
            args: { query: "international shipping Canada", top_k: 3 },
            result: [
              { id: "kb-214", title: "Shipping to Canada", score: 0.91 },
              { id: "kb-198", title: "Duties and taxes on international orders", score: 0.77 },
            ],
          },
        ],
        answer:
          "We do! Orders to Canada ship with UPS Standard in 5 to 8 business days, and duties are calculated at checkout, so there are no surprises at the door.",
      },
    ],
  },
  {
    lang: "en",
    category: "billing",
    customer: "Marcus Lee",
    companyId: "company_acme",
    turns: [
      {
        user: "I was charged twice for my subscription this month.",
        tools: [
          {
            name: "list_charges",
            args: { customer_id: "cus_Q8KJ2mXa", limit: 5 },
            result: [
              { id: "ch_3PkL0x2eZvKYlo2C", amount: 4990, currency: "usd", created: "03 09:14" },
              { id: "ch_3PkL1a2eZvKYlo2C", amount: 4990, currency: "usd", created: "03 09:15" },
            ],
            http: {
              method: "GET",
              url: "https://api.stripe.com/v1/charges?customer=cus_Q8KJ2mXa&limit=5",
              status: 200,
              ms: [180, 420],
            },
          },
          {
            name: "refund_charge",
            args: { charge_id: "ch_3PkL1a2eZvKYlo2C", reason: "duplicate" },
            result: { refund_id: "re_3PkL9q2eZvKYlo2C", status: "succeeded" },
            http: { method: "POST", url: "https://api.stripe.com/v1/refunds", status: 200, ms: [300, 800] },
          },
        ],
        answer:
          "You're right, I see two charges of $49.90 on the 3rd, a minute apart. I've refunded the duplicate (refund re_3PkL9q2eZvKYlo2C), and your plan stays active.",
      },
      {
        user: "How long until the money is back on my card?",
        answer:
          "Refunds usually show up in 3 to 5 business days, depending on your bank. If it isn't there by next Friday, reply here and I'll send your bank the refund's trace number.",
      },
    ],
  },
  {
    lang: "en",
    category: "account",
    customer: "Priya Raman",
    companyId: "company_globex",
    turns: [
      {
        user: "Do you support SSO for our team?",
        tools: [
          {
            name: "search_knowledge_base",
            args: { query: "single sign-on SAML OIDC", top_k: 3 },
            result: [
              { id: "kb-87", title: "Single sign-on (SAML 2.0 and OIDC)", score: 0.94 },
              { id: "kb-88", title: "SCIM user provisioning", score: 0.81 },
            ],
          },
        ],
        answer:
          "Yes. The Business plan includes SAML 2.0 and OpenID Connect single sign-on, plus SCIM provisioning, so people are added and removed from your team automatically.",
      },
      {
        user: "Which identity providers have you tested with?",
        answer:
          "We have step-by-step guides for Okta, Microsoft Entra ID, Google Workspace, OneLogin and JumpCloud, and any SAML 2.0 provider works. Shall I email you the Okta guide?",
      },
    ],
  },
  {
    lang: "en",
    category: "account",
    customer: "Jonas Becker",
    companyId: "company_acme",
    turns: [
      {
        user: "I can't log in, the password reset email never arrives.",
        tools: [
          {
            name: "check_email_delivery",
            args: { email: "jonas.becker@example.com", template: "password-reset" },
            result: { status: "bounced", reason: "mailbox full", last_attempt_minutes_ago: 12 },
            http: {
              method: "GET",
              url: "https://api.postmarkapp.example/messages/outbound?recipient=jonas.becker%40example.com&count=5",
              status: 200,
              ms: [120, 350],
            },
          },
        ],
        answer:
          "I found the problem: our reset emails to jonas.becker@example.com bounced because the mailbox is full. Free up some space and I'll resend the link right away.",
      },
      {
        user: "Done, I deleted a bunch of old emails.",
        tools: [
          {
            name: "send_password_reset",
            args: { email: "jonas.becker@example.com" },
            result: { queued: true, expires_in_minutes: 30 },
            http: { method: "POST", url: `${NW}/v1/auth/password-resets`, status: 202, ms: [80, 220] },
          },
        ],
        answer:
          "Great, a new reset link is on its way and stays valid for 30 minutes. If it isn't in your inbox within a couple of minutes, check the spam folder too.",
      },
    ],
  },
  {
    lang: "en",
    category: "orders",
    customer: "Sofia Alvarez",
    companyId: "company_northwind",
    turns: [
      {
        user: "The headphones I bought don't fit well. Can I return them?",
        tools: [
          {
            name: "lookup_order",
            args: { order_id: "5307" },
            result: { item: "Sony WH-1000XM5", delivered_days_ago: 12, return_window_days: 30 },
            http: { method: "GET", url: `${NW}/v1/orders/5307`, status: 200, ms: [60, 180] },
          },
          {
            name: "create_return",
            args: { order_id: "5307", reason: "fit" },
            result: { rma: "RMA-55120", label: "ups_prepaid" },
            http: { method: "POST", url: `${NW}/v1/returns`, status: 201, ms: [150, 400] },
          },
        ],
        answer:
          "Of course. Your Sony WH-1000XM5 arrived 12 days ago, well within the 30-day return window. I've opened return RMA-55120, and the prepaid UPS label is in your email.",
      },
      {
        user: "Do I get a refund or store credit?",
        answer:
          "A refund to your original card, by default. If you'd rather have store credit, you get it the moment the parcel is scanned, with a 10% bonus; just tell me which you prefer.",
      },
    ],
  },
  {
    lang: "en",
    category: "billing",
    customer: "Ethan Brooks",
    companyId: "company_globex",
    turns: [
      {
        user: "Can I get an invoice with my company's VAT number on it?",
        tools: [
          {
            name: "get_billing_profile",
            args: { customer_id: "cus_R2mPq81z" },
            result: { company: "Globex GmbH", vat_id: null, country: "DE" },
            http: { method: "GET", url: `${NW}/v1/billing/profiles/cus_R2mPq81z`, status: 200, ms: [50, 150] },
          },
        ],
        answer:
          "Sure. Your billing profile for Globex GmbH has no VAT number yet; send it to me and I'll add it, then reissue this year's invoices with it.",
      },
      {
        user: "It's DE 811 569 869.",
        tools: [
          {
            name: "update_billing_profile",
            args: { customer_id: "cus_R2mPq81z", vat_id: "DE811569869" },
            result: { vat_valid: true, invoices_reissued: 4 },
            http: { method: "PATCH", url: `${NW}/v1/billing/profiles/cus_R2mPq81z`, status: 200, ms: [400, 1100] },
          },
        ],
        answer:
          "Done: the VAT number checked out with the EU VIES service, and I reissued your 4 invoices from this year with it. You'll find them under Billing › Invoices.",
      },
    ],
  },
  {
    lang: "pt",
    category: "network",
    customer: "Carlos Henrique",
    companyId: "company_nw_telecom",
    turns: [
      {
        user: "Minha internet caiu desde ontem à noite",
        tools: [
          {
            name: "check_outage",
            args: { cep: "01310-100" },
            result: { incident: "INC-20931", type: "manutenção", eta: "18:00" },
            http: { method: "GET", url: `${TELECOM}/v2/outages?cep=01310100`, status: 200, ms: [90, 300] },
          },
        ],
        answer:
          "Sinto muito pelo transtorno! Há uma manutenção na rede da sua região (chamado INC-20931) e a previsão de normalização é hoje às 18h.",
      },
      {
        user: "Preciso agendar um técnico?",
        tools: [
          {
            name: "get_modem_status",
            args: { serial: "ZTE-88213" },
            result: { online: false, last_seen: "ontem 22:47", signal: "sem sinal óptico" },
            http: { method: "GET", url: `${TELECOM}/v2/modems/ZTE-88213/status`, status: 200, ms: [300, 900] },
          },
        ],
        answer:
          "Não precisa: o seu modem está sem sinal porque a falha é na rede externa, não no equipamento. Se a conexão não voltar até as 18h, eu agendo a visita sem custo.",
      },
      {
        user: "Obrigado! Mais uma dúvida: vou ter desconto pelos dias sem internet?",
        tools: [
          { name: "calculate_outage_credit", args: { contract: "CT-771204", hours: 20 }, result: { credit_brl: 3.61 } },
        ],
        answer:
          "Vai sim. O período sem serviço é descontado automaticamente da próxima fatura: serão R$ 3,61 de crédito pelas 20 horas de interrupção.",
      },
    ],
  },
  {
    lang: "pt",
    category: "billing",
    customer: "Fernanda Ribeiro",
    companyId: "company_nw_telecom",
    turns: [
      {
        user: "Quero cancelar meu plano",
        tools: [
          {
            name: "get_contract",
            args: { cpf: "***.456.789-**" },
            result: { plan: "Fibra 500 Mega", price_brl: 129.9, loyalty_until: null },
            http: { method: "GET", url: `${TELECOM}/v2/contracts?document=hash_9f2c1a`, status: 200, ms: [80, 250] },
          },
        ],
        answer:
          "Posso ajudar com isso. Antes, uma proposta: mantendo o Fibra 500 Mega, você paga R$ 89,90 nos próximos 3 meses. Quer aproveitar ou prefere seguir com o cancelamento?",
      },
      {
        user: "Prefiro cancelar mesmo, vou mudar de cidade.",
        tools: [
          {
            name: "create_cancellation",
            args: { contract: "CT-650318", reason: "mudança de cidade" },
            result: { protocol: "48213307", equipment_pickup_days: 5, fee_brl: 0 },
            http: { method: "POST", url: `${TELECOM}/v2/cancellations`, status: 201, ms: [200, 600] },
          },
        ],
        answer:
          "Entendido. Cancelamento registrado com o protocolo 48213307. Um técnico retira o equipamento em até 5 dias úteis, e não há multa, porque o seu plano não tem fidelidade.",
      },
    ],
  },
  {
    lang: "pt",
    category: "billing",
    customer: "João Pedro Alves",
    companyId: "company_nw_telecom",
    turns: [
      {
        user: "Como emito a segunda via do boleto?",
        tools: [
          {
            name: "get_open_invoices",
            args: { contract: "CT-702291" },
            result: [{ invoice: "FAT-2291-11", amount_brl: 129.9, due: "dia 10" }],
            http: {
              method: "GET",
              url: `${TELECOM}/v2/invoices?contract=CT-702291&status=open`,
              status: 200,
              ms: [90, 260],
            },
          },
        ],
        answer:
          "Você tem uma fatura em aberto de R$ 129,90, com vencimento no dia 10. Quer que eu envie o boleto por aqui ou prefere pagar com Pix?",
      },
      {
        user: "Pode mandar o Pix, por favor",
        tools: [
          {
            name: "create_pix_charge",
            args: { invoice: "FAT-2291-11", amount_brl: 129.9 },
            result: {
              txid: "NWT2291117a3c",
              copia_e_cola: "00020126580014br.gov.bcb.pix0136a1f4...5204000053039865406129.90",
            },
            http: { method: "POST", url: `${PAY}/v1/pix/cobrancas`, status: 201, ms: [250, 700] },
          },
        ],
        answer:
          "Pronto! Segue o Pix copia e cola: 00020126580014br.gov.bcb.pix0136a1f4...5204000053039865406129.90. O pagamento é confirmado na hora e a fatura já aparece como paga.",
      },
    ],
  },
  {
    lang: "pt",
    category: "network",
    customer: "Luciana Martins",
    companyId: "company_nw_telecom",
    turns: [
      {
        user: "Vou me mudar para Campinas, CEP 13015-904. Consigo levar a internet?",
        tools: [
          {
            name: "check_coverage",
            args: { cep: "13015-904" },
            result: { fiber: true, max_speed: "1 Giga", install_days: 3 },
            http: { method: "GET", url: `${TELECOM}/v2/coverage?cep=13015904`, status: 200, ms: [150, 450] },
          },
        ],
        answer:
          "Consegue sim! O CEP 13015-904 tem cobertura de fibra, inclusive com o plano de 1 Giga, e a mudança de endereço é gratuita.",
      },
      {
        user: "E quanto tempo demora a instalação no endereço novo?",
        answer:
          "A instalação leva até 3 dias úteis depois do agendamento. Me diga a data da mudança que eu já reservo o técnico para o mesmo dia.",
      },
    ],
  },
  {
    lang: "pt",
    category: "account",
    customer: "Rafael Costa",
    companyId: "company_nw_telecom",
    turns: [
      {
        user: "Qual o horário de atendimento da loja do Shopping Paulista?",
        tools: [
          {
            name: "search_knowledge_base",
            args: { query: "horário loja Shopping Paulista", top_k: 3 },
            result: [{ id: "kb-pt-41", title: "Lojas e horários em São Paulo", score: 0.89 }],
          },
        ],
        answer:
          "A loja do Shopping Paulista abre de segunda a sábado, das 10h às 22h, e aos domingos, das 14h às 20h. Aqui no WhatsApp o atendimento é 24 horas.",
      },
    ],
  },
];

const BOOKING = "https://api.reservas-marazul.example";

/**
 * The long conversation: a family booking a stay at a guest house over WhatsApp, turn by turn,
 * with the dates of a stay about a month after `now`.
 */
export function hotelDialogue(now: Date): Dialogue {
  const checkIn = new Date(now.getTime() + 33 * 86_400_000);
  const checkOut = new Date(checkIn.getTime() + 3 * 86_400_000);
  const saturday = new Date(checkIn.getTime() + 86_400_000);
  const day = (d: Date) => d.toLocaleDateString("pt-BR", { day: "numeric", month: "long", timeZone: "UTC" });
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const stay = `de ${day(checkIn)} a ${day(checkOut)}`;
  return {
    lang: "pt",
    category: "booking",
    customer: "Mariana Souza Lima",
    companyId: "company_mar_azul",
    turns: [
      {
        user: `Oi! Vocês têm quarto para 3 noites a partir de ${day(checkIn)}?`,
        tools: [
          {
            name: "check_availability",
            args: { check_in: iso(checkIn), check_out: iso(checkOut) },
            result: { available: ["suite_vista_mar", "standard_varanda"], sold_out: ["chale_jardim"] },
            http: {
              method: "GET",
              url: `${BOOKING}/v1/availability?check_in=${iso(checkIn)}&check_out=${iso(checkOut)}`,
              status: 200,
              ms: [200, 600],
            },
          },
        ],
        answer: `Oi! Temos sim. Para ${stay} ainda há a suíte com vista para o mar e o quarto standard com varanda. Quantas pessoas vão se hospedar?`,
      },
      {
        user: "Somos eu, meu marido e nossa filha de 6 anos.",
        answer:
          "Perfeito! Crianças até 7 anos não pagam hospedagem e ficam no quarto com os pais. Na suíte cabe uma cama extra; no standard, ela dormiria na bicama.",
      },
      {
        user: "Quanto fica a suíte com vista para o mar?",
        tools: [
          {
            name: "quote_stay",
            args: { room: "suite_vista_mar", check_in: iso(checkIn), nights: 3, adults: 2, children: [6] },
            result: { nightly_brl: 690, total_brl: 2070, breakfast: true },
            http: { method: "POST", url: `${BOOKING}/v1/quotes`, status: 200, ms: [150, 400] },
          },
        ],
        answer:
          "A suíte com vista para o mar sai por R$ 690 a diária, R$ 2.070 pelas 3 noites, com café da manhã incluído.",
      },
      {
        user: "E o quarto standard?",
        tools: [
          {
            name: "quote_stay",
            args: { room: "standard_varanda", check_in: iso(checkIn), nights: 3, adults: 2, children: [6] },
            result: { nightly_brl: 420, total_brl: 1260, breakfast: true },
            http: { method: "POST", url: `${BOOKING}/v1/quotes`, status: 200, ms: [150, 400] },
          },
        ],
        answer:
          "O standard com varanda fica R$ 420 a diária, R$ 1.260 no total, também com café. A diferença é a vista, para o jardim, e o tamanho: 22 m² contra 38 m² da suíte.",
      },
      {
        user: "O café da manhã é servido até que horas?",
        answer: "Das 7h30 às 10h30, no restaurante de frente para a piscina. Aos domingos estendemos até as 11h.",
      },
      {
        user: "Podemos levar nosso cachorro? Ele é pequeno.",
        answer:
          "Pode sim, somos pet friendly! Aceitamos pets de até 10 kg, com taxa de R$ 60 por noite. Só pedimos a carteira de vacinação em dia.",
      },
      {
        user: "Tem estacionamento?",
        answer: "Temos estacionamento coberto e gratuito para hóspedes, com 18 vagas. Não precisa reservar.",
      },
      {
        user: "Qual a distância até a praia?",
        answer: "São 150 metros, uns 2 minutos a pé. Emprestamos guarda-sol, cadeiras e toalhas de praia sem custo.",
      },
      {
        user: "Vocês fazem transfer do aeroporto?",
        answer:
          "Fazemos. Do aeroporto de Navegantes o transfer custa R$ 180 por trecho para até 4 pessoas, e a viagem leva cerca de 40 minutos.",
      },
      {
        user: "Que horas é o check-in e o check-out?",
        answer:
          "O check-in é a partir das 14h e o check-out até as 12h. Se chegarem antes, guardamos as malas e vocês já podem aproveitar a piscina.",
      },
      {
        user: "Dá para fazer check-in antecipado? Nosso voo chega às 9h.",
        tools: [
          {
            name: "check_early_checkin",
            args: { room: "suite_vista_mar", date: iso(checkIn) },
            result: { previous_night_free: true, earliest: "11:00", fee_brl: 0 },
            http: {
              method: "GET",
              url: `${BOOKING}/v1/rooms/suite_vista_mar/early-checkin?date=${iso(checkIn)}`,
              status: 200,
              ms: [100, 300],
            },
          },
        ],
        answer: `Para ${day(checkIn)} consigo liberar a suíte a partir das 11h, sem custo, porque ela estará vaga na noite anterior. Deixo anotado?`,
      },
      {
        user: "Sim, por favor! Vamos ficar com a suíte.",
        answer: "Ótima escolha! Para a pré-reserva, preciso do nome completo e do CPF de quem será o titular.",
      },
      {
        user: "Mariana Souza Lima, CPF 123.456.789-09",
        tools: [
          {
            name: "create_booking",
            args: {
              room: "suite_vista_mar",
              check_in: iso(checkIn),
              nights: 3,
              guest: "Mariana Souza Lima",
              early_checkin: "11:00",
            },
            result: { booking: "MAZ-7731", status: "pre_reserva", hold_hours: 24 },
            http: { method: "POST", url: `${BOOKING}/v1/bookings`, status: 201, ms: [300, 800] },
          },
        ],
        answer: `Pré-reserva feita, Mariana: código MAZ-7731, suíte vista mar ${stay}, com check-in às 11h. Ela fica garantida por 24 horas, até o pagamento do sinal.`,
      },
      {
        user: "Quanto é o sinal e como pago?",
        answer: "O sinal é de 30%, R$ 621,00, por Pix ou cartão de crédito. O restante é pago no check-in.",
      },
      {
        user: "Dá para parcelar no cartão?",
        answer:
          "Dá sim: no cartão, o valor total pode ser parcelado em até 3 vezes sem juros, e aí não há sinal separado.",
      },
      {
        user: "Prefiro o Pix para o sinal.",
        tools: [
          {
            name: "create_pix_charge",
            args: { booking: "MAZ-7731", amount_brl: 621 },
            result: {
              txid: "MAZ7731SINAL01",
              copia_e_cola: "00020126360014BR.GOV.BCB.PIX0114+554799990000520400005303986540621.00",
            },
            http: { method: "POST", url: `${PAY}/v1/pix/cobrancas`, status: 201, ms: [250, 700] },
          },
        ],
        answer:
          "Aqui está o Pix copia e cola do sinal de R$ 621,00: 00020126360014BR.GOV.BCB.PIX0114+554799990000520400005303986540621.00. Assim que o pagamento cair eu te aviso por aqui.",
      },
      {
        user: "Paguei agora.",
        tools: [
          {
            name: "get_pix_status",
            args: { txid: "MAZ7731SINAL01" },
            result: { status: "CONCLUIDA", paid_brl: 621 },
            http: { method: "GET", url: `${PAY}/v1/pix/cobrancas/MAZ7731SINAL01`, status: 200, ms: [100, 300] },
          },
        ],
        answer:
          "Recebido! Sua reserva MAZ-7731 está confirmada, e o voucher com todos os detalhes foi enviado para o seu e-mail.",
      },
      {
        user: "Qual a política de cancelamento?",
        answer:
          "Cancelando até 15 dias antes do check-in, devolvemos o sinal integralmente. Depois disso, o valor vira crédito para usar em até 12 meses.",
      },
      {
        user: "O restaurante abre para jantar?",
        answer:
          "Abre de quinta a domingo, das 19h às 23h, com frutos do mar e massas. Na alta temporada abrimos todas as noites; vale reservar mesa.",
      },
      {
        user: `Pode reservar uma mesa para ${day(saturday)} às 20h?`,
        tools: [
          {
            name: "reserve_table",
            args: { date: iso(saturday), time: "20:00", people: 3, name: "Mariana", high_chair: true },
            result: { reservation: "MESA-2044", confirmed: true },
            http: { method: "POST", url: `${BOOKING}/v1/restaurant/reservations`, status: 201, ms: [150, 400] },
          },
        ],
        answer: `Mesa reservada para ${day(saturday)}, às 20h, para 3 pessoas, em nome de Mariana. Já pedi uma cadeirinha para a sua filha.`,
      },
      {
        user: "Tem alguma atividade para crianças?",
        answer:
          "Temos recreação infantil todos os dias: oficinas de pintura e caça ao tesouro das 10h às 12h e das 15h às 17h, para crianças de 4 a 10 anos, sem custo.",
      },
      {
        user: "A piscina é aquecida?",
        answer: "É sim, aquecida a 28 °C e aberta das 8h às 21h. Ao lado há também uma piscina infantil rasinha.",
      },
      {
        user: "Perfeito. Tem farmácia perto?",
        answer:
          "A Farmácia Catarinense fica a 400 metros, na avenida principal, aberta das 8h às 22h. O pronto-atendimento mais próximo fica a 3 km.",
      },
      {
        user: "Muito obrigada pela ajuda!",
        answer: `Eu que agradeço, Mariana! Qualquer dúvida antes da viagem é só chamar por aqui. Até ${day(checkIn)}!`,
      },
    ],
  };
}
