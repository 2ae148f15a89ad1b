import { describe, expect, it } from 'vitest';
import {
  emptyMemory,
  observeHead,
  ratchetMemorySchema,
  recordAddressed,
  recordFixAttempt,
  recordPush,
  recordQuestion,
  recordRerun,
  MAX_QUESTIONS,
  resetAttempts,
  totalAttempts,
} from './memory.js';

describe('ratchet memory', () => {
  it('ratchetMemorySchema fills defaults (continue-as-new input from an older version)', () => {
    expect(ratchetMemorySchema.parse({})).toEqual(emptyMemory());
  });

  it('observeHead starts the settle clock once per SHA and keeps it', () => {
    const m1 = observeHead(emptyMemory(), 'sha1', 1000);
    expect(m1.head).toEqual({ sha: 'sha1', seenAt: 1000 });
    expect(observeHead(m1, 'sha1', 5000)).toBe(m1);
    expect(observeHead(m1, 'sha2', 7000).head).toEqual({ sha: 'sha2', seenAt: 7000 });
  });

  it('observeHead drops reruns recorded for other SHAs', () => {
    const m = recordRerun(recordRerun(emptyMemory(), 'old', ['CI / test']), 'new', ['CI / lint']);
    expect(observeHead(m, 'new', 1).infraReruns).toEqual({ new: ['CI / lint'] });
  });

  it('recordFixAttempt counts per key and totals across keys', () => {
    let m = recordFixAttempt(emptyMemory(), 'k1', 10);
    m = recordFixAttempt(m, 'k1', 20);
    m = recordFixAttempt(m, 'k2', 30);
    expect(m.attempts).toEqual({ k1: { count: 2, lastAt: 20 }, k2: { count: 1, lastAt: 30 } });
    expect(totalAttempts(m)).toBe(3);
    expect(totalAttempts(resetAttempts(m))).toBe(0);
  });

  it('recordRerun and recordAddressed deduplicate and sort', () => {
    expect(recordRerun(recordRerun(emptyMemory(), 's', ['b', 'a']), 's', ['a']).infraReruns).toEqual({
      s: ['a', 'b'],
    });
    expect(
      recordAddressed(recordAddressed(emptyMemory(), ['review:2']), ['review:1', 'review:2'])
        .addressedFeedback,
    ).toEqual(['review:1', 'review:2']);
  });

  it('recordQuestion keeps one question per key, the newest few, and resetAttempts clears them', () => {
    let m = recordQuestion(emptyMemory(), 'k1', 'which side wins?');
    m = recordQuestion(m, 'k1', 'keep the rename?');
    expect(m.questions).toEqual({ k1: 'keep the rename?' });
    for (let i = 2; i <= MAX_QUESTIONS + 2; i++) m = recordQuestion(m, `k${i}`, `q${i}`);
    expect(Object.keys(m.questions)).toHaveLength(MAX_QUESTIONS);
    expect(m.questions[`k${MAX_QUESTIONS + 2}`]).toBe(`q${MAX_QUESTIONS + 2}`);
    expect(m.questions.k1).toBeUndefined();
    expect(resetAttempts(m).questions).toEqual({});
  });

  it('memory reducers never mutate their input', () => {
    const m = emptyMemory();
    const frozen = JSON.stringify(m);
    recordQuestion(m, 'k', 'q');
    recordFixAttempt(m, 'k', 1);
    recordRerun(m, 's', ['x']);
    recordAddressed(m, ['t']);
    observeHead(m, 's', 1);
    expect(JSON.stringify(m)).toBe(frozen);
  });
});

describe('recordPush', () => {
  const seen = observeHead(emptyMemory(), 'a'.repeat(40), 1);
  it('marks the head the loop still sees as pushed over, until a snapshot shows another head', () => {
    const pushed = recordPush(seen, 'b'.repeat(40));
    expect(pushed.pushedOver).toBe('a'.repeat(40));
    expect(observeHead(pushed, 'a'.repeat(40), 2).pushedOver).toBe('a'.repeat(40));
    expect(observeHead(pushed, 'b'.repeat(40), 2)).not.toHaveProperty('pushedOver');
  });
  it('marks nothing when the loop already sees the pushed commit, or no head yet', () => {
    expect(recordPush(seen, 'a'.repeat(40))).toBe(seen);
    expect(recordPush(emptyMemory(), 'b'.repeat(40))).toEqual(emptyMemory());
  });
  it('a memory that never pushed carries no pushedOver key (continue-as-new input unchanged)', () => {
    expect(Object.keys(observeHead(seen, 'c'.repeat(40), 3))).not.toContain('pushedOver');
  });
});
