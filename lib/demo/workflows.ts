import { flow } from "@runlens/sdk";
import { z } from "zod";
import { appError, type Demo, httpCall, llmCall, toolCall, work } from "./calls.ts";

/** What one scenario sent: its executions and business events. */
export type Tally = { executions: number; events: number };

const PRODUCTS = [
  { sku: "SKU-1042", name: "Anker 737 Power Bank", price: 109.99, category: "electronics" },
  { sku: "SKU-1187", name: "Sony WH-1000XM5 headphones", price: 399.99, category: "electronics" },
  { sku: "SKU-2210", name: "Kindle Paperwhite 16 GB", price: 159.99, category: "electronics" },
  { sku: "SKU-3318", name: "The Pragmatic Programmer", price: 44.95, category: "books" },
  { sku: "SKU-3391", name: "Designing Data-Intensive Applications", price: 49.99, category: "books" },
  { sku: "SKU-4471", name: "LEGO Technic Ford Mustang", price: 119.99, category: "toys" },
  { sku: "SKU-5120", name: "Le Creuset Dutch oven 5.5 qt", price: 419.95, category: "home" },
  { sku: "SKU-5188", name: "Dyson V15 Detect vacuum", price: 749.99, category: "home" },
] as const;
const CUSTOMERS = [
  { id: "c_1042", name: "Dana Whitaker", email: "dana.whitaker@example.com", phone: "+13125550187", city: "Chicago" },
  { id: "c_2291", name: "Marcus Lee", email: "marcus.lee@example.com", phone: "+14155550142", city: "San Francisco" },
  { id: "c_3307", name: "Sofia Alvarez", email: "sofia.alvarez@example.com", phone: "+13055550119", city: "Miami" },
  { id: "c_4518", name: "Ethan Brooks", email: "ethan.brooks@example.com", phone: "+12065550163", city: "Seattle" },
  { id: "c_5120", name: "Aisha Khan", email: "aisha.khan@example.com", phone: "+16175550128", city: "Boston" },
] as const;

const ZOrder = z.object({
  orderId: z.string(),
  customerId: z.string(),
  items: z.array(z.object({ sku: z.string(), name: z.string(), qty: z.number().int(), price: z.number() })),
  total: z.number(),
});
type Order = z.infer<typeof ZOrder>;

const WORKFLOW_FRAMES = [
  "async runStep (/app/src/workflows/engine.ts:131:22)",
  "async executeWorkflow (/app/src/workflows/engine.ts:88:7)",
  "async POST (/app/src/routes/checkout.ts:54:18)",
];

type OrderOutcome = "fulfilled" | "card_declined" | "out_of_stock";

/**
 * Checkout orders through a workflow with every step type: validation, a CRM lookup, a review
 * condition and queue switch, stock reserved item by item, the card charged, a confirmation
 * written by a model, and email and SMS sent in parallel. Some cards are declined and one toy
 * runs out of stock, always with the same messages, so the overview's top errors repeat.
 */
export async function runOrders(demo: Demo, startTimes: number[]): Promise<Tally> {
  const tally: Tally = { executions: 0, events: 0 };
  for (const [i, start] of startTimes.entries()) {
    demo.time.set(start);
    const outcome: OrderOutcome = i % 5 === 3 ? "card_declined" : i % 7 === 5 ? "out_of_stock" : "fulfilled";
    const order = newOrder(demo, 2000 + i * 7, outcome);
    const fulfilled = await orderWorkflow(demo, order, outcome)
      .execute(order)
      .then(
        () => true,
        () => false,
      );
    tally.executions++;
    if (fulfilled) tally.events++;
  }
  return tally;
}

function newOrder({ random }: Demo, n: number, outcome: OrderOutcome): Order {
  const picked = new Set([random.int(0, PRODUCTS.length - 1), random.int(0, PRODUCTS.length - 1)]);
  if (outcome === "out_of_stock") picked.add(5); // the LEGO set
  const items = [...picked].map((k) => ({ ...PRODUCTS[k], qty: random.chance(0.8) ? 1 : 2 }));
  const total = Math.round(items.reduce((sum, it) => sum + it.price * it.qty, 0) * 100) / 100;
  return {
    orderId: `ORD-${n}`,
    customerId: random.pick(CUSTOMERS).id,
    items: items.map(({ sku, name, qty, price }) => ({ sku, name, qty, price })),
    total,
  };
}

function orderWorkflow(demo: Demo, order: Order, outcome: OrderOutcome) {
  const { client, random } = demo;
  const customer = CUSTOMERS.find((c) => c.id === order.customerId)!;
  const firstName = customer.name.split(" ")[0];
  const eta = random.pick(["Tuesday", "Wednesday", "Thursday", "Friday"]);
  const itemsText = order.items.map((it) => `${it.qty} × ${it.name}`).join(", ");
  const confirmation = `Thanks, ${firstName}! Your order ${order.orderId} (${itemsText}) is confirmed and should reach ${customer.city} by ${eta}. We'll send the tracking number as soon as it ships.`;
  return flow({
    id: "order-fulfillment",
    name: "Order fulfillment",
    agent: "order-pipeline",
    inputSchema: ZOrder,
    outputSchema: z.unknown(),
    client,
  })
    .step("validate", async (o: Order) => {
      await work(demo, 3, 15);
      return { ...o, valid: true, currency: "USD" };
    })
    .connector("crm-lookup", async (o: Order) => {
      const contact = await httpCall(demo, {
        method: "POST",
        url: "https://api.hubapi.example/crm/v3/objects/contacts/search",
        status: 200,
        ms: [150, 450],
        body: { filterGroups: [{ filters: [{ propertyName: "email", operator: "EQ", value: customer.email }] }] },
        response: { id: `contact_${customer.id}`, lifecycle: "customer", lifetime_orders: random.int(1, 14) },
      });
      return { ...o, contact };
    })
    .condition("high-value", (o: Order) => o.total > 500, {
      onTrue: (o: Order) => ({ ...o, review: "manual" }),
      onFalse: (o: Order) => ({ ...o, review: "auto" }),
    })
    .switch("route", (o: { review: string }) => o.review, {
      cases: {
        manual: (o: Order) => ({ ...o, queue: "fraud-review" }),
        auto: (o: Order) => ({ ...o, queue: "fulfillment" }),
      },
    })
    .foreach(
      "reserve-stock",
      (o: Order) => o.items,
      async (item: Order["items"][number]) => {
        const short = outcome === "out_of_stock" && item.sku === "SKU-4471";
        const response = await httpCall(demo, {
          method: "POST",
          url: "https://inventory.northwind.example/v1/reservations",
          status: short ? 409 : 201,
          ms: [80, 250],
          body: { sku: item.sku, qty: item.qty, warehouse: "ORD-1", order: order.orderId },
          response: short
            ? { error: "insufficient_stock", sku: item.sku, available: 0 }
            : { reservation: `rsv_${order.orderId.slice(4)}_${item.sku.slice(4)}`, expires_in: 900 },
        });
        if (short)
          throw appError("OutOfStockError", "SKU-4471 is out of stock at warehouse ORD-1", [
            "reserveStock (/app/src/inventory/reservations.ts:57:13)",
            "async reserveItems (/app/src/orders/steps/reserve.ts:24:9)",
            ...WORKFLOW_FRAMES,
          ]);
        return response;
      },
    )
    .connector("charge-card", async () => {
      const declined = outcome === "card_declined";
      const cents = Math.round(order.total * 100);
      const response = await httpCall(demo, {
        method: "POST",
        url: "https://api.stripe.com/v1/payment_intents",
        status: declined ? 402 : 200,
        ms: [400, 1200],
        body: { amount: cents, currency: "usd", customer: `cus_${customer.id}`, confirm: true },
        response: declined
          ? { error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds" } }
          : { id: `pi_3Q${order.orderId.slice(4)}xK2eZvKYlo`, status: "succeeded", amount: cents },
      });
      if (declined)
        throw appError("StripeCardError", "Your card was declined.", [
          "chargeCard (/app/src/payments/stripe.ts:42:11)",
          "async chargeOrder (/app/src/orders/steps/charge.ts:18:20)",
          ...WORKFLOW_FRAMES,
        ]);
      client.track("order_placed", {
        amount: order.total,
        category: PRODUCTS.find((p) => p.sku === order.items[0].sku)!.category,
        customer_id: customer.id,
      });
      return response;
    })
    .agent("compose-confirmation", {
      name: "order-assistant",
      process: async () => {
        await llmCall(demo, {
          model: "gpt-4o-mini",
          promptName: "order-confirmation",
          temperature: 0.7,
          messages: [
            {
              role: "system",
              content:
                "You write the confirmation Northwind sends by email and SMS after checkout: one or two friendly sentences, no emojis, mention the items and the delivery estimate.",
            },
            {
              role: "user",
              content: `Order ${order.orderId} for ${customer.name} in ${customer.city}: ${itemsText}. Total $${order.total.toFixed(2)}. Delivery estimate: ${eta}.`,
            },
          ],
          reply: confirmation,
        });
        return { message: confirmation };
      },
    })
    .parallel("notify", {
      email: () =>
        httpCall(demo, {
          method: "POST",
          url: "https://api.sendgrid.com/v3/mail/send",
          status: 202,
          ms: [150, 450],
          body: { to: customer.email, template_id: "d-order-confirmed", text: confirmation },
          response: { accepted: true },
        }),
      sms: () =>
        httpCall(demo, {
          method: "POST",
          url: "https://api.twilio.com/2010-04-01/Accounts/AC7f3e2d/Messages.json",
          status: 201,
          ms: [300, 900],
          body: { To: customer.phone, Body: confirmation },
          response: { sid: `SM${order.orderId.slice(4)}a81f`, status: "queued" },
        }),
    })
    .build();
}

const INVOICE_VENDORS = [
  {
    name: "Acme Industrial Supply Co.",
    lines: ["Nitrile gloves, box of 100", "Safety goggles, anti-fog", "Shop towels, case"],
  },
  { name: "Globex Logistics LLC", lines: ["Pallet freight Chicago → Denver", "Liftgate delivery", "Fuel surcharge"] },
  { name: "Initech Office Solutions", lines: ["Toner cartridge HP 58X", "Copy paper, 10 reams", "Desk chair repair"] },
];

const EXTRACTION_FRAMES = [
  "OpenAIClient.complete (/app/src/llm/openai-client.ts:88:15)",
  "async withRetry (/app/src/llm/retry.ts:23:14)",
  "async extractInvoiceFields (/app/src/documents/extract-invoice.ts:41:20)",
  "async processDocument (/app/src/documents/pipeline.ts:67:18)",
  "async Worker.run (/app/src/queue/worker.ts:112:7)",
];
const RATE_LIMIT_MESSAGE =
  "Rate limit reached for gpt-4o in organization org-northwind on tokens per min (TPM). Please try again later.";

/**
 * Invoices read from a mailbox: download, OCR, field extraction by gpt-4o with retries. At month
 * end the organisation hits its rate limit: some runs succeed on a retry, others give up after
 * three attempts with the same error.
 */
export async function runInvoiceExtraction(demo: Demo, startTimes: number[]): Promise<Tally> {
  const { client, time, random } = demo;
  for (const [i, start] of startTimes.entries()) {
    time.set(start);
    const vendor = INVOICE_VENDORS[i % INVOICE_VENDORS.length];
    const invoice = `INV-${88210 + i * 3}`;
    const failedAttempts = i % 3 === 2 ? 1 : 3; // two of three give up
    const exec = client.startExecution({
      name: "invoice-extraction",
      agent: "document-analyzer",
      type: "custom_execution",
      input: { document: `s3://northwind-invoices/inbox/${invoice}.pdf`, source: "ap@northwind.example" },
    });
    client.identify({ type: "document", value: invoice });
    await httpCall(demo, {
      method: "GET",
      url: `https://northwind-invoices.s3.us-east-1.amazonaws.com/inbox/${invoice}.pdf`,
      status: 200,
      ms: [250, 800],
      response: { contentType: "application/pdf", bytes: random.int(80_000, 400_000) },
    });
    const lines = vendor.lines.map((line) => ({ line, qty: random.int(1, 12), unit: random.int(8, 240) + 0.5 }));
    const total = lines.reduce((sum, l) => sum + l.qty * l.unit, 0);
    const text = [
      `INVOICE ${invoice}`,
      `${vendor.name}`,
      "Bill to: Northwind Traders, 410 N Michigan Ave, Chicago IL 60611",
      "Terms: Net 30",
      ...lines.map((l) => `${l.qty}  ${l.line}  ${l.unit.toFixed(2)}  ${(l.qty * l.unit).toFixed(2)}`),
      `TOTAL DUE  USD ${total.toFixed(2)}`,
    ].join("\n");
    await toolCall(demo, "ocr_pdf", { document: `${invoice}.pdf`, language: "en" }, async () => {
      await work(demo, 1200, 3200);
      return { pages: 1, text };
    });
    const messages = [
      {
        role: "system" as const,
        content:
          "Extract vendor, invoice number, line items and total from the OCR text of an invoice. Answer with JSON only.",
      },
      { role: "user" as const, content: text },
    ];
    const fields = JSON.stringify({ vendor: vendor.name, invoice_number: invoice, total: Number(total.toFixed(2)) });
    let error: Error | null = null;
    for (let attempt = 1; attempt <= Math.min(failedAttempts + 1, 3); attempt++) {
      const refused = attempt <= failedAttempts;
      const refusal = refused ? appError("RateLimitError", RATE_LIMIT_MESSAGE, EXTRACTION_FRAMES) : undefined;
      try {
        await llmCall(demo, {
          model: "gpt-4o",
          promptName: "extract-invoice",
          temperature: 0,
          messages,
          reply: fields,
          refusal,
        });
        error = null;
        break;
      } catch (e) {
        error = e as Error;
        if (attempt < 3) {
          const waitMs = 2000 * 2 ** (attempt - 1);
          client.log("retrying", { attempt, wait_ms: waitMs, reason: "rate_limit" });
          await time.sleep(waitMs);
        }
      }
    }
    if (error) {
      client.logError("extraction_failed", error, { metadata: { invoice, attempts: 3 } });
      exec.setError(error);
      await exec.end();
    } else {
      await exec.end({ output: JSON.parse(fields) });
    }
  }
  return { executions: startTimes.length, events: 0 };
}
