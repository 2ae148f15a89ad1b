/**
 * Every workflow of a workspace (the workspace run, its ratchet loop, each fixer, each run of
 * them) with a link into the Temporal UI at `RATCHET_TEMPORAL_UI_URL`. Without a configured UI
 * the ids are still listed, without links. Temporal's visibility answers within a short deadline;
 * when it cannot, the ids known from SQLite are shown with a note.
 */
import type { Client } from '@temporalio/client';
import { workflowIds } from '../../core/ids.js';
import { roleOf, temporalUiUrl, workspaceWorkflowsQuery, type WorkflowRole } from '../../core/temporal-ui.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { getConfig } from './env.js';

/** @default 2000 */
export const WORKFLOW_LIST_TIMEOUT_MS = 2000;
/** @default 100 */
export const MAX_WORKFLOW_RUNS = 100;

export interface WorkflowLink {
  workflowId: string;
  runId: string | null;
  role: WorkflowRole;
  type: string | null;
  /** Temporal's status (`RUNNING`, `COMPLETED`…); null when only SQLite knew the id. */
  status: string | null;
  startedAt: number | null;
  /** The UI page; null when no UI address is configured. */
  url: string | null;
}

export interface WorkflowLinks {
  uiUrl: string | null;
  namespace: string;
  workflows: WorkflowLink[];
  note: string | null;
}

const ROLE_ORDER: Record<WorkflowRole, number> = { workspace: 0, ratchet: 1, fixer: 2 };

async function listRuns(client: Client, workspaceId: string): Promise<Omit<WorkflowLink, 'url'>[]> {
  const out: Omit<WorkflowLink, 'url'>[] = [];
  for await (const wf of client.workflow.list({ query: workspaceWorkflowsQuery(workspaceId) })) {
    const role = roleOf(wf.workflowId);
    if (!role) continue;
    out.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      role,
      type: wf.type,
      status: wf.status.name,
      startedAt: wf.startTime.getTime(),
    });
    if (out.length >= MAX_WORKFLOW_RUNS) break;
  }
  return out;
}

export async function getWorkflowLinks({
  db,
  client,
  workspaceId,
  timeoutMs = WORKFLOW_LIST_TIMEOUT_MS,
}: {
  db: Db;
  client: () => Promise<Client>;
  workspaceId: string;
  timeoutMs?: number;
}): Promise<WorkflowLinks> {
  const config = getConfig();
  const uiUrl = config.env.RATCHET_TEMPORAL_UI_URL ?? null;
  const namespace = config.temporal.namespace;
  let runs: Omit<WorkflowLink, 'url'>[];
  let note: string | null = null;
  try {
    const c = await client();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      runs = await Promise.race([listRuns(c, workspaceId), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    // Fall back to the ids SQLite knows: the workspace, its loop, the fixers it recorded.
    note = `Temporal did not list the workflows (${err instanceof Error ? err.message : String(err)}); showing the ids Ratchet recorded.`;
    const ids = [
      workflowIds.workspace(workspaceId),
      workflowIds.ratchet(workspaceId),
      // A fix attempt's row key is `<fixer workflow id>#<run>` (a fixer id is reused across retries).
      ...new Set(listFixAttempts({ db, workspaceId }).map((f) => f.workflowId.replace(/#\d+$/, ''))),
    ];
    runs = ids.map((workflowId) => ({
      workflowId,
      runId: null,
      role: roleOf(workflowId)!,
      type: null,
      status: null,
      startedAt: null,
    }));
  }
  runs.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.startedAt ?? 0) - (b.startedAt ?? 0));
  return {
    uiUrl,
    namespace,
    note,
    workflows: runs.map((r) => ({
      ...r,
      url: uiUrl ? temporalUiUrl(uiUrl, namespace, r.workflowId, r.runId) : null,
    })),
  };
}
