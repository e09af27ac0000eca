import type { ModelPrice } from "../contracts/models.ts";

/**
 * The built-in price table: list prices (USD per million tokens, standard tier, no batch discount)
 * of common models as their providers published them. A workspace that edits its table in
 * Settings › Models keeps its own copy; this list only seeds it. Where a provider changed a price,
 * both entries are kept with the date the new one starts, so older calls keep their price.
 *
 * Patterns: `*` matches any characters, so dated snapshots (gpt-4o-2024-08-06,
 * claude-3-5-sonnet-20241022) find their family; the most specific pattern wins (see pricing.ts).
 */
const p = (
  model: string,
  provider: string,
  input: number,
  output: number,
  cachedInput: number | null = null,
  startsAt: string | null = null,
): ModelPrice => ({ model, provider, startsAt, input, output, cachedInput, reasoning: null });

export const DEFAULT_MODEL_PRICES: ModelPrice[] = [
  // OpenAI
  p("gpt-5*", "openai", 1.25, 10, 0.125),
  p("gpt-5-mini*", "openai", 0.25, 2, 0.025),
  p("gpt-5-nano*", "openai", 0.05, 0.4, 0.005),
  p("gpt-4.1*", "openai", 2, 8, 0.5),
  p("gpt-4.1-mini*", "openai", 0.4, 1.6, 0.1),
  p("gpt-4.1-nano*", "openai", 0.1, 0.4, 0.025),
  p("gpt-4o*", "openai", 2.5, 10, 1.25),
  p("gpt-4o-2024-05-13", "openai", 5, 15),
  p("gpt-4o-mini*", "openai", 0.15, 0.6, 0.075),
  p("gpt-4-turbo*", "openai", 10, 30),
  p("gpt-4", "openai", 30, 60),
  p("gpt-4-0613", "openai", 30, 60),
  p("gpt-3.5-turbo*", "openai", 0.5, 1.5),
  p("o1*", "openai", 15, 60, 7.5),
  p("o1-mini*", "openai", 1.1, 4.4, 0.55),
  p("o3*", "openai", 10, 40, 2.5),
  p("o3*", "openai", 2, 8, 0.5, "2025-06-10"),
  p("o3-mini*", "openai", 1.1, 4.4, 0.55),
  p("o4-mini*", "openai", 1.1, 4.4, 0.275),
  p("text-embedding-3-small", "openai", 0.02, 0),
  p("text-embedding-3-large", "openai", 0.13, 0),
  p("text-embedding-ada-002", "openai", 0.1, 0),
  // Anthropic (cached input: cache reads)
  p("claude-opus-4-5*", "anthropic", 5, 25, 0.5),
  p("claude-opus-4*", "anthropic", 15, 75, 1.5),
  p("claude-sonnet-4*", "anthropic", 3, 15, 0.3),
  p("claude-haiku-4-5*", "anthropic", 1, 5, 0.1),
  p("claude-3-7-sonnet*", "anthropic", 3, 15, 0.3),
  p("claude-3-5-sonnet*", "anthropic", 3, 15, 0.3),
  p("claude-3-5-haiku*", "anthropic", 0.8, 4, 0.08),
  p("claude-3-opus*", "anthropic", 15, 75, 1.5),
  p("claude-3-haiku*", "anthropic", 0.25, 1.25, 0.03),
  // Google (prompts up to 200k tokens)
  p("gemini-2.5-pro*", "google", 1.25, 10, 0.31),
  p("gemini-2.5-flash*", "google", 0.3, 2.5, 0.075),
  p("gemini-2.5-flash-lite*", "google", 0.1, 0.4, 0.025),
  p("gemini-2.0-flash*", "google", 0.1, 0.4, 0.025),
  p("gemini-2.0-flash-lite*", "google", 0.075, 0.3),
  p("gemini-1.5-pro*", "google", 1.25, 5),
  p("gemini-1.5-flash*", "google", 0.075, 0.3),
  p("text-embedding-004", "google", 0, 0),
  // Mistral
  p("mistral-large*", "mistral", 2, 6),
  p("mistral-medium*", "mistral", 0.4, 2),
  p("mistral-small*", "mistral", 0.1, 0.3),
  p("codestral*", "mistral", 0.3, 0.9),
  p("open-mistral-nemo*", "mistral", 0.15, 0.15),
  p("ministral-8b*", "mistral", 0.1, 0.1),
  p("mistral-embed", "mistral", 0.1, 0),
  // Open models at their makers' or common hosts' list prices
  p("deepseek-chat", "deepseek", 0.27, 1.1, 0.07),
  p("deepseek-reasoner", "deepseek", 0.55, 2.19, 0.14),
  p("llama-3.3-70b*", "groq", 0.59, 0.79),
  p("llama-3.1-8b*", "groq", 0.05, 0.08),
  p("mixtral-8x7b*", "groq", 0.24, 0.24),
];
