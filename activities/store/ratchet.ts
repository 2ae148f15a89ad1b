/**
 * The ratchet loop's writes: the PR a workspace opened, each changed decision (state + reason +
 * timeline event, atomically), fixer rows, events and notifications; plus the poll cycle's
 * snapshot write and the project policy the loop starts from (a read). Every write is keyed
 * (dedupe key or row id), so a retried activity lands once.
 */
import { mergedNotification } from '../../core/notifications.js';
import type { PrSnapshot } from '../../core/pr.js';
import { policyToRatchet, readProjectPolicy, type MergeMethod } from '../../core/project-policy.js';
import type { RatchetSettingsInput } from '../../core/ratchet/settings.js';
import type { RatchetState } from '../../core/ratchet/state.js';
import type { Db } from '../../db/client.js';
import { finishFixAttempt, insertFixAttemptIfAbsent, type FixStatus } from '../../db/queries/fix-attempts.js';
import { getProjectRatchetPolicy } from '../../db/queries/projects.js';
import {
  applySnapshots,
  getPullRequestByWorkspace,
  recordOpenedPullRequest,
  recordRatchetDecision,
  type OpenedPr,
  type PrRowState,
} from '../../db/queries/pull-requests.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { eventRow, fanOutDedupeKey, writeEvent, type EventLevel } from './events.js';
import type { Notifier } from './notifier.js';
import { keys } from '../../core/ids.js';

export interface RatchetDecisionInput {
  workspaceId: string;
  state: RatchetState;
  reason: string;
  snapshotKey: string | null;
  /** Timeline event kind, e.g. `ratchet.decision`, `ratchet.stalled`, `ratchet.base_red`. */
  kind: string;
  level?: EventLevel;
  message: string;
  data?: unknown;
  dedupeKey: string;
  prState?: PrRowState;
}

/**
 * The poll cycle's write: every watched PR's snapshot columns in one transaction. Returns how
 * many rows changed (a PR whose row is gone changes none).
 */
export function writePollSnapshots(
  db: Db,
  items: readonly { workspaceId: string; snapshot: PrSnapshot; at: number }[],
): number {
  return applySnapshots({ db, items });
}

export function createRatchetStoreActivities({ db, notifier }: { db: Db; notifier: Notifier }) {
  return {
    /**
     * The project's ratchet policy as loop settings (defaults when the project has none or is
     * gone). `selfLogin` is left to the caller (`githubViewerLogin`). Reads only.
     */
    async ratchetProjectPolicy(input: {
      projectId: string;
    }): Promise<{ settings: RatchetSettingsInput; mergeMethod: MergeMethod }> {
      const stored = getProjectRatchetPolicy({ db, id: input.projectId });
      const { settings, mergeMethod } = policyToRatchet(readProjectPolicy(stored), null);
      const { selfLogin: _self, ...rest } = settings;
      return { settings: rest, mergeMethod };
    },

    async ratchetRecordPullRequest(pr: OpenedPr & { dedupeKey: string }): Promise<void> {
      recordOpenedPullRequest({ db, pr });
      writeEvent(db, {
        workspaceId: pr.workspaceId,
        kind: 'pr.opened',
        message: `PR #${pr.number} open: ${pr.url}`,
        data: { number: pr.number, url: pr.url },
        dedupeKey: pr.dedupeKey,
      });
    },

    async ratchetRecordDecision(input: RatchetDecisionInput): Promise<{ written: boolean }> {
      const written = recordRatchetDecision({
        db,
        decision: {
          workspaceId: input.workspaceId,
          state: input.state,
          reason: input.reason,
          snapshotKey: input.snapshotKey,
          ...(input.prState ? { prState: input.prState } : {}),
          event: eventRow(input),
        },
      });
      if (input.prState === 'merged') {
        const title = getWorkspaceById({ db, id: input.workspaceId })?.title ?? input.workspaceId;
        const number = getPullRequestByWorkspace({ db, workspaceId: input.workspaceId })?.number ?? null;
        await notifier.raise({
          workspaceId: input.workspaceId,
          ...mergedNotification(number, title),
          dedupeKey: keys.mergedNotification(input.workspaceId),
        });
      }
      return { written };
    },

    /** One event for several workspaces (the poller's failure streaks): one row each. */
    async ratchetRecordEvent(input: {
      workspaceIds: string[];
      kind: string;
      level?: EventLevel;
      message: string;
      data?: unknown;
      dedupeKey: string;
    }): Promise<number> {
      let n = 0;
      for (const workspaceId of input.workspaceIds) {
        const dedupeKey = fanOutDedupeKey(input.dedupeKey, workspaceId);
        if (writeEvent(db, { ...input, workspaceId, dedupeKey })) n++;
      }
      return n;
    },

    async ratchetFixStarted(row: {
      id: string;
      workspaceId: string;
      kind: string;
      headSha: string;
      snapshotKey: string;
      attempt: number;
    }): Promise<{ created: boolean }> {
      return { created: insertFixAttemptIfAbsent({ db, row }) };
    },

    async ratchetFixFinished(input: {
      id: string;
      status: Exclude<FixStatus, 'running'>;
      detail: string | null;
    }): Promise<{ settled: boolean }> {
      return { settled: finishFixAttempt({ db, ...input }) };
    },

    async ratchetNotify(input: {
      workspaceId: string;
      level: 'info' | 'warn' | 'error';
      title: string;
      body: string;
      dedupeKey: string;
    }): Promise<{ created: boolean }> {
      return { created: (await notifier.raise(input)).created };
    },
  };
}

export type RatchetStoreActivities = ReturnType<typeof createRatchetStoreActivities>;
