/** The workspace lifecycle: statuses, the spec a workflow starts from, and its queryable state. */
import { z } from 'zod';
import { agentConfigSchema } from './agent.js';
import type { PendingTrust } from './script-trust.js';
import { TEXT_LIMITS, multiLineText } from './text.js';
import { keys } from './ids.js';

export const WORKSPACE_STATUSES = [
  'creating_worktree',
  /** The repository's setup script is not trusted yet: the person approves it or runs without it. */
  'awaiting_trust',
  'setting_up',
  'agent_running',
  'awaiting_plan_approval',
  'awaiting_budget',
  'pushing',
  'idle',
  'pr_open',
  'archiving',
  'archived',
  'failed',
] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

/** Branch names Ratchet creates or accepts: git-valid, no leading dash, no `..`, no control chars. */
export const branchNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    'must start with a letter or digit and use only letters, digits, . _ / -',
  )
  .refine(
    (b) =>
      !b.includes('..') && !b.includes('//') && !b.endsWith('/') && !b.endsWith('.lock') && !b.endsWith('.'),
    {
      message: 'is not a valid git branch name',
    },
  );

export const workspaceSpecSchema = z.object({
  workspaceId: z.string().min(1),
  projectId: z.string().min(1),
  repoPath: z.string().min(1),
  /** Directory that holds this project's worktrees; `worktreePath` must be inside it. */
  worktreeRoot: z.string().min(1),
  worktreePath: z.string().min(1),
  branch: branchNameSchema,
  baseBranch: branchNameSchema,
  title: z.string().min(1),
  prompt: z.string().min(1),
  agent: agentConfigSchema,
  /**
   * Spending cap (USD) the workspace starts with, from the `budget.workspaceDefaultUsd` setting;
   * absent means no cap. Optional so histories recorded before it existed still parse.
   */
  budgetUsd: z.number().positive().optional(),
  /** Push to `origin` after each turn. */
  push: z.boolean().default(true),
  remote: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('origin'),
  /** The GitHub repository behind `origin`; null means no PR and no ratchet loop. */
  github: z
    .object({ owner: z.string().min(1), repo: z.string().min(1) })
    .nullable()
    .default(null),
  /** The GitHub issue the work starts from, as fetched; the agent sees it fenced as untrusted data. */
  issue: z
    .object({
      number: z.number().int().positive(),
      title: z.string(),
      url: z.string().optional(),
      body: z.string().nullable(),
      comments: z.array(z.object({ author: z.string().nullable(), body: z.string() })).default([]),
    })
    .nullable()
    .default(null),
  /**
   * The branch exists already (locally or on the remote): the worktree checks it out instead of
   * creating it from the base. Absent in histories from before intake; false there.
   */
  existingBranch: z.boolean().default(false),
  /**
   * An open PR this workspace adopts ("ratchet this PR"): the worktree checks out its head branch,
   * the ratchet loop babysits it from the start, and no agent turn runs and no PR is opened until
   * a person sends a follow-up.
   */
  adopt: z
    .object({
      number: z.number().int().positive(),
      url: z.string().min(1),
      headSha: z.string().nullable(),
      draft: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  /** Ratchet loop switches for this workspace (see core/ratchet/settings.ts for all knobs). */
  ratchet: z
    .object({ enabled: z.boolean().default(true), autoMerge: z.boolean().default(false) })
    .default({ enabled: true, autoMerge: false }),
});
export type WorkspaceSpec = z.infer<typeof workspaceSpecSchema>;

/** Knobs a test (or a slow machine) can tune; all in milliseconds. */
export const workspaceTimingsSchema = z.object({
  /** How long without a heartbeat before Temporal retries a long activity elsewhere. @default 20000 */
  heartbeatTimeoutMs: z.number().int().positive().default(20_000),
  /** Setup script limit. @default 600000 */
  setupTimeoutMs: z.number().int().positive().default(600_000),
  /** Delay before an agent turn's retry; doubles per real failure (core/agent-retry.ts). @default 2000 */
  agentRetryBaseMs: z.number().int().positive().default(2_000),
});
export type WorkspaceTimings = z.infer<typeof workspaceTimingsSchema>;

export interface WorkspaceState {
  workspaceId: string;
  status: WorkspaceStatus;
  reason: string | null;
  /** Agent turns completed (each ends with a commit-and-push step). */
  turnsDone: number;
  pendingMessages: number;
  lastCommit: string | null;
  archived: boolean;
  /** The fixer holding the worktree (see `WorktreeRequest`), if any: turns wait until it returns it. */
  worktreeHeldBy?: string | null;
  /** The script waiting for the person's decision in `awaiting_trust`. */
  pendingTrust?: PendingTrust | null;
}

/**
 * A fixer asking the workspace workflow for its worktree. Agent turns and fixers edit, commit and
 * push in the same worktree, so the workspace workflow lends it to one at a time; `workflowId` is
 * where the grant is signalled, `holder` names this attempt (fixer IDs are reused across attempts).
 */
export const worktreeRequestSchema = z.object({ holder: z.string().min(1), workflowId: z.string().min(1) });
export type WorktreeRequest = z.infer<typeof worktreeRequestSchema>;

/** Readable branch names: `ratchet/<slug-of-title>-<4 chars of id>`. */
export function branchNameFor(title: string, workspaceId: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  const suffix = workspaceId
    .replace(/[^a-z0-9]/gi, '')
    .slice(-4)
    .toLowerCase();
  return `ratchet/${slug || 'work'}-${suffix}`;
}

/** The commit trailer that makes a turn's commit findable, so a retried push never commits twice. */
export function turnTrailer(workspaceId: string, turn: number): string {
  return keys.turnTrailer(workspaceId, turn);
}

export const workspaceWorkflowInputSchema = z.object({
  spec: workspaceSpecSchema,
  timings: workspaceTimingsSchema.partial().optional(),
  /** Carried across continue-as-new; absent on first start. */
  resume: z
    .object({
      turnsDone: z.number().int().min(0),
      pending: z.array(z.string()),
      lastCommit: z.string().nullable(),
      /** The worktree lease: its holder and the fixers waiting for it, in order. */
      lease: z
        .object({ holder: worktreeRequestSchema.nullable(), waiting: z.array(worktreeRequestSchema) })
        .optional(),
      /** Idempotency keys of follow-ups already queued (the most recent `MESSAGE_KEYS_KEPT`). */
      messageKeys: z.array(z.string()).optional(),
    })
    .optional(),
});
export type WorkspaceWorkflowInput = z.infer<typeof workspaceWorkflowInputSchema>;

export const sendMessageInputSchema = z.object({ text: multiLineText(TEXT_LIMITS.message) });

/** A client-generated idempotency key (`Idempotency-Key` header or `idempotencyKey` field). */
export const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be 8-200 letters, digits or . _ : -');

export const queueMessageInputSchema = z.object({
  text: sendMessageInputSchema.shape.text,
  key: idempotencyKeySchema,
});
export type QueueMessageInput = z.infer<typeof queueMessageInputSchema>;

/** How many follow-up keys a workspace remembers (carried across continue-as-new). */
export const MESSAGE_KEYS_KEPT = 500;
export type SendMessageInput = z.infer<typeof sendMessageInputSchema>;
