import { describe, expect, it } from 'vitest';
import { WorktreeLease } from './worktree-lease.js';

const fixA = { holder: 'fix/ws_1/abc/ci#1', workflowId: 'fix/ws_1/abc/ci' };
const fixB = { holder: 'fix/ws_1/abc/review#2', workflowId: 'fix/ws_1/abc/review' };
const fixC = { holder: 'fix/ws_1/def/conflict#3', workflowId: 'fix/ws_1/def/conflict' };

describe('WorktreeLease', () => {
  it('starts free with nobody waiting and nothing to record', () => {
    const lease = new WorktreeLease();
    expect([lease.isFree, lease.hasWaiting, lease.heldBy]).toEqual([true, false, null]);
    expect(lease.takeNext()).toBeNull();
    expect(lease.takeReturned()).toBeNull();
    expect(lease.carry()).toEqual({ holder: null, waiting: [] });
  });

  it('request queues fixers in order of asking', () => {
    const lease = new WorktreeLease();
    expect(lease.request(fixA)).toBe(true);
    expect(lease.request(fixB)).toBe(true);
    expect(lease.hasWaiting).toBe(true);
    expect(lease.takeNext()).toEqual(fixA);
    expect(lease.takeNext()).toEqual(fixB);
    expect(lease.takeNext()).toBeNull();
  });

  it('request drops a malformed request (no holder, no workflow id, not an object)', () => {
    const lease = new WorktreeLease();
    expect(lease.request({ holder: '', workflowId: 'w' })).toBe(false);
    expect(lease.request({ holder: 'h' })).toBe(false);
    expect(lease.request(null)).toBe(false);
    expect(lease.hasWaiting).toBe(false);
  });

  it('request drops a resent request from a fixer already waiting or holding', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    expect(lease.request({ ...fixA })).toBe(false);
    lease.lend(lease.takeNext()!);
    expect(lease.request(fixA)).toBe(false);
    expect(lease.hasWaiting).toBe(false);
  });

  it('takeNext offers nothing while the worktree is lent, the next fixer once it is back', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.request(fixB);
    lease.lend(lease.takeNext()!);
    expect([lease.isFree, lease.heldBy]).toEqual([false, fixA.holder]);
    expect(lease.takeNext()).toBeNull();
    lease.release(fixA.holder);
    expect(lease.takeNext()).toEqual(fixB);
  });

  it('takeReturned answers a release once, and not while the holder still has it', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.lend(lease.takeNext()!);
    expect(lease.takeReturned()).toBeNull();
    lease.release(fixA.holder);
    expect(lease.isFree).toBe(true);
    expect(lease.takeReturned()).toBe(fixA.holder);
    expect(lease.takeReturned()).toBeNull();
  });

  it('a fixer offered the worktree but gone (grant not delivered) is never recorded as a holder', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.request(fixB);
    expect(lease.takeNext()).toEqual(fixA); // the grant signal failed: not lent
    const next = lease.takeNext()!;
    lease.lend(next);
    expect(lease.heldBy).toBe(fixB.holder);
  });

  it('release by a waiting fixer withdraws its request; by a stranger changes nothing', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.request(fixB);
    lease.lend(lease.takeNext()!);
    lease.release(fixB.holder);
    lease.release('fix/ws_1/zzz/ci#9');
    expect([lease.heldBy, lease.hasWaiting]).toEqual([fixA.holder, false]);
  });

  it('takeAllWaiting empties the queue for the refusals and keeps the holder', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.request(fixB);
    lease.request(fixC);
    lease.lend(lease.takeNext()!);
    expect(lease.takeAllWaiting()).toEqual([fixB, fixC]);
    expect([lease.heldBy, lease.hasWaiting]).toEqual([fixA.holder, false]);
  });

  it('carry keeps holder and queue across continue-as-new, and the new run records the return', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.request(fixB);
    lease.lend(lease.takeNext()!);
    const carried = lease.carry();
    expect(carried).toEqual({ holder: fixA, waiting: [fixB] });
    // Serialised into the next run's input, as continue-as-new does.
    const next = new WorktreeLease(JSON.parse(JSON.stringify(carried)));
    expect([next.heldBy, next.hasWaiting]).toEqual([fixA.holder, true]);
    next.release(fixA.holder);
    expect(next.takeReturned()).toBe(fixA.holder);
    expect(next.takeNext()).toEqual(fixB);
  });

  it('carry is a copy: the carried queue does not change with the lease', () => {
    const lease = new WorktreeLease({ holder: null, waiting: [fixA] });
    const carried = lease.carry();
    lease.takeNext();
    expect(carried.waiting).toEqual([fixA]);
  });

  it('a return not yet recorded is not carried (the new run has nothing to record)', () => {
    const lease = new WorktreeLease();
    lease.request(fixA);
    lease.lend(lease.takeNext()!);
    lease.release(fixA.holder);
    const next = new WorktreeLease(lease.carry());
    expect(next.takeReturned()).toBeNull();
  });

  it('accepts the inputs of older runs: no lease at all, or a lease without a queue', () => {
    expect(new WorktreeLease(undefined).carry()).toEqual({ holder: null, waiting: [] });
    expect(new WorktreeLease(null).carry()).toEqual({ holder: null, waiting: [] });
    expect(new WorktreeLease({ holder: fixA }).carry()).toEqual({ holder: fixA, waiting: [] });
  });
});
