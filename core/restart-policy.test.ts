import { describe, expect, it } from 'vitest';
import { restartDelayMs, type Crash } from './restart-policy.js';

/** `n` crashes, each after living `livedMs`, one every `everyMs`. */
const crashes = (n: number, livedMs: number, everyMs = livedMs + 250): Crash[] =>
  Array.from({ length: n }, (_, i) => ({ startedAt: i * everyMs, exitedAt: i * everyMs + livedMs }));

describe('restartDelayMs', () => {
  it.each([
    ['no crash yet', [], 250],
    ['a worker killed mid-turn, once', crashes(1, 20_000), 250],
    ['40 kills of a worker that had been working (kill matrix)', crashes(40, 12_000), 250],
    ['the fifth fast crash in a minute', crashes(5, 1_000), 250],
    ['the sixth fast crash: a loop starts backing off', crashes(6, 1_000), 1_000],
    ['the eighth fast crash', crashes(8, 1_000), 4_000],
    ['a long loop is capped', crashes(40, 500, 1_000), 30_000],
    ['fast crashes spread over more than the window do not add up', crashes(10, 1_000, 20_000), 250],
  ] as const)('%s → %i ms', (_what, list, want) => {
    expect(restartDelayMs(list)).toBe(want);
  });

  it('keeps the median delay of a kill matrix (40 kills, 2-15 s apart) well under 5 s', () => {
    const list: Crash[] = [];
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 40; i++) {
      const lived = 2_000 + ((i * 7919) % 13_000);
      list.push({ startedAt: t, exitedAt: t + lived });
      const d = restartDelayMs(list);
      delays.push(d);
      t += lived + d;
    }
    delays.sort((a, b) => a - b);
    expect(delays[20]).toBeLessThanOrEqual(1_000);
  });
});
