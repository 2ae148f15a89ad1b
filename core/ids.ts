/**
 * Workflow IDs are Ratchet's dedupe keys: Temporal refuses a second running workflow with the same
 * ID, so building them in one place, with a brand, keeps raw strings from drifting.
 */
declare const brand: unique symbol;
export type WorkflowId<Scope extends string> = string & { readonly [brand]: Scope };

export type FixKind = 'ci' | 'review' | 'conflict';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws when an id would not make a safe key segment (no slashes, spaces or leading dashes). */
export function assertSafeId(id: string, field = 'id'): string {
  if (!SAFE_ID.test(id)) throw new Error(`${field} must match ${SAFE_ID} (got ${JSON.stringify(id)})`);
  return id;
}

export const workflowIds = {
  workspace: (workspaceId: string) =>
    `workspace/${assertSafeId(workspaceId, 'workspaceId')}` as WorkflowId<'workspace'>,
  ratchet: (workspaceId: string) =>
    `ratchet/${assertSafeId(workspaceId, 'workspaceId')}` as WorkflowId<'ratchet'>,
  poller: (owner: string, repo: string) =>
    `poller/${assertSafeId(owner, 'owner')}/${assertSafeId(repo, 'repo')}` as WorkflowId<'poller'>,
  /** One webhook delivery per notification row: started with REJECT_DUPLICATE, so never twice. */
  notify: (notificationId: number) => {
    if (!Number.isSafeInteger(notificationId) || notificationId < 1)
      throw new Error(`notificationId must be a positive integer (got ${notificationId})`);
    return `notify-${notificationId}` as WorkflowId<'notify'>;
  },
  /** Lookups the console asks the worker for (GitHub through the product's client); not a lock. */
  lookup: (projectId: string, what: string, nonce: string) =>
    `lookup/${assertSafeId(projectId, 'projectId')}/${what}/${assertSafeId(nonce, 'nonce')}` as WorkflowId<'lookup'>,
  /** One fixer per (workspace, head SHA, kind): the same snapshot can never get two fixers. */
  fix: (workspaceId: string, headSha: string, kind: FixKind) =>
    `fix/${assertSafeId(workspaceId, 'workspaceId')}/${assertSafeId(headSha, 'headSha')}/${kind}` as WorkflowId<'fix'>,
};

/** Random ids for rows (projects, workspaces, sessions); sortable by creation time. */
export function newId(prefix: string, now: number, random: () => number): string {
  const time = now.toString(36).padStart(9, '0');
  let rand = '';
  for (let i = 0; i < 8; i++) rand += Math.floor(random() * 36).toString(36);
  return `${prefix}_${time}${rand}`;
}
