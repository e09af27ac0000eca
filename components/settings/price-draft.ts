import type { ModelPrice } from "@/lib/contracts/models";

/** A price row as the editor holds it: what the user typed, one string per cell. */
export type PriceDraft = {
  key: string;
  model: string;
  provider: string;
  startsAt: string;
  input: string;
  output: string;
  cachedInput: string;
  reasoning: string;
};

let next = 0;
const newKey = () => `row-${++next}`;

const text = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

export function toDraft(p: Partial<ModelPrice> & { model: string }): PriceDraft {
  return {
    key: newKey(),
    model: p.model,
    provider: p.provider ?? "",
    startsAt: p.startsAt ?? "",
    input: text(p.input),
    output: text(p.output),
    cachedInput: text(p.cachedInput),
    reasoning: text(p.reasoning),
  };
}

export type DraftErrors = Partial<Record<keyof Omit<PriceDraft, "key">, string>>;

const PRICE = /^\d+(\.\d+)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A draft row as the API's ModelPrice, or what is wrong with it, field by field (the same rules as
 * the API's, so the editor can say what blocks saving before it is sent).
 */
export function fromDraft(d: PriceDraft): { price: ModelPrice } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const model = d.model.trim();
  if (!model) errors.model = "Name the model.";
  else if (/\s/.test(model)) errors.model = "No spaces.";
  const startsAt = d.startsAt.trim();
  if (startsAt && (!DAY.test(startsAt) || Number.isNaN(Date.parse(startsAt)))) errors.startsAt = "YYYY-MM-DD";
  const num = (field: "input" | "output" | "cachedInput" | "reasoning", required: boolean) => {
    const v = d[field].trim();
    if (!v) {
      if (required) errors[field] = "Required";
      return null;
    }
    if (!PRICE.test(v)) {
      errors[field] = "A price, e.g. 2.5";
      return null;
    }
    return Number(v);
  };
  const input = num("input", true);
  const output = num("output", true);
  const cachedInput = num("cachedInput", false);
  const reasoning = num("reasoning", false);
  if (Object.keys(errors).length) return { errors };
  return {
    price: {
      model,
      provider: d.provider.trim() || null,
      startsAt: startsAt || null,
      input: input ?? 0,
      output: output ?? 0,
      cachedInput,
      reasoning,
    },
  };
}
