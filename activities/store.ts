/**
 * The read-model activities: the only way workflow progress reaches SQLite. Every write is
 * idempotent (insert-if-absent, dedupe keys on events), so a retried activity lands once.
 */
import type { Db } from '../db/client.js';
import type { NewWorkspaceEvent } from '../db/schema.js';
import { appendEvent, insertWorkspaceIfAbsent, setWorkspaceStatus } from '../db/queries/workspaces.js';
import type { WorkspaceSpec, WorkspaceStatus } from '../core/workspace.js';
import { keys, workflowIds } from '../core/ids.js';
import { setWorkspaceBudget } from '../db/queries/budget.js';
import { statusNotification } from '../core/notifications.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';
import { createNotifier, type Notifier } from './notify.js';
import { stopSession } from '../db/queries/agent-sessions.js';

export interface EventInput {
  workspaceId: string;
  kind: string;
  message: string;
  level?: 'debug' | 'info' | 'warn' | 'error';
  data?: unknown;
  /** Deterministic key from the workflow (run id + counter), so a retried write lands once. */
  dedupeKey: string;
}

/** The timeline row for an event written by a workflow through an activity. */
export function eventRow(input: EventInput): NewWorkspaceEvent {
  return {
    workspaceId: input.workspaceId,
    kind: input.kind,
    level: input.level ?? 'info',
    message: input.message,
    data: input.data ?? null,
    dedupeKey: input.dedupeKey,
  };
}

export function createStoreActivities({
  db,
  notifier = createNotifier({ db }),
}: {
  db: Db;
  /** Raises notifications (and starts their webhook delivery). @default createNotifier({ db }) */
  notifier?: Notifier;
}) {
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
      appendEvent({
        db,
        event: {
          workspaceId: spec.workspaceId,
          kind: 'workspace.created',
          message: `Workspace "${spec.title}" on ${spec.branch} from ${spec.baseBranch}`,
          dedupeKey,
        },
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
        event: {
          workspaceId: input.workspaceId,
          kind: `status.${input.status}`,
          level: input.status === 'failed' ? 'error' : 'info',
          message: input.message,
          data: input.data ?? null,
          dedupeKey: input.dedupeKey,
        },
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
      appendEvent({ db, event: eventRow(input) });
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

export type StoreActivities = ReturnType<typeof createStoreActivities>;
