/**
 * The workspace lifecycle's writes: the workspace row, its status (with its timeline event,
 * atomically), budget, a stopped session, plain events and notifications. Every write is
 * idempotent (insert-if-absent, dedupe keys on events), so a retried activity lands once.
 */
import { keys, workflowIds } from '../../core/ids.js';
import { statusNotification } from '../../core/notifications.js';
import type { WorkspaceSpec, WorkspaceStatus } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { stopSession } from '../../db/queries/agent-sessions.js';
import { setWorkspaceBudget } from '../../db/queries/budget.js';
import {
  getWorkspaceById,
  insertWorkspaceIfAbsent,
  setWorkspaceStatus,
} from '../../db/queries/workspaces.js';
import { eventRow, writeEvent, type EventInput } from './events.js';
import type { Notifier } from './notifier.js';

export function createWorkspaceStoreActivities({ db, notifier }: { db: Db; notifier: Notifier }) {
  return {
    async recordWorkspace({
      spec,
      dedupeKey,
    }: {
      spec: WorkspaceSpec;
      dedupeKey: string;
    }): Promise<{ created: boolean }> {
      const created = insertWorkspaceIfAbsent({
        db,
        row: {
          id: spec.workspaceId,
          projectId: spec.projectId,
          title: spec.title,
          source: spec.adopt ? 'pr' : spec.issue ? 'issue' : spec.existingBranch ? 'branch' : 'prompt',
          issueNumber: spec.issue?.number ?? null,
          prompt: spec.prompt,
          branch: spec.branch,
          baseBranch: spec.baseBranch,
          worktreePath: spec.worktreePath,
          status: 'creating_worktree',
          agentConfig: spec.agent,
          budgetUsd: spec.budgetUsd ?? null,
          workflowId: workflowIds.workspace(spec.workspaceId),
        },
      });
      writeEvent(db, {
        workspaceId: spec.workspaceId,
        kind: 'workspace.created',
        message: `Workspace "${spec.title}" on ${spec.branch} from ${spec.baseBranch}`,
        dedupeKey,
      });
      return { created };
    },

    async setStatus(input: {
      workspaceId: string;
      status: WorkspaceStatus;
      reason?: string | null;
      error?: string | null;
      message: string;
      dedupeKey: string;
      data?: unknown;
    }): Promise<void> {
      setWorkspaceStatus({
        db,
        id: input.workspaceId,
        patch: {
          status: input.status,
          statusReason: input.reason ?? null,
          ...(input.error !== undefined ? { lastError: input.error } : {}),
          ...(input.status === 'archived' ? { archivedAt: Date.now() } : {}),
        },
        event: eventRow({
          workspaceId: input.workspaceId,
          kind: `status.${input.status}`,
          level: input.status === 'failed' ? 'error' : 'info',
          message: input.message,
          data: input.data,
          dedupeKey: input.dedupeKey,
        }),
      });
      // A person is needed (plan, budget, failure): one notification per status write.
      const title = getWorkspaceById({ db, id: input.workspaceId })?.title ?? input.workspaceId;
      const note = statusNotification(input.status, title, input.message);
      if (note) {
        await notifier.raise({
          workspaceId: input.workspaceId,
          ...note,
          dedupeKey: keys.statusNotification(input.dedupeKey),
        });
      }
    },

    async setBudget(input: { workspaceId: string; budgetUsd: number | null }): Promise<void> {
      setWorkspaceBudget({ db, ...input });
    },

    /** After a Stop: the session ends `cancelled` (idempotent; an ended session is left as it is). */
    async markSessionStopped(input: { sessionId: string }): Promise<{ stopped: boolean }> {
      return stopSession({ db, id: input.sessionId });
    },

    async recordEvent(input: EventInput): Promise<void> {
      writeEvent(db, input);
    },

    /** Raises a notification once per dedupe key (a replayed workflow raises nothing twice). */
    async recordNotification(input: {
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

export type WorkspaceStoreActivities = ReturnType<typeof createWorkspaceStoreActivities>;
