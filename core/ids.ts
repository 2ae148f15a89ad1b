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

/**
 * A key Ratchet stores where it cannot take it back: event dedupe keys and notification keys
 * (SQLite, unique), hidden comment markers and commit trailers (GitHub, git), session ids and row
 * ids (SQLite), live stream names and in-flight record files. Each is built by one function of
 * `keys` below and only there, so its text never drifts: a key that changed would write a second
 * event, post a second comment or commit twice for work a running loop already did. The strings
 * are in users' databases and histories; `core/ids.test.ts` pins every one of them.
 */
declare const keyBrand: unique symbol;
export type Key<Scope extends string> = string & { readonly [keyBrand]: Scope };
/** `workspace_events.dedupe_key`: a retried or replayed write with the same key writes nothing. */
export type EventKey = Key<'event'>;
/** `notifications.dedupe_key`: one notification per key, ever. */
export type NotificationKey = Key<'notification'>;
/** The key inside a hidden comment marker, `<!-- ratchet:<key> -->`. */
export type MarkerKey = Key<'marker'>;
/** An agent session (`agent_sessions.id`): a retried turn resumes the same one from its transcript. */
export type SessionId = Key<'session'>;

/**
 * Ids of Temporal executions and activities come from the activity context, where the SDK types
 * them as possibly absent; a missing one is written as `undefined`, as it always was.
 */
type MaybeId = string | undefined;

/** The prefix of an agent turn's real failures, counted to bound them (core/agent-retry.ts). */
const agentFailurePrefix = (workflowId: MaybeId, runId: MaybeId, activityId: string) =>
  `${workflowId}/${runId}/${activityId}/agent-failure/`;

export const keys = {
  // --- workspace workflow (workflows/workspace*.ts) ---------------------------------------------
  /**
   * The n-th read-model write of one workspace run: `<workflow id>/<run id>/<n>/<what>`. Unique per
   * run and write, the same on replay (n counts writes in workflow order).
   */
  workspaceWrite: (workflowId: string, runId: string, writeNo: number, what: string) =>
    `${workflowId}/${runId}/${writeNo}/${what}` as EventKey,
  /** The `what` of a status write: `status-<status>`. */
  statusWrite: (status: string) => `status-${status}`,
  /**
   * An agent session: `<ws>-t<turn>-<purpose>`, a plan revision `<ws>-t1-plan-r<n>`. Fixers use
   * turns above 100 (`FIXER_TURN_BASE`), so they never meet the workspace's own.
   */
  session: (workspaceId: string, turn: number, purpose: string, revision?: number) =>
    `${workspaceId}-t${turn}-${purpose}${revision === undefined ? '' : `-r${revision}`}` as SessionId,
  /** The notification asking to trust one exact script text: `trust/<ws>/<sha256>`. */
  trustNotification: (workspaceId: string, sha256: string) =>
    `trust/${workspaceId}/${sha256}` as NotificationKey,
  /** The marker in a PR body saying which workspace opened it. */
  prBodyMarker: (workspaceId: string) => `<!-- ratchet:workspace/${workspaceId} -->`,
  /** The trailer that makes a turn's commit findable: `Ratchet-Turn: <ws>#<turn>`. */
  turnTrailer: (workspaceId: string, turn: number) => `Ratchet-Turn: ${workspaceId}#${turn}`,

  // --- fixers and the worktree lease (workflows/fixer.ts) ----------------------------------------
  /** A fixer's name for the worktree lease: `<fix id>#<fix number>` (fix ids are reused, numbers never). */
  fixHolder: (fixWorkflowId: string, fixNo: number) => `${fixWorkflowId}#${fixNo}`,
  /** The trailer of a fixer's commit: the fix number makes it unique (attempts restart after Retry). */
  fixTrailer: (fixWorkflowId: string, fixNo: number, attempt: number) =>
    `Ratchet-Fix: ${fixWorkflowId} #${fixNo} (attempt ${attempt})`,
  /** The trailer of fixers started before `worktree-lease` (replay only). */
  legacyFixTrailer: (fixWorkflowId: string, attempt: number) =>
    `Ratchet-Fix: ${fixWorkflowId} (attempt ${attempt})`,

  // --- ratchet loop (workflows/ratchet-effects.ts) ----------------------------------------------
  /** A `fix_attempts` row: `<fix id>#<fix number>` (`fix-row-per-fix`), before it `<fix id>#<attempt>`. */
  fixRow: (fixWorkflowId: string, n: number) => `${fixWorkflowId}#${n}`,
  /** A ratchet decision's event: `ratchet/<ws>/<first run id>/d<n>`. */
  ratchetDecision: (workspaceId: string, chain: string, decisionNo: number) =>
    `ratchet/${workspaceId}/${chain}/d${decisionNo}` as EventKey,
  /** Any other ratchet event: `ratchet/<ws>/<first run id>/<what>` (`comment/<marker>`, `merge/<n>`, `stopped`, …). */
  ratchetEvent: (workspaceId: string, chain: string, what: string) =>
    `ratchet/${workspaceId}/${chain}/${what}` as EventKey,
  /** A fixer's question: the comment marker and the notification share `ask/<ws>/<fix number>`. */
  ask: (workspaceId: string, fixNo: number) => `ask/${workspaceId}/${fixNo}` as Key<'ask'>,
  /** The comment summing up a pushed review fix: `review-fix/<ws>/<fix number>`. */
  reviewFixMarker: (workspaceId: string, fixNo: number) => `review-fix/${workspaceId}/${fixNo}` as MarkerKey,
  /** The one comment saying the base branch is red too: `base-red/<ws>`. */
  baseRedMarker: (workspaceId: string) => `base-red/${workspaceId}` as MarkerKey,
  /** One stalled notification per snapshot key: `stalled/<ws>/<snapshot key>`. */
  stalledNotification: (workspaceId: string, snapshotKey: string) =>
    `stalled/${workspaceId}/${snapshotKey}` as NotificationKey,

  // --- poller (workflows/poller.ts) --------------------------------------------------------------
  /** The event opening a failure streak: `<poller id>/<run id>/error/<cycle>/<error type>`. */
  pollError: (workflowId: string, runId: string, cycle: number, type: string) =>
    `${workflowId}/${runId}/error/${cycle}/${type}` as EventKey,
  /** Whether a streak's key is for this error type (a new type opens a new streak). */
  pollErrorIsOfType: (errorKey: string, type: string) => errorKey.endsWith(`/${type}`),
  /** The event closing a failure streak: `<streak key>/recovered`. */
  pollRecovered: (errorKey: string) => `${errorKey}/recovered` as EventKey,

  // --- activities and the worker -----------------------------------------------------------------
  /** One workspace's copy of an event the ratchet store writes for several: `<key>/<ws>`. */
  perWorkspaceEvent: (dedupeKey: string, workspaceId: string) => `${dedupeKey}/${workspaceId}` as EventKey,
  /** The notification a status write raises (plan, budget, failure): `status/<status write key>`. */
  statusNotification: (statusDedupeKey: string) => `status/${statusDedupeKey}` as NotificationKey,
  /** The one notification of a merge: `merged/<ws>`. */
  mergedNotification: (workspaceId: string) => `merged/${workspaceId}` as NotificationKey,
  /** The hidden marker of a Ratchet comment on GitHub. */
  commentMarker: (key: string) => `<!-- ratchet:${key} -->`,
  /** A setup script's timeline rows, per attempt: `<wf>/setup/attempt-<n>/<step>`. */
  setupEvent: (workflowId: MaybeId, attempt: number, step: string) =>
    `${workflowId}/setup/attempt-${attempt}/${step}` as EventKey,
  /** The step of the n-th chunk of setup output: `out-<n>`. */
  setupOutputStep: (chunkNo: number) => `out-${chunkNo}`,
  agentFailurePrefix,
  /** One real failure of an agent turn: `<wf>/<run>/<activity id>/agent-failure/<attempt>`. */
  agentFailure: (workflowId: MaybeId, runId: MaybeId, activityId: string, attempt: number) =>
    `${agentFailurePrefix(workflowId, runId, activityId)}${attempt}` as EventKey,
  /** The timeline row of a retried activity attempt (worker interceptor). */
  activityRetry: (workflowId: MaybeId, runId: MaybeId, activityId: string, attempt: number) =>
    `${workflowId}/${runId}/${activityId}/attempt-${attempt}` as EventKey,
  /** One live stream of a session attempt (the console's tail): `<session>/<attempt>/<stamp>.<n>`. */
  liveStream: (sessionId: string, attempt: number, stamp: string, n: number) =>
    `${sessionId}/${attempt}/${stamp}.${n}`,
  /** The in-flight record of an activity attempt: `<pid>-<boot id, 8 chars>-<n>.json`. */
  inflightFile: (pid: number, bootId: string, n: number) => `${pid}-${bootId.slice(0, 8)}-${n}.json`,
};

/** Random ids for rows (projects, workspaces, sessions); sortable by creation time. */
export function newId(prefix: string, now: number, random: () => number): string {
  const time = now.toString(36).padStart(9, '0');
  let rand = '';
  for (let i = 0; i < 8; i++) rand += Math.floor(random() * 36).toString(36);
  return `${prefix}_${time}${rand}`;
}
