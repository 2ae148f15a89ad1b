/**
 * What the ratchet loop does, as small named functions of (loop, action): one effect per action
 * kind in `EFFECTS` (a missing kind does not compile), plus the loop's other steps that talk to
 * the outside: recording a decision, settling a returned fixer, reading a PR that left the open
 * list, stopping for an archive. None of them decides anything (`core/ratchet/decide.ts` does) and
 * none writes the loop's fields: each reports what happened through a `RatchetLoop` transition.
 *
 * The commands these functions schedule, and their order, are what running loops' histories hold
 * (tests/replay): change one only behind a new patch id (ARCHITECTURE.md, "Changing workflow code").
 */
import {
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { errorTypeOf, messageOf } from '../core/errors.js';
import { keys, workflowIds } from '../core/ids.js';
import type { RatchetAction, RatchetActionKind } from '../core/ratchet/decide.js';
import { stateForAction } from '../core/ratchet/state.js';
import type { GithubActivities } from '../activities/github/index.js';
import type { RatchetPollActivities } from '../activities/poll-cycle.js';
import type { RatchetStoreActivities } from '../activities/store/index.js';
import { githubOptions, storeOptions } from './activity-options.js';
import { fixerHolder, fixerWorkflow, WORKTREE_LEASE_PATCH } from './fixer.js';
import { archiveSignal, releaseWorktreeSignal } from './messages.js';
import { kindOf, type FixAction, type RatchetLoop } from './ratchet-loop.js';
import { pokeSignal, unwatchSignal } from './ratchet-messages.js';

const store = proxyActivities<RatchetStoreActivities>(storeOptions);
const github = proxyActivities<GithubActivities>(githubOptions);
// Reads of one PR for the loop (not the poll cycle): a transport fault is worth many quick tries.
const poll = proxyActivities<RatchetPollActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 30 },
});

/** Marks fix-attempt rows keyed by fix number (older runs keyed them by attempt). */
const FIX_ROW_PATCH = 'fix-row-per-fix';
/**
 * A pushed fix marks the head the loop still sees as answered, so no fix is decided on that stale
 * snapshot (core's `push_pending` gate). Before it, a poll slower than the backoff (a loaded
 * machine, a worker restart) re-fixed the old head: a second fixer and a duplicate fix commit.
 */
const PUSH_PENDING_PATCH = 'ratchet-push-pending';

/** Wait before retrying a decision whose effect failed. */
export const ACTION_RETRY_MS = 5 * 60_000;

type Effect<K extends RatchetActionKind> = (
  loop: RatchetLoop,
  action: Extract<RatchetAction, { kind: K }>,
) => Promise<void>;

// ---- helpers -------------------------------------------------------------------------------------

const ws = (loop: RatchetLoop) => loop.workspaceId;
const prRef = (loop: RatchetLoop) => ({
  owner: loop.input.github.owner,
  repo: loop.input.github.repo,
  number: loop.input.pr.number,
});
/** Timeline event keys: unique per workspace and continue-as-new chain. */
const eventKey = (loop: RatchetLoop, suffix: string) =>
  keys.ratchetEvent(ws(loop), loop.identity.chainId, suffix);
const pollerId = (loop: RatchetLoop) => workflowIds.poller(loop.input.github.owner, loop.input.github.repo);

async function warn(loop: RatchetLoop, kind: string, message: string, key: string): Promise<void> {
  await store.ratchetRecordEvent({
    workspaceIds: [ws(loop)],
    kind,
    level: 'warn',
    message,
    dedupeKey: eventKey(loop, key),
  });
}

async function pokePoller(loop: RatchetLoop, reason: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(pollerId(loop)).signal(pokeSignal, { reason });
  } catch {
    // No poller running: the next watch starts one; nothing to hurry.
  }
}

async function unwatch(loop: RatchetLoop): Promise<void> {
  try {
    await getExternalWorkflowHandle(pollerId(loop)).signal(unwatchSignal, { workspaceId: ws(loop) });
  } catch {
    // The poller already ended; it drops ratchets that no longer exist anyway.
  }
}

/**
 * A comment that reports on work already done: if GitHub refuses it after the retries, the loop
 * says so in the timeline and carries on (a lost comment must not end the loop).
 */
async function commentOrWarn(loop: RatchetLoop, key: string, body: string): Promise<void> {
  const { github: repo, pr } = loop.input;
  try {
    await github.githubUpsertComment({ ...repo, issueNumber: pr.number, key, body });
  } catch (err) {
    await warn(
      loop,
      'ratchet.comment_failed',
      `Could not comment on PR #${pr.number}: ${messageOf(err)}`,
      `comment/${key}`,
    );
  }
}

// ---- the loop's steps ----------------------------------------------------------------------------

/** Registers a fresh loop with its repository's poller (signal-with-start; it polls at once). */
export async function watchPr(loop: RatchetLoop): Promise<void> {
  await poll.ratchetEnsureWatched({
    owner: loop.input.github.owner,
    repo: loop.input.github.repo,
    workspaceId: ws(loop),
    number: loop.input.pr.number,
  });
}

/** Reads the project's ratchet policy and Ratchet's own GitHub login, for a fresh loop. */
export async function readPolicy(loop: RatchetLoop): Promise<void> {
  const read = await store.ratchetProjectPolicy({ projectId: loop.input.spec.projectId });
  // Unknown after the retries (GitHub down): decide without a self login rather than not at all.
  const selfLogin = await github.githubViewerLogin({}).catch(() => null);
  loop.policyRead(read, selfLogin);
}

/** Writes state + reason + a timeline event, keyed by decision number so a retried write lands once. */
export async function recordDecision(loop: RatchetLoop, action: RatchetAction): Promise<void> {
  await store.ratchetRecordDecision({
    workspaceId: ws(loop),
    state: stateForAction(action),
    reason: action.reason,
    snapshotKey: 'key' in action ? action.key : null,
    kind: `ratchet.${action.kind}`,
    level: action.kind === 'stalled' || action.kind === 'base_red' ? 'warn' : 'info',
    message: `Ratchet: ${action.reason}`,
    data: { rule: action.rule, kind: action.kind },
    dedupeKey: keys.ratchetDecision(ws(loop), loop.identity.chainId, loop.decisionNo),
    ...(action.kind === 'done' ? { prState: action.outcome } : {}),
  });
}

/** An effect failed after its activity's retries: the loop will act again; the timeline says so. */
export async function recordEffectFailed(
  loop: RatchetLoop,
  action: RatchetAction,
  err: unknown,
): Promise<void> {
  loop.effectFailed(Date.now() + ACTION_RETRY_MS);
  await warn(
    loop,
    'ratchet.action_failed',
    `${action.kind} failed (${errorTypeOf(err) ?? 'error'}): ${messageOf(err)}; trying again in ${ACTION_RETRY_MS / 60_000} min`,
    `failed/${loop.decisionNo}`,
  );
}

/** Settles a returned fixer: its row, its timeline line, and for a pushed review fix the follow-up. */
export async function settleFixer(loop: RatchetLoop): Promise<void> {
  const f = loop.fixerSettled();
  if (!f) return;
  const { result } = f;
  // The fixer returns the worktree itself; this covers one that was terminated before it could.
  if (patched(WORKTREE_LEASE_PATCH)) {
    const holder = fixerHolder(f.workflowId, f.fixNo);
    await getExternalWorkflowHandle(workflowIds.workspace(ws(loop)))
      .signal(releaseWorktreeSignal, { holder })
      .catch(() => undefined); // No workspace workflow: nothing was lent.
  }
  await store.ratchetFixFinished({ id: f.rowId, status: result.outcome, detail: result.detail });
  await store.ratchetRecordEvent({
    workspaceIds: [ws(loop)],
    kind: 'ratchet.fix_finished',
    level: result.outcome === 'failed' ? 'warn' : 'info',
    message: `${f.kind} fixer ${result.outcome.replace('_', ' ')}${result.commit ? ` (${result.commit.slice(0, 8)})` : ''}: ${result.detail}`,
    data: { workflowId: f.workflowId, ...result },
    dedupeKey: eventKey(loop, `fix/${f.rowId}`),
  });
  if (result.outcome === 'asked_human') {
    // No more attempts on this snapshot until the PR changes or a person resumes the loop; the
    // question goes where people look: the PR and the notifications.
    loop.questionAsked(f.action.key, result.detail);
    if (result.question) {
      const body = `Ratchet's ${f.kind} fixer stopped to ask rather than guess:\n\n> ${result.question.replace(/\n/g, '\n> ')}\n\nRatchet tries again when this PR changes (a push, a review), or when the loop is resumed from the console.`;
      await commentOrWarn(loop, keys.ask(ws(loop), f.fixNo), body);
    }
    await store.ratchetNotify({
      workspaceId: ws(loop),
      level: 'warn',
      title: `PR #${loop.input.pr.number} needs a decision`,
      body: result.detail,
      dedupeKey: keys.ask(ws(loop), f.fixNo),
    });
    return;
  }
  if (result.outcome !== 'pushed') return;
  if (result.commit && patched(PUSH_PENDING_PATCH)) loop.fixPushed(result.commit);
  if (f.action.kind === 'fix_review') await followUpReviewFix(loop, f.action, result.commit);
  await pokePoller(loop, 'fixer pushed');
}

/** A pushed review fix: the feedback is addressed, the PR says what was done, reviewers are asked again. */
async function followUpReviewFix(
  loop: RatchetLoop,
  action: Extract<RatchetAction, { kind: 'fix_review' }>,
  commit: string | undefined,
): Promise<void> {
  loop.feedbackAddressed(action.feedbackTokens);
  const summary = [
    `Ratchet pushed ${commit?.slice(0, 8) ?? 'a fix'} addressing review feedback:`,
    ...action.reviews.map((r) => `- review by @${r.author.login}`),
    ...action.threads.map((t) => `- thread on \`${t.path}${t.line ? `:${t.line}` : ''}\``),
  ].join('\n');
  await commentOrWarn(loop, keys.reviewFixMarker(ws(loop), loop.fixNo), summary);
  const reviewers = [...new Set(action.reviews.filter((r) => !r.author.isBot).map((r) => r.author.login))];
  if ((loop.input.requestReReview ?? true) && reviewers.length > 0) {
    try {
      await github.githubRequestReReview({ ...prRef(loop), reviewers });
    } catch (err) {
      await warn(
        loop,
        'ratchet.rereview_failed',
        `Could not re-request review: ${messageOf(err)}`,
        `rereview/${loop.fixNo}`,
      );
    }
  }
}

/** A watched PR left the open list: read it once by number (merged, closed, or gone). */
export async function readMissingPr(loop: RatchetLoop, number: number): Promise<void> {
  loop.missingRead();
  const { owner, repo } = loop.input.github;
  try {
    const snap = await github.githubGetPrSnapshot({ owner, repo, number });
    loop.snapshotArrived({
      kind: 'snapshot',
      pr: snap,
      baseFailing: loop.snapshot?.baseFailing ?? [],
      at: Date.now(),
    });
  } catch (err) {
    const type = errorTypeOf(err) ?? (err as { cause?: { type?: string } }).cause?.type;
    if (type === 'GithubNotFound') {
      loop.prEnded({ outcome: 'closed', reason: `PR #${number} no longer exists on GitHub` });
      return;
    }
    await warn(
      loop,
      'ratchet.read_failed',
      `Could not read PR #${number}: ${messageOf(err)}`,
      `missing/${loop.decisionNo}`,
    );
  }
}

/** Ends the loop because its workspace is being archived: recorded as `stopped`, unwatched. */
export async function stopForArchive(loop: RatchetLoop, reason: string): Promise<void> {
  loop.finished();
  await store.ratchetRecordDecision({
    workspaceId: ws(loop),
    state: 'stopped',
    reason,
    snapshotKey: null,
    kind: 'ratchet.stopped',
    level: 'info',
    message: `Ratchet stopped: ${reason}`,
    data: { fixer: loop.fixerWorkflowId },
    dedupeKey: eventKey(loop, 'stopped'),
  });
  await unwatch(loop);
}

// ---- one effect per action kind ------------------------------------------------------------------

/** The head SHA of the snapshot decided on (fixer ids and pinned writes name it). */
const headOf = (loop: RatchetLoop) => loop.snapshot?.pr.headSha ?? '';

const nothing = async (): Promise<void> => undefined;

const rerunFlaky: Effect<'rerun_flaky'> = async (loop, action) => {
  const headSha = headOf(loop); // before the first await: a snapshot may arrive meanwhile
  const runs = new Map<number, number>();
  for (const c of action.checks)
    if (c.runId !== null) runs.set(c.runId, Math.max(runs.get(c.runId) ?? 1, c.attempt ?? 1));
  for (const [runId, attempt] of runs) {
    try {
      await github.githubRerunFailedJobs({ ...loop.input.github, runId, expectedAttempt: attempt });
    } catch (err) {
      await warn(
        loop,
        'ratchet.rerun_failed',
        `Rerun of run ${runId} failed: ${messageOf(err)}`,
        `rerun/${headSha}/${runId}`,
      );
    }
  }
  loop.rerunRequested(
    action.headSha,
    action.checks.map((c) => c.key),
  );
};

/** Starts the fixer child for this snapshot; its workflow id is the lock (never two at once). */
const dispatchFixer = async (loop: RatchetLoop, action: FixAction): Promise<void> => {
  const { spec, github: repo, pr } = loop.input;
  const headSha = headOf(loop);
  const kind = kindOf(action);
  const workflowId = workflowIds.fix(ws(loop), headSha, kind);
  const fixNo = loop.fixNo + 1;
  try {
    const handle = await startChild(fixerWorkflow, {
      workflowId,
      // A later attempt on the same head SHA may reuse the ID once the previous fixer closed;
      // a running one refuses the start (the default conflict policy): never two at once.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      args: [
        {
          spec,
          github: repo,
          pr,
          kind,
          headSha,
          attempt: action.attempt,
          fixNo,
          heartbeatTimeoutMs: loop.input.heartbeatTimeoutMs,
          ...(action.kind === 'fix_ci' ? { checks: action.checks } : {}),
          ...(action.kind === 'fix_review' ? { reviews: action.reviews, threads: action.threads } : {}),
        },
      ],
    });
    // One row per fixer run, keyed by its fix number on the PR: attempt numbers start again at 1
    // after a person presses Retry, and a reused key would drop the new run's row and outcome.
    const rowId = keys.fixRow(workflowId, patched(FIX_ROW_PATCH) ? fixNo : action.attempt);
    loop.fixerDispatched({ kind, workflowId, rowId, fixNo, action }, Date.now());
    await store.ratchetFixStarted({
      id: rowId,
      workspaceId: ws(loop),
      kind,
      headSha,
      snapshotKey: action.key,
      attempt: action.attempt,
    });
    void handle.result().then(
      (r) => loop.fixerReturned(r),
      (err: unknown) => loop.fixerReturned({ outcome: 'failed', detail: messageOf(err) }),
    );
  } catch (err) {
    // Another fixer holds this ID (it cannot be ours: we never run two). Say so; the next snapshot decides again.
    await warn(
      loop,
      'ratchet.fixer_refused',
      `Fixer ${workflowId} not started: ${messageOf(err)}`,
      `refused/${loop.decisionNo}`,
    );
  }
};

const updateBranch: Effect<'update_branch'> = async (loop, action) => {
  loop.branchUpdateRequested(action.key, Date.now());
  const res = await poll.ratchetUpdateBranch({ ...prRef(loop), expectedHeadSha: headOf(loop) });
  if (!res.updated) {
    await warn(
      loop,
      'ratchet.update_branch_failed',
      `Could not update the branch: ${res.message}`,
      `update/${loop.decisionNo}`,
    );
  }
  await pokePoller(loop, 'branch updated');
};

const markReady: Effect<'mark_ready'> = async (loop) => {
  await github.githubMarkReadyForReview(prRef(loop));
  await pokePoller(loop, 'marked ready');
};

/** Merges pinned to the checked head; a merged (or meanwhile closed) PR is an ending to decide on. */
const merge: Effect<'merge'> = async (loop, action) => {
  const { spec, pr, mergeMethod } = loop.input;
  const res = await github.githubMergePullRequest({
    ...prRef(loop),
    method: mergeMethod ?? loop.policy?.mergeMethod ?? 'squash',
    expectedHeadSha: action.headSha,
    commitTitle: `${spec.title} (#${pr.number})`,
  });
  if (res.kind === 'merged' || res.kind === 'closed') {
    loop.prEnded(
      res.kind === 'merged'
        ? { outcome: 'merged', reason: `merged ${res.sha.slice(0, 8)}` }
        : { outcome: 'closed', reason: 'PR closed' },
    );
    return;
  }
  await warn(
    loop,
    'ratchet.merge_refused',
    res.kind === 'head_changed'
      ? 'Merge skipped: the head moved since it was checked'
      : `Merge refused: ${res.message}`,
    `merge/${loop.decisionNo}`,
  );
  await pokePoller(loop, 'merge refused');
};

/** One notification per stalled key, ever (the set rides across continue-as-new). */
const stalled: Effect<'stalled'> = async (loop, action) => {
  const key = keys.stalledNotification(ws(loop), action.key);
  if (loop.hasNotified(key)) return;
  await store.ratchetNotify({
    workspaceId: ws(loop),
    level: 'warn',
    title: `PR #${loop.input.pr.number} stalled`,
    body: action.reason,
    dedupeKey: key,
  });
  loop.notificationRaised(key);
};

const baseRed: Effect<'base_red'> = async (loop, action) => {
  const { github: repo, pr } = loop.input;
  const names = action.checks.map((c) => `- \`${c.key}\``).join('\n');
  await github.githubUpsertComment({
    ...repo,
    issueNumber: pr.number,
    key: keys.baseRedMarker(ws(loop)),
    body: `These checks also fail on \`${pr.baseBranch}\`, so Ratchet is not trying to fix them here:\n${names}\n\nRatchet will pick this PR up again when the base branch is green.`,
  });
};

/** Ends the loop: unwatch, and (merged by auto-merge) archive the workspace. */
const done: Effect<'done'> = async (loop, action) => {
  loop.finished();
  await unwatch(loop);
  if (action.outcome !== 'merged' || !loop.settings.autoMerge) return;
  try {
    await getExternalWorkflowHandle(workflowIds.workspace(ws(loop))).signal(archiveSignal);
  } catch (err) {
    await warn(
      loop,
      'ratchet.archive_failed',
      `Could not archive the workspace: ${messageOf(err)}`,
      'archive',
    );
  }
};

/** Every action kind's effect. Run only for a new decision: the same one was already carried out. */
export const EFFECTS: { [K in RatchetActionKind]: Effect<K> } = {
  wait: nothing,
  paused: nothing,
  rerun_flaky: rerunFlaky,
  fix_ci: dispatchFixer,
  fix_review: dispatchFixer,
  fix_conflict: dispatchFixer,
  update_branch: updateBranch,
  mark_ready: markReady,
  merge,
  stalled,
  base_red: baseRed,
  done,
};

/** Carries out one action through its kind's effect. */
export function carryOut(loop: RatchetLoop, action: RatchetAction): Promise<void> {
  // The table is keyed by kind, so the effect matches the action; TypeScript cannot see the pairing.
  const effect = EFFECTS[action.kind] as (loop: RatchetLoop, action: RatchetAction) => Promise<void>;
  return effect(loop, action);
}
