/**
 * The poller's cycle, composed from the three outside systems it touches, each in its own module:
 * read the watched PRs from GitHub (`github/poll-read.ts`), write their snapshots to SQLite in one
 * transaction (`store/`), and signal each ratchet whose snapshot changed since the last delivery
 * (`temporal.ts`). This file imports no client of its own: it only orders those steps, computes
 * the digests and shapes the result. It stays ONE activity, `ratchetPollCycle` (see "The poll
 * cycle is one activity" in workflows/ARCHITECTURE.md for why).
 */
import { createHash } from 'node:crypto';
import type { SnapshotDelivery } from '../core/contracts/poller.js';
import type { Db } from '../db/client.js';
import type { GithubActivities } from './github/index.js';
import type { GithubClient } from './github/client.js';
import { createWatchedPrReader } from './github/poll-read.js';
import { writePollSnapshots } from './store/index.js';
import { signalRatchet, type DeliverSnapshot, type TemporalActivities } from './temporal.js';

export interface PollCycleInput {
  owner: string;
  repo: string;
  /** PR number → workspace id. */
  watch: Record<string, string>;
  /** PR number → digest of the last delivered snapshot. */
  digests: Record<string, string>;
}

export type PollCycleResult =
  | {
      ok: true;
      openPrs: number;
      /** GitHub requests this cycle made (GraphQL and REST). */
      requests: number;
      /** Ratchets signalled (their snapshot changed). */
      delivered: number;
      /** The digests to carry into the next cycle, for watched PRs only. */
      digests: Record<string, string>;
      /** Watched PRs whose ratchet workflow no longer exists: drop them. */
      gone: string[];
      rateLimit: { remaining: number; resetAt: string } | null;
    }
  | {
      ok: false;
      /** GitHub requests this cycle made, the failed one included. */
      requests: number;
      /** `retryAfterMs` is relative (GitHub's reset minus now), so workflow time and wall time never mix. */
      error: { type: string; message: string; retryAfterMs: number | null };
    };

export interface PollCycleDeps {
  db: Db;
  octokit: GithubClient | null;
  /**
   * Most base commits whose failing check names are cached, by SHA (a commit's checks rarely
   * change once complete). Only PRs not based on the default branch's head need this REST read.
   * @default 200
   */
  baseCacheMax?: number;
  /**
   * Delivers a snapshot to `ratchet/<workspaceId>`; 'gone' when that workflow no longer exists.
   * @default signalRatchet (a signal through the activity's Temporal client)
   */
  deliver?: DeliverSnapshot;
}

function digestOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export function createPollCycleActivities(deps: PollCycleDeps) {
  const readWatchedPrs = createWatchedPrReader({
    octokit: deps.octokit,
    ...(deps.baseCacheMax !== undefined ? { baseCacheMax: deps.baseCacheMax } : {}),
  });
  const deliver = deps.deliver ?? signalRatchet;

  return {
    async ratchetPollCycle(input: PollCycleInput): Promise<PollCycleResult> {
      const at = Date.now();
      // 1. GitHub: failures are results, so the poller can show them and wait.
      const read = await readWatchedPrs(input);
      if (!read.ok) return read;
      const deliveries = read.prs.map(({ number, workspaceId, pr, failingOnBase }) => {
        const delivery: SnapshotDelivery = pr
          ? { kind: 'snapshot', pr, baseFailing: failingOnBase, at }
          : { kind: 'missing', number: Number(number), at };
        return { number, workspaceId, delivery, digest: pr ? digestOf({ pr, failingOnBase }) : 'missing' };
      });
      // 2. SQLite: every watched PR's snapshot, one transaction.
      writePollSnapshots(
        deps.db,
        deliveries.flatMap((d) =>
          d.delivery.kind === 'snapshot' ? [{ workspaceId: d.workspaceId, snapshot: d.delivery.pr, at }] : [],
        ),
      );
      // 3. Temporal: a signal only to ratchets whose snapshot changed since the last delivery.
      const digests: Record<string, string> = {};
      const gone: string[] = [];
      let delivered = 0;
      for (const d of deliveries) {
        if (input.digests[d.number] === d.digest) {
          digests[d.number] = d.digest;
          continue;
        }
        if ((await deliver(d.workspaceId, d.delivery)) === 'gone') {
          gone.push(d.number);
          continue;
        }
        digests[d.number] = d.digest;
        delivered++;
      }
      const rl = read.rateLimit;
      return {
        ok: true,
        openPrs: read.openPrs,
        requests: read.requests,
        delivered,
        digests,
        gone,
        rateLimit: rl ? { remaining: rl.remaining, resetAt: rl.resetAt } : null,
      };
    },
  };
}

export type PollCycleActivities = ReturnType<typeof createPollCycleActivities>;

/**
 * What the poller and ratchet workflows proxy as their poll activities: the cycle, plus watching
 * (registered by `temporal.ts`) and update-branch (registered by `github/`). The names are those
 * stored histories call.
 */
export type RatchetPollActivities = PollCycleActivities &
  Pick<TemporalActivities, 'ratchetEnsureWatched'> &
  Pick<GithubActivities, 'ratchetUpdateBranch'>;
