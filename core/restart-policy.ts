/**
 * The supervisor's restart delay. A child killed while it was working (a worker lost mid-turn)
 * comes back at once, however often it happens; only a crash loop backs off. A crash counts toward
 * a loop when the child lived less than `fastMs`; the first `freeFastCrashes` such crashes within
 * `windowMs` still restart at once, later ones wait 1 s, 2 s, 4 s … up to `capMs`.
 */
export interface RestartPolicy {
  /** Delay of a restart that is not part of a loop. @default 250 */
  immediateMs: number;
  /** A child that lived less than this crashed fast (start-up failure, loop). @default 10000 */
  fastMs: number;
  /** Fast crashes are counted over this window. @default 60000 */
  windowMs: number;
  /** Fast crashes within the window that still restart at once. @default 5 */
  freeFastCrashes: number;
  /** Longest delay in a crash loop. @default 30000 */
  capMs: number;
}

export const RESTART_POLICY: RestartPolicy = {
  immediateMs: 250,
  fastMs: 10_000,
  windowMs: 60_000,
  freeFastCrashes: 5,
  capMs: 30_000,
};

/** One exit of a child: when it started and when it died (ms since epoch). */
export interface Crash {
  startedAt: number;
  exitedAt: number;
}

/** The delay before restarting after the last of `crashes` (oldest first). */
export function restartDelayMs(crashes: readonly Crash[], policy: RestartPolicy = RESTART_POLICY): number {
  const last = crashes.at(-1);
  if (!last) return policy.immediateMs;
  const fast = crashes.filter(
    (c) => c.exitedAt > last.exitedAt - policy.windowMs && c.exitedAt - c.startedAt < policy.fastMs,
  ).length;
  // Killed after doing real work, or one of the first few quick failures: straight back.
  if (fast <= policy.freeFastCrashes) return policy.immediateMs;
  // A loop: back off, doubling per further fast crash in the window.
  return Math.min(policy.capMs, 1_000 * 2 ** (fast - policy.freeFastCrashes - 1));
}
