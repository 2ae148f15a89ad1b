/**
 * What the Ratchet card and `GET /api/workspaces/:id/ratchet` show: the loop's live state (its
 * `state` query) when it runs and answers, else the last state it recorded in the read model,
 * with the reason; plus its fix attempts and the workspace's notifications from SQLite.
 *
 * The query has a short deadline: a loop whose worker is down still accepts the query and would
 * hold the page until Temporal gives up, so after the deadline the card says so and shows SQLite.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { messageOf } from '../../core/errors.js';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { listNotifications } from '../../db/queries/notifications.js';
import { getPullRequestByWorkspace } from '../../db/queries/pull-requests.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import type { FixAttempt, Notification, PullRequest } from '../../db/schema.js';
import { ratchetStateQuery, type RatchetViewState } from '../../workflows/ratchet-messages.js';
import { DomainError } from './errors.js';
import { workspaceIdSchema } from './workspaces.js';

/** @default 2000 */
export const RATCHET_QUERY_TIMEOUT_MS = 2000;

export type RatchetPrSummary = Pick<
  PullRequest,
  | 'number'
  | 'url'
  | 'state'
  | 'headSha'
  | 'ciStatus'
  | 'ratchetState'
  | 'ratchetReason'
  | 'snapshotKey'
  | 'kanbanColumn'
  | 'kanbanReason'
  | 'lastSnapshotAt'
  | 'updatedAt'
>;

export interface RatchetView {
  workspaceId: string;
  /** `ratchet/<workspaceId>`. */
  workflowId: string;
  /** `live`: the loop answered its state query; `read_model`: the last state it wrote to SQLite. */
  source: 'live' | 'read_model';
  /** Why the read model is shown (no PR, no loop, loop ended, Temporal or worker unreachable); null when live. */
  note: string | null;
  /** Temporal's status of the loop (`RUNNING`, `COMPLETED`, `TERMINATED`…); null when unknown. */
  workflowStatus: string | null;
  live: RatchetViewState | null;
  pr: RatchetPrSummary | null;
  /** Oldest first. */
  fixAttempts: FixAttempt[];
  /** Newest first. */
  notifications: Notification[];
  /** Server time of this view (epoch ms); running fixers' durations are measured to it. */
  observedAt: number;
}

function summary(pr: PullRequest): RatchetPrSummary {
  return {
    number: pr.number,
    url: pr.url,
    state: pr.state,
    headSha: pr.headSha,
    ciStatus: pr.ciStatus,
    ratchetState: pr.ratchetState,
    ratchetReason: pr.ratchetReason,
    snapshotKey: pr.snapshotKey,
    kanbanColumn: pr.kanbanColumn,
    kanbanReason: pr.kanbanReason,
    lastSnapshotAt: pr.lastSnapshotAt,
    updatedAt: pr.updatedAt,
  };
}

type LiveAnswer = Pick<RatchetView, 'source' | 'note' | 'workflowStatus' | 'live'>;

async function askLoop(
  client: () => Promise<Client>,
  workflowId: string,
  timeoutMs: number,
): Promise<LiveAnswer> {
  const fallback = (note: string, workflowStatus: string | null = null): LiveAnswer => ({
    source: 'read_model',
    note,
    workflowStatus,
    live: null,
  });
  let c: Client;
  try {
    c = await client();
  } catch (err) {
    if (err instanceof DomainError) return fallback(err.message);
    throw err;
  }
  const handle = c.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await c.withDeadline(Date.now() + timeoutMs, () => handle.describe())).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return fallback(
        `No ratchet loop ${workflowId} exists (the ratchet is off for this workspace, or it has not started yet).`,
      );
    return fallback(`Temporal did not describe ${workflowId}: ${messageOf(err)}`);
  }
  if (status !== 'RUNNING')
    return fallback(`The ratchet loop has ended (${status.toLowerCase().replaceAll('_', ' ')}).`, status);
  try {
    const live = await c.withDeadline(Date.now() + timeoutMs, () => handle.query(ratchetStateQuery));
    return { source: 'live', note: null, workflowStatus: status, live };
  } catch (err) {
    return fallback(
      `The ratchet loop did not answer within ${timeoutMs / 1000} s (is the worker running?): ${messageOf(err)}`,
      status,
    );
  }
}

export async function getRatchetView({
  db,
  client,
  workspaceId,
  queryTimeoutMs = RATCHET_QUERY_TIMEOUT_MS,
  now = Date.now,
}: {
  db: Db;
  client: () => Promise<Client>;
  workspaceId: string;
  queryTimeoutMs?: number;
  now?: () => number;
}): Promise<RatchetView> {
  const id = workspaceIdSchema.parse(workspaceId);
  if (!getWorkspaceById({ db, id }))
    throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  const workflowId = workflowIds.ratchet(id);
  const pr = getPullRequestByWorkspace({ db, workspaceId: id });
  // The loop starts only once the PR is open: without a PR row there is nothing to ask Temporal.
  const answer: LiveAnswer = pr
    ? await askLoop(client, workflowId, queryTimeoutMs)
    : {
        source: 'read_model',
        note: 'No pull request yet: the ratchet loop starts once one is open.',
        workflowStatus: null,
        live: null,
      };
  return {
    workspaceId: id,
    workflowId,
    ...answer,
    pr: pr ? summary(pr) : null,
    fixAttempts: listFixAttempts({ db, workspaceId: id }),
    notifications: listNotifications({ db, workspaceId: id }),
    observedAt: now(),
  };
}
