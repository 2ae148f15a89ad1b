/**
 * Starting and steering workspaces. The workflow ID (`workspace/<id>`) is the lock: Temporal
 * refuses a second run, and only the workflow's activities write the workspace row. Right after a
 * start the row may not exist yet; readers show such a workspace as "starting…".
 */
import path from 'node:path';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { z } from 'zod';
import type { RatchetConfig } from '../../core/config.js';
import { newId, workflowIds } from '../../core/ids.js';
import {
  SCRIPT_KINDS,
  sha256Schema,
  type DecideTrustInput,
  type PendingTrust,
} from '../../core/script-trust.js';
import { intakeSourceSchema } from '../../core/intake.js';
import { agentRequestSchema, applyAgentDefaults } from '../../core/settings.js';
import { TEXT_LIMITS, multiLineText, singleLineText } from '../../core/text.js';
import {
  branchNameFor,
  branchNameSchema,
  workspaceSpecSchema,
  type WorkspaceWorkflowInput,
} from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { getConsoleSettings } from '../../db/queries/settings.js';
import type { Workspace } from '../../db/schema.js';
import {
  approvePlanUpdate,
  archiveSignal,
  budgetUpdate,
  decideTrustUpdate,
  openPrSignal,
  queueMessageSignal,
  stopTurnUpdate,
  WORKSPACE_WORKFLOW_TYPE,
} from '../../workflows/messages.js';
import { stopSignal } from '../../workflows/ratchet-messages.js';
import { getLatestEventData, getWorkspaceById, listWaitingForBudget } from '../../db/queries/workspaces.js';
import { DomainError } from './errors.js';
import { resolveIntake } from './intake.js';
import { getProjectOrThrow } from './projects.js';

export const startWorkspaceInputSchema = z
  .object({
    projectId: singleLineText(TEXT_LIMITS.name),
    /** Required for a typed prompt or a branch; an issue or PR gives its own title when left out. */
    title: singleLineText(TEXT_LIMITS.title, { required: false }).optional(),
    prompt: multiLineText(TEXT_LIMITS.prompt, { required: false }).optional(),
    /** Where the work starts: a typed prompt (default), an issue, an existing branch, or a PR to adopt. */
    source: intakeSourceSchema.default({ kind: 'prompt' }),
    baseBranch: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      branchNameSchema.optional(),
    ),
    /** Fields left out come from the `agent.defaults` setting, then the built-in defaults. */
    agent: agentRequestSchema.optional(),
    /** Ratchet loop switches; the loop only runs for projects with a GitHub `origin`. */
    ratchet: z.object({ enabled: z.boolean().optional(), autoMerge: z.boolean().optional() }).optional(),
  })
  .superRefine(
    (v, ctx) => {
      // An issue or a PR brings its own title and task; typed work and a bare branch need them.
      // Runs even when another field failed (`when`), so one answer names every bad field; the
      // value may then be partly unparsed, hence the optional reads.
      if (typeof v !== 'object' || v === null) return; // not an object: the object check named it
      const kind = (v.source as { kind?: unknown } | undefined)?.kind;
      if (kind === 'issue' || kind === 'pr') return;
      if (!v.title) ctx.addIssue({ code: 'custom', path: ['title'], message: 'is required' });
      if (!v.prompt) ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'is required' });
    },
    { when: () => true },
  );
export type StartWorkspaceInput = z.input<typeof startWorkspaceInputSchema>;

/** Workspace ids as they appear in URLs; the same rule as `assertSafeId` in core/ids.ts. */
export const workspaceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'is not a workspace id');

export interface StartedWorkspace {
  workspaceId: string;
  workflowId: string;
}

/**
 * Builds the spec from the project and the stored settings (agent defaults for fields the request
 * leaves out, the default workspace budget) and starts `workspaceWorkflow`; resolves once Temporal
 * accepted it. Settings are read here, once, so the workflow sees fixed values in its input.
 */
export async function startWorkspace({
  db,
  client,
  config,
  input,
}: {
  db: Db;
  client: Client;
  config: Pick<RatchetConfig, 'worktreesDir' | 'taskQueue'>;
  input: StartWorkspaceInput;
}): Promise<StartedWorkspace> {
  const parsed = startWorkspaceInputSchema.parse(input);
  const project = getProjectOrThrow(db, parsed.projectId);
  const intake = await resolveIntake({
    db,
    client: async () => client,
    taskQueue: config.taskQueue,
    project,
    source: parsed.source,
  });
  const title = parsed.title || intake.defaultTitle || '';
  const prompt = parsed.prompt || intake.defaultPrompt || '';
  const settings = getConsoleSettings({ db }).values;
  const budgetUsd = settings['budget.workspaceDefaultUsd'];
  const workspaceId = newId('ws', Date.now(), Math.random);
  const branch = intake.branch ?? branchNameFor(title, workspaceId);
  const worktreeRoot = project.worktreeDir ?? path.join(config.worktreesDir, project.id);
  const spec = workspaceSpecSchema.parse({
    workspaceId,
    projectId: project.id,
    repoPath: project.repoPath,
    worktreeRoot,
    worktreePath: path.join(worktreeRoot, branch.replaceAll('/', '-')),
    branch,
    baseBranch: intake.baseBranch ?? parsed.baseBranch ?? project.defaultBranch,
    title,
    prompt,
    agent: applyAgentDefaults(parsed.agent, settings['agent.defaults']),
    ...(budgetUsd !== null ? { budgetUsd } : {}),
    github:
      project.githubOwner && project.githubRepo
        ? { owner: project.githubOwner, repo: project.githubRepo }
        : null,
    // An adopted PR is what the loop is for: it always runs.
    ratchet: {
      enabled: intake.adopt ? true : (parsed.ratchet?.enabled ?? true),
      autoMerge: parsed.ratchet?.autoMerge ?? false,
    },
    existingBranch: intake.existingBranch ?? false,
    issue: intake.issue ?? null,
    adopt: intake.adopt ?? null,
  });
  const workflowId = workflowIds.workspace(workspaceId);
  const args: [WorkspaceWorkflowInput] = [{ spec }];
  try {
    await client.workflow.start(WORKSPACE_WORKFLOW_TYPE, { workflowId, taskQueue: config.taskQueue, args });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new DomainError('WorkspaceAlreadyStarted', `Workspace ${workspaceId} is already running.`);
    }
    throw err;
  }
  return { workspaceId, workflowId };
}

interface Steer {
  db: Db;
  client: Client;
  workspaceId: string;
}

/** Archived, or on its way there: the console offers and accepts no more actions on it. */
export function isArchived(row: Pick<Workspace, 'archivedAt' | 'status'>): boolean {
  return row.archivedAt !== null || row.status === 'archived' || row.status === 'archiving';
}

/**
 * Reloads the workspace before changing it: an archived workspace refuses actions, and one whose
 * row is not written yet (just started) is still addressed through its workflow.
 */
function handleFor({ db, client, workspaceId }: Steer) {
  const id = workspaceIdSchema.parse(workspaceId);
  const row: Workspace | undefined = getWorkspaceById({ db, id });
  if (row && isArchived(row)) {
    throw new DomainError('NotApplicable', `Workspace "${row.title}" is archived.`);
  }
  return client.workflow.getHandle(row?.workflowId ?? workflowIds.workspace(id));
}

/**
 * Queues a follow-up agent turn by signal: durable once Temporal has it, so this answers at once
 * whether or not a worker runs. `key` (the client's idempotency key) makes a resend a no-op.
 */
export async function sendMessage(
  args: Steer & { text: string; key: string },
): Promise<{ queued: true; idempotencyKey: string }> {
  await handleFor(args).signal(queueMessageSignal, { text: args.text, key: args.key });
  return { queued: true, idempotencyKey: args.key };
}

/**
 * Stops the running agent turn through the workflow's `stopTurn` update, which cancels the agent
 * activity. Not idempotent by design: with no turn running (idle, waiting for a plan answer or a
 * budget, already stopping) the workflow refuses and this answers 409 with its reason, so a
 * second click says why nothing happened instead of pretending it stopped something.
 */
export async function stopTurn(
  args: Steer & { reason?: string },
): Promise<{ stopped: true; turn: number; sessionId: string }> {
  try {
    return await handleFor(args).executeUpdate(stopTurnUpdate, {
      args: [args.reason ? { reason: args.reason } : {}],
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof Error)
      throw new DomainError('NotApplicable', `Nothing to stop: ${err.cause.message}.`);
    throw err;
  }
}

/** Approves the plan of a plan-mode workspace waiting in `awaiting_plan_approval`. */
export async function approvePlan(
  args: Steer & { note?: string; decision?: 'approve' | 'reject' | 'revise' },
): Promise<{ approved: boolean }> {
  return handleFor(args).executeUpdate(approvePlanUpdate, {
    args: [{ ...(args.note ? { note: args.note } : {}), decision: args.decision ?? 'approve' }],
  });
}

/**
 * Approves (or skips) the script a workspace waits on in `awaiting_trust`. The workflow refuses a
 * `sha256` other than the pending script's (409), so only the text the console showed is approved;
 * the workflow records the decision in `script_trust` (its one writer).
 */
export async function decideTrust(
  args: Steer & DecideTrustInput,
): Promise<{ decision: DecideTrustInput['decision'] }> {
  return handleFor(args).executeUpdate(decideTrustUpdate, {
    args: [{ decision: args.decision, sha256: args.sha256 }],
  });
}

const pendingTrustData = z.object({ kind: z.enum(SCRIPT_KINDS), sha256: sha256Schema, script: z.string() });

/**
 * The script the workspace waits on, as its workflow recorded it in the `trust.requested` event;
 * null unless the workspace is in `awaiting_trust`.
 */
export function getPendingTrust({
  db,
  workspace,
}: {
  db: Db;
  workspace: Pick<Workspace, 'id' | 'status'>;
}): PendingTrust | null {
  if (workspace.status !== 'awaiting_trust') return null;
  const data = getLatestEventData({ db, workspaceId: workspace.id, kind: 'trust.requested' });
  const parsed = pendingTrustData.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/** What a budget change did, in words the console can show as they are. */
export interface BudgetChange {
  budgetUsd: number | null;
  /** True when the workspace was waiting in `awaiting_budget` and now tries again. */
  resumed: boolean;
  message: string;
}

/**
 * Sets the budget (USD) of a workspace, or cancels its wait for budget. A workspace waiting in
 * `awaiting_budget` resumes; any other one keeps the new cap for its next model call, and the
 * answer says so (it used to answer the same either way). Cancelling needs a waiting workspace.
 */
export async function setBudget(
  args: Steer & { budgetUsd?: number; cancel?: boolean },
): Promise<BudgetChange> {
  const handle = handleFor(args);
  const row = getWorkspaceById({ db: args.db, id: args.workspaceId });
  const waiting = row?.status === 'awaiting_budget';
  if (args.cancel) {
    if (row && !waiting)
      throw new DomainError(
        'NotApplicable',
        `Nothing to cancel: the workspace is not waiting for budget (status is ${row.status}).`,
      );
    const { budgetUsd } = await handle.executeUpdate(budgetUpdate, { args: [{ cancel: true }] });
    return { budgetUsd, resumed: false, message: 'The wait for budget was cancelled.' };
  }
  const { budgetUsd } = await handle.executeUpdate(budgetUpdate, { args: [{ budgetUsd: args.budgetUsd }] });
  return {
    budgetUsd,
    resumed: waiting,
    message: waiting
      ? `Budget set to $${budgetUsd}; the workspace tries again.`
      : `Budget set to $${budgetUsd}; the workspace is not waiting for budget (status is ${row?.status ?? 'unknown'}), so the new cap applies from its next model call.`,
  };
}

/**
 * After a cap changed in Settings: every workspace waiting in `awaiting_budget` tries again with
 * the caps as they are now (a workspace still over a cap goes back to waiting). Returns the ids it
 * woke; one that stopped waiting meanwhile, or whose workflow is gone, is skipped. Connects to
 * Temporal only when some workspace is waiting.
 */
export async function recheckWaitingBudgets({
  db,
  client,
}: {
  db: Db;
  client: () => Promise<Client>;
}): Promise<string[]> {
  const waiting = listWaitingForBudget({ db });
  const woke: string[] = [];
  if (waiting.length === 0) return woke;
  const temporal = await client();
  for (const ws of waiting) {
    try {
      await temporal.workflow
        .getHandle(ws.workflowId)
        .executeUpdate(budgetUpdate, { args: [{ recheck: true }] });
      woke.push(ws.id);
    } catch {
      // Not waiting any more (the validator refused), or the workflow ended: nothing to wake.
    }
  }
  return woke;
}

/**
 * Asks the workflow to remove the worktree (the branch is kept) and finish, and tells the PR's
 * ratchet loop to stop (the workspace workflow does too; this covers a workspace workflow that
 * already ended, e.g. failed, while its loop ran on).
 */
export async function archiveWorkspace(args: Steer): Promise<{ archiving: true; ratchetStopped: boolean }> {
  await handleFor(args).signal(archiveSignal);
  let ratchetStopped = false;
  try {
    await args.client.workflow
      .getHandle(workflowIds.ratchet(workspaceIdSchema.parse(args.workspaceId)))
      .signal(stopSignal, { reason: 'the workspace was archived' });
    ratchetStopped = true;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err; // no loop: no PR, ratchet off, or it ended
  }
  return { archiving: true, ratchetStopped };
}

/**
 * Opens the PR of a workspace whose ratchet is off (the workflow refuses nothing: with nothing
 * pushed yet it records why in the timeline). 409 when the ratchet is on: the loop opens it.
 */
export async function openPullRequest(args: Steer): Promise<{ requested: true }> {
  const handle = handleFor(args);
  const row = getWorkspaceById({ db: args.db, id: workspaceIdSchema.parse(args.workspaceId) });
  if (row?.ratchetEnabled)
    throw new DomainError(
      'NotApplicable',
      `Workspace "${row.title}" has the ratchet on; it opens its PR itself.`,
    );
  await handle.signal(openPrSignal);
  return { requested: true };
}
