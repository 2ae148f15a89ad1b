/**
 * The PR hand-off: the workspace opens its PR and starts the ratchet loop after its first pushed
 * turn, adopts an existing PR ("Ratchet this PR"), or opens one without a loop when the person asks
 * (ratchet off). Creating, recording and starting are idempotent (`ratchet-start.ts`).
 */
import { patched } from '@temporalio/workflow';
import { openPrRefusal, opensPrAfterTurn } from '../core/workspace-steps.js';
import { adoptPullRequestOnce, openPullRequestOnce, openPullRequestWithoutRatchet } from './ratchet-start.js';
import type { WorkspaceRun } from './workspace-run.js';

/**
 * "Ratchet this PR" (`spec.adopt`): after setup the adopted PR is recorded and its loop started, and
 * no implement turn runs. Only a workspace with `adopt` asks, so older histories never meet it.
 */
const ADOPT_PR_PATCH = 'adopt-pr';
/** The `openPr` signal: a workspace with the ratchet off opens its PR when the person asks. */
const OPEN_PR_ON_REQUEST_PATCH = 'open-pr-on-request';

/** Adopts `spec.adopt` and starts its loop; false when this workspace adopts nothing. */
export async function adoptPr(run: WorkspaceRun): Promise<boolean> {
  const { spec } = run;
  if (!(spec.adopt && spec.github && patched(ADOPT_PR_PATCH))) return false;
  await run.setStatus('pushing', `Adopting PR #${spec.adopt.number}`);
  const pr = await adoptPullRequestOnce({ spec, timings: run.timings, dedupeKey: run.key('pr') });
  run.prOpen = pr !== null;
  await run.setStatus(
    run.prOpen ? 'pr_open' : 'idle',
    `Ratcheting PR #${spec.adopt.number}: ${spec.adopt.url}`,
  );
  return true;
}

/** First pushed turn on a GitHub repo with the ratchet on: open the PR and start the loop (both idempotent). */
export async function openPrAfterTurn(run: WorkspaceRun, committed: boolean): Promise<void> {
  const { spec } = run;
  const due = opensPrAfterTurn({
    push: spec.push,
    github: Boolean(spec.github),
    ratchetEnabled: spec.ratchet.enabled,
    prOpen: run.prOpen,
    committed,
    lastCommit: run.state.lastCommit,
  });
  if (!due) return;
  await run.setStatus('pushing', 'Opening the pull request');
  const pr = await openPullRequestOnce({ spec, timings: run.timings, dedupeKey: run.key('pr') });
  run.prOpen = pr !== null;
}

/** The `openPr` request, answered between turns (runs from before the patch ignore it). */
export async function answerOpenPrRequest(run: WorkspaceRun): Promise<void> {
  run.requests.openPr = false;
  if (patched(OPEN_PR_ON_REQUEST_PATCH)) await openPrOnRequest(run);
}

/** The person asked for the PR (ratchet off): open it without a loop, once there is a pushed commit. */
async function openPrOnRequest(run: WorkspaceRun): Promise<void> {
  const { spec } = run;
  const refusal = openPrRefusal({
    github: Boolean(spec.github),
    push: spec.push,
    lastCommit: run.state.lastCommit,
  });
  if (refusal) {
    await run.event('pr.not_opened', `Pull request not opened: ${refusal}`, {
      level: 'warn',
      what: 'pr-refused',
    });
    return;
  }
  const pr = await openPullRequestWithoutRatchet({ spec, dedupeKey: run.key('pr') });
  run.prOpen = run.prOpen || pr !== null;
  if (pr) await run.setStatus('pr_open', `Pull request #${pr.number} opened (ratchet off)`);
}
