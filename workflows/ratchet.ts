/**
 * ratchetWorkflow (ID `ratchet/<workspaceId>`): one per PR, started by the workspace workflow when
 * it opens the PR. It registers with its repository's poller, then on every change (a new snapshot,
 * a fixer finishing, a backoff ending, pause/resume) asks `decide()` what to do and does it. The
 * workflow ID of each fixer, `fix/<ws>/<headSha>/<kind>`, is the lock: Temporal refuses a second
 * running fixer for the same snapshot, across restarts and processes.
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { errorTypeOf, messageOf } from '../core/errors.js';
import { githubOptions, storeOptions } from './activity-options.js';
import { workflowIds } from '../core/ids.js';
import type { RatchetAction } from '../core/ratchet/decide.js';
import { stateForAction } from '../core/ratchet/state.js';
import type { GithubActivities } from '../activities/github/index.js';
import type { RatchetPollActivities } from '../activities/poll-cycle.js';
import type { RatchetStoreActivities } from '../activities/store/index.js';
import { fixerHolder, fixerWorkflow, WORKTREE_LEASE_PATCH } from './fixer.js';
import { archiveSignal, releaseWorktreeSignal } from './messages.js';
import { kindOf, RatchetLoop } from './ratchet-loop.js';
import {
  pauseSignal,
  pokeSignal,
  policySignal,
  ratchetStateQuery,
  resumeSignal,
  snapshotSignal,
  stopSignal,
  unwatchSignal,
  type FixerResult,
  type RatchetInput,
  type RatchetPolicy,
  type RatchetViewState,
} from './ratchet-messages.js';

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
 * A fresh loop reads its project's ratchet policy and Ratchet's own GitHub login before it
 * watches (older runs decided with the defaults: an empty bot allowlist and no self login).
 */
const PROJECT_POLICY_PATCH = 'ratchet-project-policy';
/** The `stop` signal (the workspace is being archived) ends the loop: recorded, unwatched, closed. */
const STOP_ON_ARCHIVE_PATCH = 'ratchet-stop-on-archive';
/**
 * A fixer's result and a snapshot can arrive in one workflow task (a worker restarted in between,
 * or both landed while a task ran). The result callback then runs during `await settleFixer()`'s
 * own yield, after it looked: before this patch the loop decided with the fixer counted as done but
 * unsettled, dispatched a second fixer over it, and the first was never settled (the kill matrix
 * found an extra fixer and a duplicate fix commit so). Now a result that arrived meanwhile is
 * settled before any decision.
 */
const SETTLE_BEFORE_DECIDE_PATCH = 'ratchet-settle-before-decide';

/** Wait before retrying a decision whose effect failed. */
const ACTION_RETRY_MS = 5 * 60_000;

/** @default 500 decisions per run before continue-as-new */
export const DEFAULT_DECISIONS_PER_RUN = 500;

export async function ratchetWorkflow(input: RatchetInput): Promise<RatchetViewState> {
  const loop = new RatchetLoop(input);
  /** The project's policy as this run decides with it; continue-as-new carries it. */
  let policy: RatchetPolicy | undefined = input.policy;
  const applyPolicy = (p: RatchetPolicy) => {
    policy = p;
    // Settings given in the input (tests, an explicit start) stay on top of the project's policy.
    loop.useSettings({ ...p.settings, ...input.settings });
  };
  const { spec, github: repo, pr } = input;
  const ws = spec.workspaceId;
  const info = workflowInfo();
  const chain = info.firstExecutionRunId;
  const perRun = input.decisionsPerRun ?? DEFAULT_DECISIONS_PER_RUN;
  const pollerId = workflowIds.poller(repo.owner, repo.repo);
  const ref = { owner: repo.owner, repo: repo.repo, number: pr.number };

  setHandler(snapshotSignal, (d) => loop.onSnapshot(d));
  setHandler(pauseSignal, () => loop.pause());
  setHandler(resumeSignal, (o) => loop.resume(o ?? {}));
  setHandler(ratchetStateQuery, () => loop.view());
  setHandler(stopSignal, ({ reason }) => loop.stop(reason));
  let policySignalled = false;
  setHandler(policySignal, (p) => {
    policySignalled = true;
    // The console does not know Ratchet's login; the loop keeps the one it read.
    applyPolicy({ ...p, settings: { ...p.settings, selfLogin: loop.settings.selfLogin } });
  });

  const pokePoller = async (reason: string) => {
    try {
      await getExternalWorkflowHandle(pollerId).signal(pokeSignal, { reason });
    } catch {
      // No poller running: the next watch starts one; nothing to hurry.
    }
  };

  /** Writes state + reason + a timeline event, keyed so a retried write lands once. */
  const record = async (
    action: RatchetAction,
    extra: {
      kind?: string;
      level?: 'info' | 'warn' | 'error';
      message?: string;
      prState?: 'merged' | 'closed';
    } = {},
  ) => {
    await store.ratchetRecordDecision({
      workspaceId: ws,
      state: stateForAction(action),
      reason: action.reason,
      snapshotKey: 'key' in action ? action.key : null,
      kind: extra.kind ?? `ratchet.${action.kind}`,
      level: extra.level ?? (action.kind === 'stalled' || action.kind === 'base_red' ? 'warn' : 'info'),
      message: extra.message ?? `Ratchet: ${action.reason}`,
      data: { rule: action.rule, kind: action.kind },
      dedupeKey: `ratchet/${ws}/${chain}/d${loop.decisionNo}`,
      ...(extra.prState ? { prState: extra.prState } : {}),
    });
  };

  /**
   * A comment that reports on work already done: if GitHub refuses it after the retries, the loop
   * says so in the timeline and carries on (a lost comment must not end the loop).
   */
  const commentOrWarn = async (key: string, body: string) => {
    try {
      await github.githubUpsertComment({ ...repo, issueNumber: pr.number, key, body });
    } catch (err) {
      await store.ratchetRecordEvent({
        workspaceIds: [ws],
        kind: 'ratchet.comment_failed',
        level: 'warn',
        message: `Could not comment on PR #${pr.number}: ${messageOf(err)}`,
        dedupeKey: `ratchet/${ws}/${chain}/comment/${key}`,
      });
    }
  };

  /** Settles a finished fixer: its row, its timeline line, and for a pushed review fix the follow-up. */
  const settleFixer = async () => {
    const f = loop.fixer;
    if (!f?.result) return;
    const result: FixerResult = f.result;
    loop.fixer = null;
    // The fixer returns the worktree itself; this covers one that was terminated before it could.
    if (patched(WORKTREE_LEASE_PATCH)) {
      const holder = fixerHolder(f.workflowId, f.fixNo);
      await getExternalWorkflowHandle(workflowIds.workspace(ws))
        .signal(releaseWorktreeSignal, { holder })
        .catch(() => undefined); // No workspace workflow: nothing was lent.
    }
    await store.ratchetFixFinished({ id: f.rowId, status: result.outcome, detail: result.detail });
    await store.ratchetRecordEvent({
      workspaceIds: [ws],
      kind: 'ratchet.fix_finished',
      level: result.outcome === 'failed' ? 'warn' : 'info',
      message: `${f.kind} fixer ${result.outcome.replace('_', ' ')}${result.commit ? ` (${result.commit.slice(0, 8)})` : ''}: ${result.detail}`,
      data: { workflowId: f.workflowId, ...result },
      dedupeKey: `ratchet/${ws}/${chain}/fix/${f.rowId}`,
    });
    if (result.outcome === 'asked_human') {
      // No more attempts on this snapshot until the PR changes or a person resumes the loop; the
      // question goes where people look: the PR and the notifications.
      loop.noteQuestion(f.action.key, result.detail);
      if (result.question) {
        const body = `Ratchet's ${f.kind} fixer stopped to ask rather than guess:\n\n> ${result.question.replace(/\n/g, '\n> ')}\n\nRatchet tries again when this PR changes (a push, a review), or when the loop is resumed from the console.`;
        await commentOrWarn(`ask/${ws}/${f.fixNo}`, body);
      }
      await store.ratchetNotify({
        workspaceId: ws,
        level: 'warn',
        title: `PR #${pr.number} needs a decision`,
        body: result.detail,
        dedupeKey: `ask/${ws}/${f.fixNo}`,
      });
      return;
    }
    if (result.outcome !== 'pushed') return;
    if (f.action.kind === 'fix_review') {
      loop.noteAddressed(f.action.feedbackTokens);
      const summary = [
        `Ratchet pushed ${result.commit?.slice(0, 8) ?? 'a fix'} addressing review feedback:`,
        ...f.action.reviews.map((r) => `- review by @${r.author.login}`),
        ...f.action.threads.map((t) => `- thread on \`${t.path}${t.line ? `:${t.line}` : ''}\``),
      ].join('\n');
      await commentOrWarn(`review-fix/${ws}/${loop.fixNo}`, summary);
      const reviewers = [
        ...new Set(f.action.reviews.filter((r) => !r.author.isBot).map((r) => r.author.login)),
      ];
      if ((input.requestReReview ?? true) && reviewers.length > 0) {
        try {
          await github.githubRequestReReview({ ...ref, reviewers });
        } catch (err) {
          await store.ratchetRecordEvent({
            workspaceIds: [ws],
            kind: 'ratchet.rereview_failed',
            level: 'warn',
            message: `Could not re-request review: ${messageOf(err)}`,
            dedupeKey: `ratchet/${ws}/${chain}/rereview/${loop.fixNo}`,
          });
        }
      }
    }
    await pokePoller('fixer pushed');
  };

  const dispatchFixer = async (
    action: Extract<RatchetAction, { kind: 'fix_ci' | 'fix_review' | 'fix_conflict' }>,
    headSha: string,
  ) => {
    const kind = kindOf(action);
    const workflowId = workflowIds.fix(ws, headSha, kind);
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
            heartbeatTimeoutMs: input.heartbeatTimeoutMs,
            ...(action.kind === 'fix_ci' ? { checks: action.checks } : {}),
            ...(action.kind === 'fix_review' ? { reviews: action.reviews, threads: action.threads } : {}),
          },
        ],
      });
      loop.fixNo = fixNo;
      // One row per fixer run, keyed by its fix number on the PR: attempt numbers start again at 1
      // after a person presses Retry, and a reused key would drop the new run's row and outcome.
      const rowId = patched(FIX_ROW_PATCH) ? `${workflowId}#${fixNo}` : `${workflowId}#${action.attempt}`;
      loop.noteDispatch(action, workflowId, rowId, fixNo, Date.now());
      await store.ratchetFixStarted({
        id: rowId,
        workspaceId: ws,
        kind,
        headSha,
        snapshotKey: action.key,
        attempt: action.attempt,
      });
      void handle.result().then(
        (r) => loop.onFixerDone(r),
        (err: unknown) => loop.onFixerDone({ outcome: 'failed', detail: messageOf(err) }),
      );
    } catch (err) {
      // Another fixer holds this ID (it cannot be ours: we never run two). Say so; the next snapshot decides again.
      await store.ratchetRecordEvent({
        workspaceIds: [ws],
        kind: 'ratchet.fixer_refused',
        level: 'warn',
        message: `Fixer ${workflowId} not started: ${messageOf(err)}`,
        dedupeKey: `ratchet/${ws}/${chain}/refused/${loop.decisionNo}`,
      });
    }
  };

  /** Carries out one decision. Returns true when the loop is finished. */
  const act = async (action: RatchetAction, fresh: boolean): Promise<boolean> => {
    const headSha = loop.last?.pr.headSha ?? '';
    switch (action.kind) {
      case 'wait':
      case 'paused':
        return false;
      case 'rerun_flaky': {
        const runs = new Map<number, number>();
        for (const c of action.checks)
          if (c.runId !== null) runs.set(c.runId, Math.max(runs.get(c.runId) ?? 1, c.attempt ?? 1));
        for (const [runId, attempt] of runs) {
          try {
            await github.githubRerunFailedJobs({ ...repo, runId, expectedAttempt: attempt });
          } catch (err) {
            await store.ratchetRecordEvent({
              workspaceIds: [ws],
              kind: 'ratchet.rerun_failed',
              level: 'warn',
              message: `Rerun of run ${runId} failed: ${messageOf(err)}`,
              dedupeKey: `ratchet/${ws}/${chain}/rerun/${headSha}/${runId}`,
            });
          }
        }
        loop.noteRerun(
          action.headSha,
          action.checks.map((c) => c.key),
        );
        loop.dirty = true;
        return false;
      }
      case 'fix_ci':
      case 'fix_review':
      case 'fix_conflict':
        await dispatchFixer(action, headSha);
        return false;
      case 'update_branch': {
        loop.noteBranchUpdate(action.key, Date.now());
        const res = await poll.ratchetUpdateBranch({ ...ref, expectedHeadSha: headSha });
        if (!res.updated) {
          await store.ratchetRecordEvent({
            workspaceIds: [ws],
            kind: 'ratchet.update_branch_failed',
            level: 'warn',
            message: `Could not update the branch: ${res.message}`,
            dedupeKey: `ratchet/${ws}/${chain}/update/${loop.decisionNo}`,
          });
        }
        await pokePoller('branch updated');
        return false;
      }
      case 'mark_ready':
        await github.githubMarkReadyForReview(ref);
        await pokePoller('marked ready');
        return false;
      case 'merge': {
        const res = await github.githubMergePullRequest({
          ...ref,
          method: input.mergeMethod ?? policy?.mergeMethod ?? 'squash',
          expectedHeadSha: action.headSha,
          commitTitle: `${spec.title} (#${pr.number})`,
        });
        if (res.kind === 'merged' || res.kind === 'closed') {
          return finish(
            res.kind === 'merged' ? 'merged' : 'closed',
            res.kind === 'merged' ? `merged ${res.sha.slice(0, 8)}` : 'PR closed',
          );
        }
        await store.ratchetRecordEvent({
          workspaceIds: [ws],
          kind: 'ratchet.merge_refused',
          level: 'warn',
          message:
            res.kind === 'head_changed'
              ? 'Merge skipped: the head moved since it was checked'
              : `Merge refused: ${res.message}`,
          dedupeKey: `ratchet/${ws}/${chain}/merge/${loop.decisionNo}`,
        });
        await pokePoller('merge refused');
        return false;
      }
      case 'stalled': {
        const key = `stalled/${ws}/${action.key}`;
        if (!loop.notified.has(key)) {
          await store.ratchetNotify({
            workspaceId: ws,
            level: 'warn',
            title: `PR #${pr.number} stalled`,
            body: action.reason,
            dedupeKey: key,
          });
          loop.notified.add(key);
        }
        return false;
      }
      case 'base_red':
        if (fresh) {
          const names = action.checks.map((c) => `- \`${c.key}\``).join('\n');
          await github.githubUpsertComment({
            ...repo,
            issueNumber: pr.number,
            key: `base-red/${ws}`,
            body: `These checks also fail on \`${pr.baseBranch}\`, so Ratchet is not trying to fix them here:\n${names}\n\nRatchet will pick this PR up again when the base branch is green.`,
          });
        }
        return false;
      case 'done':
        return finish(action.outcome, action.reason, false);
      default:
        return false;
    }
  };

  /** Ends the loop: final state, unwatch, and (auto-merge) archive the workspace. */
  const finish = async (outcome: 'merged' | 'closed', reason: string, recordIt = true): Promise<boolean> => {
    if (recordIt) {
      const done: RatchetAction = { kind: 'done', outcome, reason, rule: 'closed_or_merged' };
      loop.lastAction = done;
      loop.isNew(done);
      await record(done, { prState: outcome });
    }
    loop.done = true;
    try {
      await getExternalWorkflowHandle(pollerId).signal(unwatchSignal, { workspaceId: ws });
    } catch {
      // The poller already ended; it drops ratchets that no longer exist anyway.
    }
    if (outcome === 'merged' && loop.settings.autoMerge) {
      try {
        await getExternalWorkflowHandle(workflowIds.workspace(ws)).signal(archiveSignal);
      } catch (err) {
        await store.ratchetRecordEvent({
          workspaceIds: [ws],
          kind: 'ratchet.archive_failed',
          level: 'warn',
          message: `Could not archive the workspace: ${messageOf(err)}`,
          dedupeKey: `ratchet/${ws}/${chain}/archive`,
        });
      }
    }
    return true;
  };

  /** A watched PR left the open list: read it once by number (merged, closed, or gone). */
  const readMissing = async (number: number): Promise<boolean> => {
    loop.missing = null;
    try {
      const snap = await github.githubGetPrSnapshot({ owner: repo.owner, repo: repo.repo, number });
      loop.onSnapshot({
        kind: 'snapshot',
        pr: snap,
        baseFailing: loop.last?.baseFailing ?? [],
        at: Date.now(),
      });
      return false;
    } catch (err) {
      const type = errorTypeOf(err) ?? (err as { cause?: { type?: string } }).cause?.type;
      if (type === 'GithubNotFound') return finish('closed', `PR #${number} no longer exists on GitHub`);
      await store.ratchetRecordEvent({
        workspaceIds: [ws],
        kind: 'ratchet.read_failed',
        level: 'warn',
        message: `Could not read PR #${number}: ${messageOf(err)}`,
        dedupeKey: `ratchet/${ws}/${chain}/missing/${loop.decisionNo}`,
      });
      return false;
    }
  };

  if (!input.resume && patched(PROJECT_POLICY_PATCH)) {
    const read = await store.ratchetProjectPolicy({ projectId: spec.projectId });
    // Unknown after the retries (GitHub down): decide without a self login rather than not at all.
    const selfLogin = await github.githubViewerLogin({}).catch(() => null);
    // A policy signalled while the read was in flight is newer than the read.
    const base = policySignalled && policy ? policy : read;
    applyPolicy({ ...base, settings: { ...base.settings, selfLogin } });
  }

  /** Ends the loop because its workspace is being archived. */
  const stop = async (reason: string) => {
    loop.done = true;
    await store.ratchetRecordDecision({
      workspaceId: ws,
      state: 'stopped',
      reason,
      snapshotKey: null,
      kind: 'ratchet.stopped',
      level: 'info',
      message: `Ratchet stopped: ${reason}`,
      data: { fixer: loop.fixer?.workflowId ?? null },
      dedupeKey: `ratchet/${ws}/${chain}/stopped`,
    });
    try {
      await getExternalWorkflowHandle(pollerId).signal(unwatchSignal, { workspaceId: ws });
    } catch {
      // The poller already ended; it drops ratchets that no longer exist anyway.
    }
  };

  if (!input.resume) {
    await poll.ratchetEnsureWatched({
      owner: repo.owner,
      repo: repo.repo,
      workspaceId: ws,
      number: pr.number,
    });
  }

  for (;;) {
    const wake = loop.wakeAt();
    if (!loop.dirty)
      await condition(() => loop.dirty, wake === null ? undefined : Math.max(1, wake - Date.now()));
    loop.dirty = false;
    // Archived: a running fixer is cancelled with the loop (REQUEST_CANCEL); nothing is settled.
    if (loop.stopReason !== null && patched(STOP_ON_ARCHIVE_PATCH)) {
      await stop(loop.stopReason);
      break;
    }
    await settleFixer();
    if (loop.fixer?.result && patched(SETTLE_BEFORE_DECIDE_PATCH)) {
      loop.dirty = true;
      continue;
    }
    if (loop.missing !== null && !loop.fixer && (await readMissing(loop.missing))) break;
    const action = loop.decideNow(Date.now(), info.workflowId);
    if (!action) continue;
    loop.lastAction = action;
    const fresh = loop.isNew(action);
    if (fresh) {
      loop.decisionsThisRun++;
      await record(action, action.kind === 'done' ? { prState: action.outcome } : {});
    }
    // Effects run only on a new decision: the same decision on the same facts was already carried out.
    if (fresh) {
      try {
        if (await act(action, fresh)) break;
      } catch (err) {
        // An effect failed after its activity's retries: say so, and try the decision again later
        // (a GitHub outage must not end the loop, and must not spin it either).
        loop.retryLater(Date.now() + ACTION_RETRY_MS);
        await store.ratchetRecordEvent({
          workspaceIds: [ws],
          kind: 'ratchet.action_failed',
          level: 'warn',
          message: `${action.kind} failed (${errorTypeOf(err) ?? 'error'}): ${messageOf(err)}; trying again in ${ACTION_RETRY_MS / 60_000} min`,
          dedupeKey: `ratchet/${ws}/${chain}/failed/${loop.decisionNo}`,
        });
      }
    }
    if (!loop.fixer && (loop.decisionsThisRun >= perRun || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof ratchetWorkflow>({
        ...input,
        ...(policy ? { policy } : {}),
        resume: loop.carry(),
      });
    }
  }
  await condition(allHandlersFinished);
  return loop.view();
}
