/**
 * Dollar cost of model calls. A default table in USD per million tokens, matched by the longest
 * model-id prefix (so dated ids like `claude-sonnet-4-5-20250929` find their family), and an
 * override table from settings that wins over the defaults. Unknown models (local Ollama, vLLM)
 * cost nothing rather than failing the session.
 */
import { z } from 'zod';
import type { TokenUsage } from '../../core/agent.js';

export const modelPriceSchema = z.object({
  inputPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
  cacheReadPerMTok: z.number().min(0),
  cacheWritePerMTok: z.number().min(0),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Settings shape for overrides: model id (or id prefix) → price. */
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

const p = (
  inputPerMTok: number,
  outputPerMTok: number,
  cacheReadPerMTok: number,
  cacheWritePerMTok: number,
): ModelPrice => ({
  inputPerMTok,
  outputPerMTok,
  cacheReadPerMTok,
  cacheWritePerMTok,
});

/** List prices (USD per million tokens). Anthropic cache writes are the 5-minute ephemeral rate. */
export const DEFAULT_PRICES: Readonly<PriceTable> = {
  // Family fallbacks for ids newer than this table (the specific entries below win by length).
  'claude-opus': p(5, 25, 0.5, 6.25),
  'claude-sonnet': p(3, 15, 0.3, 3.75),
  'claude-haiku': p(1, 5, 0.1, 1.25),
  'claude-opus-4-5': p(5, 25, 0.5, 6.25),
  'claude-opus-4-1': p(15, 75, 1.5, 18.75),
  'claude-opus-4': p(15, 75, 1.5, 18.75),
  'claude-sonnet-4-5': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4': p(3, 15, 0.3, 3.75),
  'claude-3-7-sonnet': p(3, 15, 0.3, 3.75),
  'claude-haiku-4-5': p(1, 5, 0.1, 1.25),
  'claude-3-5-haiku': p(0.8, 4, 0.08, 1),
  'gpt-5-mini': p(0.25, 2, 0.025, 0),
  'gpt-5-nano': p(0.05, 0.4, 0.005, 0),
  'gpt-5': p(1.25, 10, 0.125, 0),
  'gpt-4.1-mini': p(0.4, 1.6, 0.1, 0),
  'gpt-4.1-nano': p(0.1, 0.4, 0.025, 0),
  'gpt-4.1': p(2, 8, 0.5, 0),
  'gpt-4o-mini': p(0.15, 0.6, 0.075, 0),
  'gpt-4o': p(2.5, 10, 1.25, 0),
  'o4-mini': p(1.1, 4.4, 0.275, 0),
  o3: p(2, 8, 0.5, 0),
};

/** The price for a model: exact or longest-prefix match, overrides first; null when unknown. */
export function priceFor(model: string, overrides: PriceTable = {}): ModelPrice | null {
  // OpenRouter-style ids (`anthropic/claude-sonnet-4-5`) price like the bare id.
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const table of [overrides, DEFAULT_PRICES]) {
    for (const id of [model, bare]) {
      const exact = table[id];
      if (exact) return exact;
      const prefix = Object.keys(table)
        .filter((k) => id.startsWith(k))
        .sort((a, b) => b.length - a.length)[0];
      if (prefix) return table[prefix] ?? null;
    }
  }
  return null;
}

/** Dollars for one response's usage. `inputTokens` excludes cached tokens (runners normalise). */
export function costUsd(usage: TokenUsage, model: string, overrides: PriceTable = {}): number {
  const price = priceFor(model, overrides);
  if (!price) return 0;
  const dollars =
    (usage.inputTokens * price.inputPerMTok +
      usage.outputTokens * price.outputPerMTok +
      usage.cacheReadTokens * price.cacheReadPerMTok +
      usage.cacheWriteTokens * price.cacheWritePerMTok) /
    1_000_000;
  // Keep sums readable in the console (no 0.30000000000000004).
  return Math.round(dollars * 1e9) / 1e9;
}
