/**
 * Links into the Temporal web UI, and the visibility query that finds every workflow of one
 * workspace: its `workspace/<id>` run(s), its `ratchet/<id>` loop and each `fix/<id>/…` fixer.
 */
import { assertSafeId } from './ids.js';

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** The UI page of one run (its event history); without a run id, the list of runs with that workflow id. */
export function temporalUiUrl(
  uiBase: string,
  namespace: string,
  workflowId: string,
  runId?: string | null,
): string {
  const ns = encodeURIComponent(namespace);
  if (runId)
    return `${trimSlash(uiBase)}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
  const query = `WorkflowId="${workflowId.replaceAll('"', '')}"`;
  return `${trimSlash(uiBase)}/namespaces/${ns}/workflows?query=${encodeURIComponent(query)}`;
}

/** Visibility query for every workflow of a workspace (the id is a safe id: no quotes can reach the query). */
export function workspaceWorkflowsQuery(workspaceId: string): string {
  const id = assertSafeId(workspaceId, 'workspaceId');
  return `WorkflowId = "workspace/${id}" OR WorkflowId = "ratchet/${id}" OR WorkflowId STARTS_WITH "fix/${id}/"`;
}

export type WorkflowRole = 'workspace' | 'ratchet' | 'fixer';

export function roleOf(workflowId: string): WorkflowRole | null {
  if (workflowId.startsWith('workspace/')) return 'workspace';
  if (workflowId.startsWith('ratchet/')) return 'ratchet';
  if (workflowId.startsWith('fix/')) return 'fixer';
  return null;
}
