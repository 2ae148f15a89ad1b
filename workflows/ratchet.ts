/**
 * ratchetWorkflow (ID `ratchet/<workspaceId>`): one per PR, started by the workspace workflow when
 * it opens the PR. It reads as its steps: register with the repository's poller, then loop { wait
 * for a change → settle a returned fixer → read a PR that left the open list → decide → carry the
 * decision out }, then finish or continue as new. Decisions come from `core/ratchet/decide.ts`,
 * the state from `RatchetLoop` (ratchet-loop.ts), the effects from ratchet-effects.ts. The
 * workflow ID of each fixer, `fix/<ws>/<headSha>/<kind>`, is the lock: Temporal refuses a second
 * running fixer for the same snapshot, across restarts and processes.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RatchetAction } from '../core/ratchet/decide.js';
import {
  carryOut,
  readMissingPr,
  readPolicy,
  recordDecision,
  recordEffectFailed,
  settleFixer,
  stopForArchive,
  watchPr,
} from './ratchet-effects.js';
import { RatchetLoop } from './ratchet-loop.js';
import {
  pauseSignal,
  policySignal,
  ratchetStateQuery,
  resumeSignal,
  snapshotSignal,
  stopSignal,
  type RatchetInput,
  type RatchetViewState,
} from './ratchet-messages.js';

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

export async function ratchetWorkflow(input: RatchetInput): Promise<RatchetViewState> {
  const info = workflowInfo();
  const loop = new RatchetLoop(input, { workflowId: info.workflowId, chainId: info.firstExecutionRunId });
  handleMessages(loop);
  await register(loop);
  // The awaits of this loop body, and where each read of the loop sits between them, are part of
  // what histories recorded: a fixer's result lands through a promise callback, so whether a read
  // runs before or after it in the same workflow task decides what the loop does. Keep each step
  // a single call awaited here (no wrapper adding a yield), as when the body was one function.
  for (;;) {
    if (!loop.hasNews) await nextChange(loop);
    loop.woke();
    // Archived: a running fixer is cancelled with the loop (REQUEST_CANCEL); nothing is settled.
    const stopReason = loop.stopRequested;
    if (stopReason !== null && patched(STOP_ON_ARCHIVE_PATCH)) {
      await stopForArchive(loop, stopReason);
      break;
    }
    await settleFixer(loop);
    // A result that arrived during the settle's own yield is settled before any decision.
    if (loop.fixerReturnedUnsettled && patched(SETTLE_BEFORE_DECIDE_PATCH)) {
      loop.again();
      continue;
    }
    const missing = loop.prToRead;
    if (missing !== null) await readMissingPr(loop, missing);
    const decision = decideNext(loop);
    if (!decision) continue; // nothing to decide on yet: no snapshot
    // Effects run only on a new decision: the same decision on the same facts was already carried out.
    if (decision.fresh) await actOn(loop, decision.action);
    if (loop.isDone) break;
    if (loop.shouldContinueAsNew(() => workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof ratchetWorkflow>(loop.nextRunInput());
    }
  }
  await condition(allHandlersFinished);
  return loop.view();
}

/** Signals and the query: each hands its message to a loop transition. */
function handleMessages(loop: RatchetLoop): void {
  setHandler(snapshotSignal, (d) => loop.snapshotArrived(d));
  setHandler(pauseSignal, () => loop.paused());
  setHandler(resumeSignal, (o) => loop.resumed(o ?? {}));
  setHandler(ratchetStateQuery, () => loop.view());
  setHandler(stopSignal, ({ reason }) => loop.stopAsked(reason));
  setHandler(policySignal, (p) => loop.policySignalled(p));
}

/** A fresh loop (not one continued as new) reads its policy and registers with the poller. */
async function register(loop: RatchetLoop): Promise<void> {
  if (loop.input.resume) return;
  if (patched(PROJECT_POLICY_PATCH)) await readPolicy(loop);
  await watchPr(loop);
}

/**
 * Until something changes: a snapshot, a fixer's result, pause/resume, or the loop's own wake-up
 * (backoff end, settle window, a failed effect's retry). Returns the condition itself, so awaiting
 * it yields exactly as awaiting `condition` does.
 */
function nextChange(loop: RatchetLoop): Promise<unknown> {
  const wake = loop.wakeAt();
  return condition(() => loop.hasNews, wake === null ? undefined : Math.max(1, wake - Date.now()));
}

/** Decides on the latest facts and tells the loop; null when there is nothing to decide on. */
function decideNext(loop: RatchetLoop): { action: RatchetAction; fresh: boolean } | null {
  const action = loop.decideNow(Date.now());
  if (!action) return null;
  const fresh = loop.isNewDecision(action);
  loop.decided(action, fresh);
  return { action, fresh };
}

/**
 * A new decision: recorded, then carried out. An effect that learned how the PR ended (the merge
 * answered) is decided on at once, in the same step: nothing comes between a merge and its
 * `done`. An effect that still fails after its activities' retries is recorded, and the decision
 * is taken again later (a GitHub outage must not end the loop, and must not spin it either).
 */
async function actOn(loop: RatchetLoop, action: RatchetAction): Promise<void> {
  await recordDecision(loop, action);
  try {
    await carryOut(loop, action);
    if (loop.endUndecided) {
      const ending = decideNext(loop);
      if (ending?.fresh) {
        await recordDecision(loop, ending.action);
        await carryOut(loop, ending.action);
      }
    }
  } catch (err) {
    await recordEffectFailed(loop, action, err);
  }
}
