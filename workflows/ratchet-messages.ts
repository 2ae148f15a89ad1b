/**
 * Message handles and payload types of the ratchet loop's three workflows: the per-repo poller
 * (`poller/<owner>/<repo>`), the per-PR ratchet (`ratchet/<workspaceId>`) and the fixer
 * (`fix/<workspaceId>/<headSha>/<kind>`). Names and types only: the console and activities import
 * this too.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CheckRef } from '../core/ci-rollup.js';
import type { FixKind } from '../core/ids.js';
import type { MergeMethod } from '../core/project-policy.js';
import type { SnapshotDelivery } from '../core/contracts/poller.js';
import type { Review, ReviewThread } from '../core/pr.js';
import type { RatchetMemory } from '../core/ratchet/memory.js';
import type { RatchetSettingsInput } from '../core/ratchet/settings.js';
import type { RatchetState } from '../core/ratchet/state.js';
import type { WorkspaceSpec } from '../core/workspace.js';

export const RATCHET_WORKFLOW_TYPE = 'ratchetWorkflow';
export const FIXER_WORKFLOW_TYPE = 'fixerWorkflow';

// ---- poller ----------------------------------------------------------------------------------
// The poller's contract and the snapshot it delivers live in core/contracts/poller.ts, because the
// poll-cycle activity signals them too (activities never import workflows/).
export * from '../core/contracts/poller.js';

// ---- ratchet ---------------------------------------------------------------------------------

export interface RatchetPrRef {
  number: number;
  url: string;
  headBranch: string;
  baseBranch: string;
}

/** A project's ratchet policy as the loop takes it (core/project-policy.ts `policyToRatchet`). */
export interface RatchetPolicy {
  settings: RatchetSettingsInput;
  mergeMethod: MergeMethod;
}

export interface RatchetInput {
  spec: WorkspaceSpec;
  github: { owner: string; repo: string };
  pr: RatchetPrRef;
  /** Explicit settings; they win over the project's policy. */
  settings?: RatchetSettingsInput;
  /** The project's policy, read when the loop started or signalled since (carried across continue-as-new). */
  policy?: RatchetPolicy;
  /** Ask the change-requesting reviewers to look again after a review fix is pushed. @default true */
  requestReReview?: boolean;
  /** Continue-as-new after this many decisions. @default 500 */
  decisionsPerRun?: number;
  /** Explicit merge method; wins over the policy's. @default the policy's, else 'squash' */
  mergeMethod?: MergeMethod;
  /** Heartbeat timeout of the fixers' agent and git activities. @default 20000 */
  heartbeatTimeoutMs?: number;
  resume?: RatchetResume;
}

export interface RatchetResume {
  memory: RatchetMemory;
  fixNo: number;
  decisionNo: number;
  lastSignature: string | null;
  paused: boolean;
  last: Extract<SnapshotDelivery, { kind: 'snapshot' }> | null;
  notified: string[];
}

export const pauseSignal = defineSignal<[]>('pause');
/**
 * Ends the loop (its workspace is being archived): no more fixers, the running one is cancelled
 * with the loop (REQUEST_CANCEL), the poller stops delivering, the state reads `stopped`.
 */
export const stopSignal = defineSignal<[{ reason: string }]>('stop');
/**
 * The project's ratchet policy changed in the console: the loop decides with these settings from
 * its next decision on (and carries them across continue-as-new).
 */
export const policySignal = defineSignal<[RatchetPolicy]>('policy');
export const resumeSignal = defineSignal<[{ resetAttempts?: boolean }]>('resume');

export interface RatchetViewState {
  workspaceId: string;
  prNumber: number;
  state: RatchetState;
  reason: string;
  rule: string | null;
  snapshotKey: string | null;
  headSha: string | null;
  paused: boolean;
  fixer: { workflowId: string; kind: FixKind } | null;
  fixNo: number;
  decisionNo: number;
  memory: RatchetMemory;
  done: boolean;
}
export const ratchetStateQuery = defineQuery<RatchetViewState>('state');

// ---- fixer -----------------------------------------------------------------------------------

export interface FixerInput {
  spec: WorkspaceSpec;
  github: { owner: string; repo: string };
  pr: RatchetPrRef;
  kind: FixKind;
  headSha: string;
  /** Attempt number on this snapshot key (1-based); part of the commit trailer. */
  attempt: number;
  /** Fix number on this PR (1-based); names the agent session. */
  fixNo: number;
  /** @default 20000 */
  heartbeatTimeoutMs?: number;
  checks?: CheckRef[];
  reviews?: Review[];
  threads?: ReviewThread[];
}

export type FixOutcome = 'pushed' | 'no_change' | 'failed' | 'asked_human';

export interface FixerResult {
  outcome: FixOutcome;
  commit?: string;
  detail: string;
  /** `asked_human` because the agent asked (`RATCHET_ASK_HUMAN:`): its question, for the PR. */
  question?: string;
}
