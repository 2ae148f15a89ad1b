/** A benchmark figure: a measurement and the baseline measured in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  /** value / baseline. */
  ratio: number;
  /** Human-readable goal, e.g. "≤ 1.5x"; `met` says whether this run met it. */
  goal?: string;
  met?: boolean;
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  return { ...f, ratio: f.baseline === 0 ? Infinity : f.value / f.baseline };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `0.98x`, `43x`, and for small ratios enough digits to read them (`0.0033x`, not `0.00x`). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞x';
  if (ratio !== 0 && Math.abs(ratio) < 0.1) return `${Number(ratio.toPrecision(2))}x`;
  return `${ratio.toFixed(2)}x`;
}
