/**
 * What the loop remembers between decisions. Lives in workflow state (and the continue-as-new
 * input), so it survives restarts. Pure reducers: each returns a new memory.
 */
import { z } from 'zod';

export const attemptRecordSchema = z.object({
  count: z.number().int().min(0),
  /** Epoch ms of the latest attempt. */
  lastAt: z.number(),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

export const ratchetMemorySchema = z.object({
  /** Fix attempts per snapshot key. Bounded: the per-PR cap stops new keys from piling up. */
  attempts: z.record(z.string(), attemptRecordSchema).default({}),
  /** Check keys already rerun for an infrastructure failure, per head SHA. Only the current SHA is kept. */
  infraReruns: z.record(z.string(), z.array(z.string())).default({}),
  /** Feedback tokens (`review:<id>`, `thread:<id>:<n>`) already handed to a review fixer. */
  addressedFeedback: z.array(z.string()).default([]),
  /**
   * Questions a fixer asked instead of guessing (`RATCHET_ASK_HUMAN:`), by snapshot key: no more
   * attempts on that key until the PR changes or a person resumes the loop. Only the newest few kept.
   */
  questions: z.record(z.string(), z.string()).default({}),
  /**
   * The head SHA a fixer's push moved the PR off, while the loop still sees it: that snapshot's
   * failures are already answered, so no fix is decided on it (the `push_pending` gate). Dropped
   * when a snapshot shows another head. Absent in loops that never pushed under that rule.
   */
  pushedOver: z.string().min(1).optional(),
  /** The head SHA last seen and when it was first seen (epoch ms). */
  head: z
    .object({ sha: z.string().min(1), seenAt: z.number() })
    .nullable()
    .default(null),
});
export type RatchetMemory = z.output<typeof ratchetMemorySchema>;

export function emptyMemory(): RatchetMemory {
  return { attempts: {}, infraReruns: {}, addressedFeedback: [], questions: {}, head: null };
}

/** Call with every fresh snapshot before `decide`: starts the settle clock on a new head SHA. */
export function observeHead(memory: RatchetMemory, headSha: string, now: number): RatchetMemory {
  if (memory.head?.sha === headSha) return memory;
  const reruns = memory.infraReruns[headSha];
  const { pushedOver: _answered, ...rest } = memory;
  return { ...rest, head: { sha: headSha, seenAt: now }, infraReruns: reruns ? { [headSha]: reruns } : {} };
}

/**
 * Call when a fixer pushed `commit`: the head the loop still sees is superseded. Nothing to mark
 * when the loop already sees the pushed commit (its snapshot came first) or no head yet.
 */
export function recordPush(memory: RatchetMemory, commit: string): RatchetMemory {
  if (!memory.head || memory.head.sha === commit) return memory;
  return { ...memory, pushedOver: memory.head.sha };
}

/** Call when a `fix_*` or `update_branch` action is dispatched. */
export function recordFixAttempt(memory: RatchetMemory, key: string, now: number): RatchetMemory {
  const prev = memory.attempts[key];
  return {
    ...memory,
    attempts: { ...memory.attempts, [key]: { count: (prev?.count ?? 0) + 1, lastAt: now } },
  };
}

/** Call when a `rerun_flaky` action is dispatched. */
export function recordRerun(
  memory: RatchetMemory,
  headSha: string,
  checkKeys: readonly string[],
): RatchetMemory {
  const done = new Set([...(memory.infraReruns[headSha] ?? []), ...checkKeys]);
  return { ...memory, infraReruns: { ...memory.infraReruns, [headSha]: [...done].sort() } };
}

/** Call when a `fix_review` action is dispatched, with its `feedbackTokens`. */
export function recordAddressed(memory: RatchetMemory, tokens: readonly string[]): RatchetMemory {
  return { ...memory, addressedFeedback: [...new Set([...memory.addressedFeedback, ...tokens])].sort() };
}

/** Questions kept at most: a new snapshot key makes older ones moot. */
export const MAX_QUESTIONS = 5;

/** Call when a fixer stopped to ask a person; attempts on `key` wait for an answer. */
export function recordQuestion(memory: RatchetMemory, key: string, question: string): RatchetMemory {
  const entries = Object.entries(memory.questions ?? {}).filter(([k]) => k !== key);
  const kept = entries.slice(-(MAX_QUESTIONS - 1));
  return { ...memory, questions: Object.fromEntries([...kept, [key, question]]) };
}

/** A person asked to retry a stalled PR (or answered a question): forget attempt counts and open questions. */
export function resetAttempts(memory: RatchetMemory): RatchetMemory {
  return { ...memory, attempts: {}, questions: {} };
}

export function totalAttempts(memory: RatchetMemory): number {
  return Object.values(memory.attempts).reduce((sum, a) => sum + a.count, 0);
}
