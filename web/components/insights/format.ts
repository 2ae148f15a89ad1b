/** How Insights shows its figures: a dash for "no data", hours under two days, else days. */
export const dash = '–';

export function formatDuration(ms: number | null): string {
  if (ms === null) return dash;
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.round(ms / 60_000)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

export function formatUsd(usd: number | null): string {
  return usd === null ? dash : `$${usd.toFixed(2)}`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? dash : `${Math.round(rate * 100)}%`;
}

export function formatNumber(x: number | null, digits = 1): string {
  return x === null ? dash : Number.isInteger(x) ? String(x) : x.toFixed(digits);
}
