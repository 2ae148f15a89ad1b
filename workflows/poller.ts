/**
 * pollerWorkflow (ID `poller/<owner>/<repo>`): one per repository, started on demand by the first
 * ratchet that registers (`watch` via signal-with-start), ended when nothing is watched. Each cycle
 * is ONE activity: a GraphQL listing per 100 open PRs, one SQLite transaction, a signal to each
 * ratchet whose snapshot changed. The cost per cycle does not grow with the number of PRs.
 *
 * Failures never crash-loop: the activity reports GitHub errors as results; a rate limit waits for
 * its reset, anything else backs off exponentially from the interval, and one timeline event per
 * failure streak tells the watched workspaces why their PRs look stale.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { backoffDelayMs } from '../core/backoff.js';
import type { RatchetPollActivities } from '../activities/poll-cycle.js';
import { pollCycleRetry, storeOptions, timeouts } from './activity-options.js';
import type { RatchetStoreActivities } from '../activities/store/index.js';
import {
  pokeSignal,
  pollerStateQuery,
  unwatchSignal,
  watchSignal,
  type PollerInput,
  type PollerResume,
  type PollerState,
} from './ratchet-messages.js';
import { keys } from '../core/ids.js';

// The cycle is its own retry loop: the activity retries only for worker crashes and transport faults.
const { ratchetPollCycle } = proxyActivities<RatchetPollActivities>({
  startToCloseTimeout: timeouts.pollCycle,
  retry: pollCycleRetry,
});
const { ratchetRecordEvent } = proxyActivities<RatchetStoreActivities>(storeOptions);

/** @default 200 cycles per run before continue-as-new */
export const DEFAULT_CYCLES_PER_RUN = 200;
/** Pokes (console, webhooks, fixers) never start cycles closer together than this. */
export const MIN_POKE_SPACING_MS = 1000;
/** Longest wait after repeated non-rate-limit failures. */
const MAX_ERROR_BACKOFF_MS = 15 * 60_000;

class Poller {
  readonly watch: Record<string, string>;
  digests: Record<string, string>;
  pendingPoke: boolean;
  cyclesThisRun = 0;
  cyclesTotal: number;
  lastCycleAt: number | null = null;
  lastRequests = 0;
  error: PollerState['error'] = null;
  errorStreak = 0;
  private errorKey: string | null = null;

  constructor(readonly input: PollerInput) {
    this.watch = { ...(input.resume?.watch ?? {}) };
    this.digests = { ...(input.resume?.digests ?? {}) };
    this.cyclesTotal = input.resume?.cyclesTotal ?? 0;
    this.pendingPoke = input.resume?.pendingPoke ?? true;
  }

  get intervalMs(): number {
    return this.input.intervalMs ?? 60_000;
  }

  onWatch({ workspaceId, number }: { workspaceId: string; number: number }): void {
    this.watch[String(number)] = workspaceId;
    // A (re-)registered ratchet gets its snapshot on the next cycle even if nothing changed.
    delete this.digests[String(number)];
    this.pendingPoke = true;
  }

  onUnwatch({ workspaceId }: { workspaceId: string }): void {
    for (const [n, ws] of Object.entries(this.watch)) {
      if (ws === workspaceId) {
        delete this.watch[n];
        delete this.digests[n];
      }
    }
  }

  empty(): boolean {
    return Object.keys(this.watch).length === 0;
  }

  /** How long to sleep before the next cycle (pokes cut it short unless GitHub told us to wait). */
  nextDelay(now: number): { ms: number; pokeable: boolean } {
    if (!this.error) return { ms: this.intervalMs, pokeable: true };
    return { ms: Math.max(1, this.error.retryAt - now), pokeable: this.error.type !== 'GithubRateLimited' };
  }

  view(): PollerState {
    return {
      owner: this.input.owner,
      repo: this.input.repo,
      watching: Object.entries(this.watch).map(([n, workspaceId]) => ({ workspaceId, number: Number(n) })),
      cyclesThisRun: this.cyclesThisRun,
      cyclesTotal: this.cyclesTotal,
      lastCycleAt: this.lastCycleAt,
      lastRequests: this.lastRequests,
      error: this.error,
    };
  }

  async cycle(): Promise<void> {
    const now = Date.now();
    const res = await ratchetPollCycle({
      owner: this.input.owner,
      repo: this.input.repo,
      watch: { ...this.watch },
      digests: this.digests,
    });
    this.cyclesThisRun++;
    this.cyclesTotal++;
    this.lastCycleAt = now;
    this.lastRequests = res.requests;
    const workspaceIds = [...new Set(Object.values(this.watch))];
    if (res.ok) {
      this.digests = res.digests;
      for (const n of res.gone) {
        delete this.watch[n];
        delete this.digests[n];
      }
      if (this.error && this.errorKey) {
        await ratchetRecordEvent({
          workspaceIds,
          kind: 'github.poll_recovered',
          message: `GitHub polling recovered after ${this.errorStreak} failed cycle(s)`,
          dedupeKey: keys.pollRecovered(this.errorKey),
        });
      }
      this.error = null;
      this.errorStreak = 0;
      this.errorKey = null;
      return;
    }
    this.errorStreak++;
    const { type, message } = res.error;
    const wait =
      type === 'GithubRateLimited' && res.error.retryAfterMs !== null
        ? Math.max(1000, res.error.retryAfterMs)
        : backoffDelayMs(this.errorStreak, {
            baseMs: this.intervalMs,
            capMs: Math.max(this.intervalMs, MAX_ERROR_BACKOFF_MS),
            jitter: 0.1,
            seed: workflowInfo().workflowId,
          });
    const since = this.error?.since ?? now;
    this.error = { type, message, since, retryAt: now + wait };
    // One timeline event per failure streak and type, not one per cycle.
    if (this.errorStreak === 1 || this.errorKey === null || !keys.pollErrorIsOfType(this.errorKey, type)) {
      this.errorKey = keys.pollError(workflowInfo().workflowId, workflowInfo().runId, this.cyclesTotal, type);
      await ratchetRecordEvent({
        workspaceIds,
        kind: type === 'GithubRateLimited' ? 'github.rate_limited' : 'github.poll_failed',
        level: 'warn',
        message:
          type === 'GithubRateLimited'
            ? `GitHub rate limit reached; polling resumes at ${new Date(now + wait).toISOString()}`
            : `GitHub polling failed (${type}): ${message}; retrying in ${Math.round(wait / 1000)} s`,
        data: { type, message, retryAt: now + wait },
        dedupeKey: this.errorKey,
      });
    }
  }

  resume(): PollerResume {
    return {
      watch: this.watch,
      digests: this.digests,
      cyclesTotal: this.cyclesTotal,
      pendingPoke: this.pendingPoke,
    };
  }
}

export async function pollerWorkflow(input: PollerInput): Promise<PollerState> {
  const poller = new Poller(input);
  const perRun = input.cyclesPerRun ?? DEFAULT_CYCLES_PER_RUN;
  setHandler(watchSignal, (w) => poller.onWatch(w));
  setHandler(unwatchSignal, (u) => poller.onUnwatch(u));
  setHandler(pokeSignal, () => {
    poller.pendingPoke = true;
  });
  setHandler(pollerStateQuery, () => poller.view());

  for (;;) {
    const { ms, pokeable } = poller.nextDelay(Date.now());
    if (!(poller.pendingPoke && pokeable)) {
      await condition(() => (poller.pendingPoke && pokeable) || poller.empty(), ms);
    }
    // A burst of pokes (a webhook storm) costs at most one cycle per spacing window.
    const since = poller.lastCycleAt === null ? Infinity : Date.now() - poller.lastCycleAt;
    if (since < MIN_POKE_SPACING_MS) await condition(() => poller.empty(), MIN_POKE_SPACING_MS - since);
    // Nobody to poll for: end. A later `watch` signal-with-start begins a fresh poller.
    if (poller.empty()) break;
    poller.pendingPoke = false;
    await poller.cycle();
    if (poller.cyclesThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof pollerWorkflow>({ ...input, resume: poller.resume() });
    }
  }
  await condition(allHandlersFinished);
  return poller.view();
}
