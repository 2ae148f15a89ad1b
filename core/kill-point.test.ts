import { describe, expect, it } from 'vitest';
import { formatKillPoint, killPointSchema, KillPointCounter } from './kill-point.js';

describe('killPointSchema', () => {
  it.each([
    ['1:start', { n: 1, phase: 'start' }],
    ['12:end', { n: 12, phase: 'end' }],
  ] as const)('parses %s', (raw, want) => {
    expect(killPointSchema.parse(raw)).toEqual(want);
    expect(formatKillPoint(killPointSchema.parse(raw))).toBe(raw);
  });

  it.each(['0:start', '3', '3:middle', 'x:end', '-1:end', '3:end:x'])('refuses %s', (raw) => {
    const r = killPointSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/<n>:<start\|end>/);
  });
});

describe('KillPointCounter', () => {
  it('kills only at the named ordinal and phase, not counting poll cycles', () => {
    const c = new KillPointCounter({ n: 2, phase: 'end' });
    const a = c.begin('setStatus');
    expect(c.begin('ratchetPollCycle')).toBeNull();
    const b = c.begin('createWorktree');
    expect([a, b]).toEqual([1, 2]);
    expect(c.shouldKill(a, 'end')).toBe(false);
    expect(c.shouldKill(b, 'start')).toBe(false);
    expect(c.shouldKill(b, 'end')).toBe(true);
    expect(c.shouldKill(null, 'end')).toBe(false);
  });

  it('never kills without a point', () => {
    const c = new KillPointCounter(null);
    expect(c.shouldKill(c.begin('setStatus'), 'start')).toBe(false);
  });
});
