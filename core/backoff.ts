/**
 * Deterministic exponential backoff. Jitter comes from a caller-supplied seed (e.g. the workflow
 * id plus the snapshot key), so a replayed workflow computes the same delay and two PRs that failed
 * together do not retry in lockstep.
 */

export interface BackoffOptions {
  /** Delay after the first attempt. @default 60000 (1 min) */
  baseMs?: number;
  /** Upper bound for any delay, jitter included. @default 1800000 (30 min) */
  capMs?: number;
  /** Fraction of the delay to spread either way (0.2 → ±20 %). @default 0.2 */
  jitter?: number;
  /** Any stable value; the same seed and attempt always give the same delay. */
  seed: string | number;
}

export const BACKOFF_DEFAULTS = { baseMs: 60_000, capMs: 1_800_000, jitter: 0.2 } as const;

/** FNV-1a over the string, then a murmur3 finaliser: a well-spread 32-bit hash without crypto. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) fixed by (seed, salt). */
export function seededUnit(seed: string | number, salt: string | number): number {
  return hash32(`${seed}\u0000${salt}`) / 0x1_0000_0000;
}

/**
 * Wait before the next try, given how many attempts were already made: 1 → base, 2 → 2×base,
 * 3 → 4×base … never above `capMs`. `attempt <= 0` (nothing tried yet) means no wait.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const capMs = options.capMs ?? BACKOFF_DEFAULTS.capMs;
  const jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
  if (!Number.isFinite(attempt) || attempt <= 0) return 0;
  if (baseMs < 0 || capMs < 0) throw new RangeError('backoff baseMs and capMs must be >= 0');
  if (jitter < 0 || jitter > 1) throw new RangeError('backoff jitter must be between 0 and 1');
  // 2 ** 1100 is Infinity, and Math.min(cap, Infinity) is still cap: no overflow case to guard.
  const raw = Math.min(capMs, baseMs * 2 ** (Math.floor(attempt) - 1));
  const spread = jitter * (2 * seededUnit(options.seed, Math.floor(attempt)) - 1);
  return Math.round(Math.min(capMs, Math.max(0, raw * (1 + spread))));
}
