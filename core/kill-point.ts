/**
 * The kill matrix's switch (`RATCHET_TEST_KILL_AT=<n>:<start|end>`): the worker SIGKILLs itself at
 * the start or the completion of the Nth activity it executes. Pure: the worker's interceptor
 * feeds it every activity and kills when told to.
 *
 * The poller's cycle is not counted: it runs every second, so how many ran before an activity
 * depends on wall time, and point N would name a different activity in every run. The other
 * activities follow the workflows' order, so point N is the same boundary in every run.
 */
import { z } from 'zod';

export const KILL_PHASES = ['start', 'end'] as const;
export type KillPhase = (typeof KILL_PHASES)[number];

export interface KillPoint {
  /** The Nth counted activity execution of this process, from 1. */
  n: number;
  phase: KillPhase;
}

/** Activities left out of the count (see the module comment). */
export const UNCOUNTED_ACTIVITIES: ReadonlySet<string> = new Set(['ratchetPollCycle']);

export const killPointSchema = z
  .string()
  .regex(/^[1-9]\d*:(start|end)$/, 'must be <n>:<start|end>, n ≥ 1 (e.g. 12:end)')
  .transform((s): KillPoint => {
    const [n, phase] = s.split(':') as [string, KillPhase];
    return { n: Number(n), phase };
  });

export function formatKillPoint(p: KillPoint): string {
  return `${p.n}:${p.phase}`;
}

/**
 * Counts activity executions and says when to kill. `begin` is called as an activity starts and
 * returns its ordinal (null when uncounted); `shouldKill` answers for that ordinal and phase.
 */
export class KillPointCounter {
  private count = 0;

  constructor(private readonly point: KillPoint | null) {}

  begin(activityType: string): number | null {
    if (UNCOUNTED_ACTIVITIES.has(activityType)) return null;
    return ++this.count;
  }

  shouldKill(ordinal: number | null, phase: KillPhase): boolean {
    return this.point !== null && ordinal === this.point.n && phase === this.point.phase;
  }
}
