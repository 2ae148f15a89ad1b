/**
 * The ratchet loop's read-model activities: the PR a workspace opened, each changed decision
 * (state + reason + timeline event), fixer rows and notifications. Every write is keyed (dedupe
 * key or row id), so a retried activity lands once.
 */
import { eq } from 'drizzle-orm';
import { policyToRatchet, readProjectPolicy, type MergeMethod } from '../core/project-policy.js';
import type { RatchetSettingsInput } from '../core/ratchet/settings.js';
import type { RatchetState } from '../core/ratchet/state.js';
import { projects } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { finishFixAttempt, insertFixAttemptIfAbsent, type FixStatus } from '../db/queries/fix-attempts.js';
import { mergedNotification } from '../core/notifications.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';
import { createNotifier, type Notifier } from './notify.js';
import {
  recordOpenedPullRequest,
  recordRatchetDecision,
  type OpenedPr,
  getPullRequestByWorkspace,
  type PrRowState,
} from '../db/queries/pull-requests.js';
import { appendEvent } from '../db/queries/workspaces.js';
import { eventRow } from './store.js';
import { keys } from '../core/ids.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface RatchetDecisionInput {
  workspaceId: string;
  state: RatchetState;
  reason: string;
  snapshotKey: string | null;
  /** Timeline event kind, e.g. `ratchet.decision`, `ratchet.stalled`, `ratchet.base_red`. */
  kind: string;
  level?: Level;
  message: string;
  data?: unknown;
  dedupeKey: string;
  prState?: PrRowState;
}

export function createRatchetStoreActivities({
  db,
  notifier = createNotifier({ db }),
}: {
  db: Db;
  /** @default createNotifier({ db }) */
  notifier?: Notifier;
}) {
  return {
    /**
     * The project's ratchet policy as loop settings (defaults when the project has none or is
     * gone). `selfLogin` is left to the caller (`githubViewerLogin`). Reads only.
     */
    async ratchetProjectPolicy(input: {
      projectId: string;
    }): Promise<{ settings: RatchetSettingsInput; mergeMethod: MergeMethod }> {
      const row = db
        .select({ policy: projects.ratchetPolicy })
        .from(projects)
        .where(eq(projects.id, input.projectId))
        .get();
      const { settings, mergeMethod } = policyToRatchet(readProjectPolicy(row?.policy ?? null), null);
      const { selfLogin: _self, ...rest } = settings;
      return { settings: rest, mergeMethod };
    },

    async ratchetRecordPullRequest(pr: OpenedPr & { dedupeKey: string }): Promise<void> {
      recordOpenedPullRequest({ db, pr });
      appendEvent({
        db,
        event: {
          workspaceId: pr.workspaceId,
          kind: 'pr.opened',
          message: `PR #${pr.number} open: ${pr.url}`,
          data: { number: pr.number, url: pr.url },
          dedupeKey: pr.dedupeKey,
        },
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

    async ratchetRecordEvent(input: {
      workspaceIds: string[];
      kind: string;
      level?: Level;
      message: string;
      data?: unknown;
      dedupeKey: string;
    }): Promise<number> {
      let n = 0;
      for (const workspaceId of input.workspaceIds) {
        const ok = appendEvent({
          db,
          event: eventRow({
            ...input,
            workspaceId,
            dedupeKey: keys.perWorkspaceEvent(input.dedupeKey, workspaceId),
          }),
        });
        if (ok) n++;
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
