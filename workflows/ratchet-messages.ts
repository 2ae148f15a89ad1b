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
import type { PrSnapshot, Review, ReviewThread } from '../core/pr.js';
import type { RatchetMemory } from '../core/ratchet/memory.js';
import type { RatchetSettingsInput } from '../core/ratchet/settings.js';
import type { RatchetState } from '../core/ratchet/state.js';
import type { WorkspaceSpec } from '../core/workspace.js';

export const POLLER_WORKFLOW_TYPE = 'pollerWorkflow';
export const RATCHET_WORKFLOW_TYPE = 'ratchetWorkflow';
export const FIXER_WORKFLOW_TYPE = 'fixerWorkflow';

// ---- poller ----------------------------------------------------------------------------------

export interface WatchInput {
  workspaceId: string;
  number: number;
}

/** Starts (or keeps) delivering this PR's snapshots to `ratchet/<workspaceId>`; also polls at once. */
export const watchSignal = defineSignal<[WatchInput]>('watch');
/** Stops delivering this PR's snapshots. */
export const unwatchSignal = defineSignal<[{ workspaceId: string }]>('unwatch');
/** Polls now instead of at the end of the interval. */
export const pokeSignal = defineSignal<[{ reason?: string }]>('poke');

export interface PollerInput {
  owner: string;
  repo: string;
  /** @default 60000 */
  intervalMs?: number;
  /** Continue-as-new after this many cycles (history stays bounded). @default 200 */
  cyclesPerRun?: number;
  /** Carried across continue-as-new. */
  resume?: PollerResume;
}

export interface PollerResume {
  /** PR number → workspace id. */
  watch: Record<string, string>;
  /** PR number → digest of the last snapshot delivered. */
  digests: Record<string, string>;
  cyclesTotal: number;
  pendingPoke: boolean;
}

export interface PollerState {
  owner: string;
  repo: string;
  watching: WatchInput[];
  cyclesThisRun: number;
  cyclesTotal: number;
  lastCycleAt: number | null;
  /** GitHub requests the last cycle cost. */
  lastRequests: number;
  /** Set while polling is failing: the error type and message, and when the next try is due. */
  error: { type: string; message: string; since: number; retryAt: number } | null;
}
export const pollerStateQuery = defineQuery<PollerState>('state');

/** What the poller hands a ratchet: the fresh snapshot, or word that the PR left the open list. */
export type SnapshotDelivery =
  | { kind: 'snapshot'; pr: PrSnapshot; baseFailing: string[]; at: number }
  | { kind: 'missing'; number: number; at: number };
export const snapshotSignal = defineSignal<[SnapshotDelivery]>('snapshot');

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
