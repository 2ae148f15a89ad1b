/**
 * The per-repo poller's contract (`poller/<owner>/<repo>`) and the snapshot it delivers to each
 * ratchet: workflow type, message handles and payload types. Names and types only; the poll-cycle
 * activity signals through these, the workflows handle them, and workflows/ratchet-messages.ts
 * re-exports them for the console.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PrSnapshot } from '../pr.js';

export const POLLER_WORKFLOW_TYPE = 'pollerWorkflow';

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
