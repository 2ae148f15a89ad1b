/**
 * The workspace workflow's message handlers. Each records a request on the run (or changes the
 * lease or the queue) and schedules no command, except `budget`, which writes the new budget. The
 * validators' refusals are pure (`core/workspace-steps.ts`); the console shows their message.
 */
import { setHandler } from '@temporalio/workflow';
import { trustDecisionRefusal } from '../core/script-trust.js';
import { MESSAGE_KEYS_KEPT, queueMessageInputSchema } from '../core/workspace.js';
import {
  budgetRefusal,
  planAnswerRefusal,
  planDecisionOf,
  sendMessageRefusal,
  stopTurnRefusal,
} from '../core/workspace-steps.js';
import {
  approvePlanUpdate,
  archiveSignal,
  budgetUpdate,
  decideTrustUpdate,
  openPrSignal,
  queueMessageSignal,
  releaseWorktreeSignal,
  requestWorktreeSignal,
  sendMessageUpdate,
  stateQuery,
  stopTurnUpdate,
} from './messages.js';
import type { WorkspaceRun } from './workspace-run.js';

const refuse = (refusal: string | null) => {
  if (refusal) throw new Error(refusal);
};

export function registerWorkspaceHandlers(run: WorkspaceRun): void {
  const { state, queue, requests } = run;
  const archived = () => requests.archive || state.archived;

  setHandler(stateQuery, () => run.snapshot());

  // The lease: fixers ask and give back; the main loop lends between turns.
  setHandler(requestWorktreeSignal, (req) => {
    run.lease.request(req);
  });
  setHandler(releaseWorktreeSignal, ({ holder }) => run.lease.release(holder));

  // Follow-ups by signal: the console's POST returns once the server has it, worker or not. A
  // resent message (same idempotency key) is dropped; keys are kept across continue-as-new.
  setHandler(queueMessageSignal, (raw) => {
    const parsed = queueMessageInputSchema.safeParse(raw);
    if (!parsed.success || archived()) return;
    const { messageKeys } = run;
    if (messageKeys.includes(parsed.data.key)) return;
    messageKeys.push(parsed.data.key);
    if (messageKeys.length > MESSAGE_KEYS_KEPT) messageKeys.splice(0, messageKeys.length - MESSAGE_KEYS_KEPT);
    queue.push({ text: parsed.data.text, purpose: 'followup' });
  });
  setHandler(openPrSignal, () => {
    requests.openPr = true;
  });
  setHandler(archiveSignal, () => {
    requests.archive = true;
  });
  setHandler(
    sendMessageUpdate,
    ({ text }) => {
      queue.push({ text, purpose: 'followup' });
      return { turn: state.turnsDone + queue.length };
    },
    { validator: ({ text }) => refuse(sendMessageRefusal(archived(), text)) },
  );
  setHandler(
    stopTurnUpdate,
    (input) => {
      const now = run.running!;
      requests.stop = { reason: input?.reason };
      now.scope.cancel();
      return { stopped: true as const, turn: now.turn, sessionId: now.sessionId };
    },
    {
      validator: (_input) =>
        refuse(
          stopTurnRefusal({
            running: run.running !== null,
            stopping: requests.stop !== null,
            status: state.status,
          }),
        ),
    },
  );
  setHandler(
    approvePlanUpdate,
    (input) => {
      const decision = planDecisionOf(input);
      requests.planApproved = decision === 'approve';
      requests.planAnswer = { decision, note: input?.note };
      return { approved: decision === 'approve' };
    },
    { validator: (input) => refuse(planAnswerRefusal(state.status, input)) },
  );
  setHandler(
    decideTrustUpdate,
    ({ decision }) => {
      requests.trust = decision;
      return { decision };
    },
    {
      validator: (input) =>
        refuse(trustDecisionRefusal(requests.trust === null ? run.pendingTrust : null, input)),
    },
  );
  setHandler(
    budgetUpdate,
    async ({ budgetUsd, cancel }) => {
      // `recheck` alone changes nothing here: the wait ends and the next model call reads the caps again.
      if (budgetUsd !== undefined)
        await run.acts.store.setBudget({ workspaceId: run.spec.workspaceId, budgetUsd });
      requests.budget = { cancel: cancel ?? false };
      return { budgetUsd: budgetUsd ?? null };
    },
    { validator: (input) => refuse(budgetRefusal(state.status, input)) },
  );
}
