import { describe, expect, it } from 'vitest';
import { backoffDelayMs, seededUnit } from './backoff.js';

describe('backoffDelayMs', () => {
  it.each([
    [0, 0],
    [-1, 0],
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [4, 480_000],
    [5, 960_000],
    [6, 1_800_000],
    [7, 1_800_000],
    [50, 1_800_000],
    [5000, 1_800_000],
  ])(
    'backoffDelayMs doubles from 1 min and caps at 30 min without jitter: attempt %i → %i ms',
    (attempt, ms) => {
      expect(backoffDelayMs(attempt, { jitter: 0, seed: 'x' })).toBe(ms);
    },
  );

  it('backoffDelayMs honours custom base and cap', () => {
    expect(
      [1, 2, 3, 4].map((n) => backoffDelayMs(n, { baseMs: 1000, capMs: 5000, jitter: 0, seed: 1 })),
    ).toEqual([1000, 2000, 4000, 5000]);
  });

  it('backoffDelayMs is deterministic for a seed and varies across seeds', () => {
    const a = backoffDelayMs(3, { seed: 'ratchet/ws1' });
    expect(backoffDelayMs(3, { seed: 'ratchet/ws1' })).toBe(a);
    const spread = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((seed) => backoffDelayMs(3, { seed })));
    expect(spread.size).toBeGreaterThan(3);
  });

  it('backoffDelayMs jitter stays within ±20 % and never exceeds the cap', () => {
    for (let i = 0; i < 200; i++) {
      for (const attempt of [1, 2, 3, 4, 5, 6, 9]) {
        const raw = Math.min(1_800_000, 60_000 * 2 ** (attempt - 1));
        const d = backoffDelayMs(attempt, { seed: `s${i}` });
        expect(d).toBeGreaterThanOrEqual(Math.floor(raw * 0.8));
        expect(d).toBeLessThanOrEqual(Math.min(1_800_000, Math.ceil(raw * 1.2)));
      }
    }
  });

  it('backoffDelayMs rejects a jitter outside 0..1', () => {
    expect(() => backoffDelayMs(1, { jitter: 1.5, seed: 1 })).toThrow(RangeError);
  });
});

describe('seededUnit', () => {
  it('seededUnit stays in [0, 1) and spreads roughly evenly', () => {
    const values = Array.from({ length: 1000 }, (_, i) => seededUnit('seed', i));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const low = values.filter((v) => v < 0.5).length;
    expect(low).toBeGreaterThan(400);
    expect(low).toBeLessThan(600);
  });
});
