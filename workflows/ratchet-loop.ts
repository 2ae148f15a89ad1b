/**
 * The ratchet loop's state, private, changed only through named transitions. `ratchetWorkflow`
 * (ratchet.ts) drives it: signal handlers call the arrival transitions, the loop's steps read it
 * and, after each effect (ratchet-effects.ts), call the transition that says what happened.
 * Everything here is deterministic workflow code: decisions come from `core/ratchet/decide.ts`,
 * and every field that must survive continue-as-new is in `carry()`, whose shape is the
 * `RatchetResume` that running loops' histories already hold.
 */
import type { FixKind } from '../core/ids.js';
import {
  emptyMemory,
  observeHead,
  recordAddressed,
  recordFixAttempt,
  recordPush,
  recordQuestion,
  recordRerun,
  resetAttempts,
  type RatchetMemory,
} from '../core/ratchet/memory.js';
import {
  decide,
  decisionSignature,
  type PrEnded,
  type RatchetAction,
  type RunningFixer,
} from '../core/ratchet/decide.js';
import { ratchetSettings, type RatchetSettings } from '../core/ratchet/settings.js';
import { stateForAction, type RatchetState } from '../core/ratchet/state.js';
import type {
  FixerResult,
  RatchetInput,
  RatchetPolicy,
  RatchetResume,
  RatchetViewState,
  SnapshotDelivery,
} from './ratchet-messages.js';

export type Snapshot = Extract<SnapshotDelivery, { kind: 'snapshot' }>;
export type FixAction = Extract<RatchetAction, { kind: 'fix_ci' | 'fix_review' | 'fix_conflict' }>;

export interface ActiveFixer extends RunningFixer {
  rowId: string;
  /** This fixer's number on the PR (1-based, never reused, unlike attempt numbers after a retry). */
  fixNo: number;
  action: FixAction;
}

/** A fixer that returned, taken off the loop to be settled. */
export interface SettledFixer extends ActiveFixer {
  result: FixerResult;
}

/** Which run of the loop this is: the seed of its backoff jitter and the chain its event keys name. */
export interface LoopIdentity {
  /** The workflow id, `ratchet/<ws>`: the jitter seed. */
  workflowId: string;
  /** The first run of the continue-as-new chain: event dedupe keys stay unique across runs. */
  chainId: string;
}

export class RatchetLoop {
  private memory: RatchetMemory;
  private settingsNow: RatchetSettings;
  /** The project's policy as this run decides with it; continue-as-new carries it. */
  private policyNow: RatchetPolicy | undefined;
  /** A policy signal arrived before the start-up read answered (it is the newer of the two). */
  private policyFromSignal = false;
  private fixCount: number;
  private decisionCount: number;
  private lastSignature: string | null;
  private pausedByUser: boolean;
  private last: Snapshot | null;
  /** A PR that left the open list: the loop must read it once by number. */
  private missing: number | null = null;
  /** How the PR ended, when an effect or a read learned it: the next decision is on it. */
  private ended: PrEnded | null = null;
  private fixer: (ActiveFixer & { result: FixerResult | null }) | null = null;
  /** Dedupe keys of notifications already raised (bounded by the per-PR attempt cap). */
  private notified: Set<string>;
  private dirty = true;
  private decisionsThisRun = 0;
  private lastAction: RatchetAction | null = null;
  private retryAt: number | null = null;
  private done = false;
  /** Set by the `stop` signal (the workspace is being archived): why the loop should end. */
  private stopReason: string | null = null;

  constructor(
    readonly input: RatchetInput,
    readonly identity: LoopIdentity,
  ) {
    const r = input.resume;
    this.memory = r?.memory ?? emptyMemory();
    this.policyNow = input.policy;
    this.settingsNow = ratchetSettings({
      autoMerge: input.spec.ratchet.autoMerge,
      ...input.policy?.settings,
      ...input.settings,
    });
    this.fixCount = r?.fixNo ?? 0;
    this.decisionCount = r?.decisionNo ?? 0;
    this.lastSignature = r?.lastSignature ?? null;
    this.pausedByUser = r?.paused ?? false;
    this.last = r?.last ?? null;
    this.notified = new Set(r?.notified ?? []);
  }

  // ---- reads ---------------------------------------------------------------------------------

  get workspaceId(): string {
    return this.input.spec.workspaceId;
  }
  get settings(): RatchetSettings {
    return this.settingsNow;
  }
  get policy(): RatchetPolicy | undefined {
    return this.policyNow;
  }
  /** Fixers dispatched on this PR so far (the last one's number). */
  get fixNo(): number {
    return this.fixCount;
  }
  /** Decisions recorded on this PR so far (the last one's number; event keys use it). */
  get decisionNo(): number {
    return this.decisionCount;
  }
  /** The latest snapshot, if any. */
  get snapshot(): Snapshot | null {
    return this.last;
  }
  get isDone(): boolean {
    return this.done;
  }
  /** Why the loop was asked to stop (its workspace is being archived), or null. */
  get stopRequested(): string | null {
    return this.stopReason;
  }
  /** Something changed since the loop last looked. */
  get hasNews(): boolean {
    return this.dirty;
  }
  /** The running fixer's id, for the stopped record. */
  get fixerWorkflowId(): string | null {
    return this.fixer?.workflowId ?? null;
  }
  /** A fixer returned and is not settled yet. */
  get fixerReturnedUnsettled(): boolean {
    return this.fixer?.result != null;
  }
  /** The PR number to read once by number: it left the open list, and no fixer runs. */
  get prToRead(): number | null {
    return this.fixer ? null : this.missing;
  }
  /** An effect or a read learned that the PR ended, and that is not decided on yet. */
  get endUndecided(): boolean {
    return this.ended !== null && !this.done;
  }
  hasNotified(key: string): boolean {
    return this.notified.has(key);
  }
  /** Whether this decision differs from the last one recorded (same decision → no new write). */
  isNewDecision(action: RatchetAction): boolean {
    return decisionSignature(action) !== this.lastSignature;
  }
  /** Continue-as-new now: never while a fixer runs (the child would be cut off). */
  shouldContinueAsNew(suggested: () => boolean): boolean {
    const perRun = this.input.decisionsPerRun ?? DEFAULT_DECISIONS_PER_RUN;
    return !this.fixer && (this.decisionsThisRun >= perRun || suggested());
  }
  /** When the loop wants another look by itself (backoff end, CI settle window, a failed effect's retry). */
  wakeAt(): number | null {
    const a = this.lastAction;
    const until = a && a.kind === 'wait' && a.until !== undefined ? a.until : null;
    const times = [until, this.retryAt].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  // ---- arrivals (signal handlers and the fixer's result) -------------------------------------

  snapshotArrived(d: SnapshotDelivery): void {
    if (d.kind === 'missing') {
      this.missing = d.number;
    } else {
      // Deliveries can arrive out of order after a retry; keep the newest.
      if (this.last && this.last.at > d.at) return;
      this.last = d;
      this.missing = null;
    }
    this.dirty = true;
  }

  fixerReturned(result: FixerResult): void {
    if (this.fixer) this.fixer.result = result;
    this.dirty = true;
  }

  paused(): void {
    this.pausedByUser = true;
    this.dirty = true;
  }

  resumed(opts: { resetAttempts?: boolean }): void {
    this.pausedByUser = false;
    if (opts.resetAttempts) this.memory = resetAttempts(this.memory);
    this.dirty = true;
  }

  stopAsked(reason: string): void {
    this.stopReason = reason;
    this.dirty = true;
  }

  /** The console changed the project's policy; it does not know Ratchet's login, so the loop keeps its own. */
  policySignalled(p: RatchetPolicy): void {
    this.policyFromSignal = true;
    this.usePolicy({ ...p, settings: { ...p.settings, selfLogin: this.settingsNow.selfLogin } });
  }

  /** A fresh loop read its project's policy and Ratchet's login (null: GitHub did not answer). */
  policyRead(read: RatchetPolicy, selfLogin: string | null): void {
    // A policy signalled while the read was in flight is newer than the read.
    const base = this.policyFromSignal && this.policyNow ? this.policyNow : read;
    this.usePolicy({ ...base, settings: { ...base.settings, selfLogin } });
  }

  // ---- the loop's own steps ------------------------------------------------------------------

  /** The loop looked: what changed is being handled. */
  woke(): void {
    this.dirty = false;
  }

  /** Look again at once, without waiting for news. */
  again(): void {
    this.dirty = true;
  }

  /** Takes the returned fixer off the loop, for settling; null when none returned. */
  fixerSettled(): SettledFixer | null {
    const f = this.fixer;
    if (!f?.result) return null;
    this.fixer = null;
    return { ...f, result: f.result };
  }

  /** The read by number of a PR that left the open list is under way. */
  missingRead(): void {
    this.missing = null;
  }

  /** Ended outside a snapshot: the merge answered, or the PR is gone from GitHub. */
  prEnded(ended: PrEnded): void {
    this.ended = ended;
  }

  /** Decides on the latest facts; null until there is a snapshot or an ending to decide on. */
  decideNow(now: number): RatchetAction | null {
    if (!this.last && !this.ended) return null;
    if (this.retryAt !== null && now >= this.retryAt) this.retryAt = null;
    // An ended PR is decided on as it ended: no head to observe any more.
    if (this.last && !this.ended) this.memory = observeHead(this.memory, this.last.pr.headSha, now);
    const fixer =
      this.fixer && !this.fixer.result ? { kind: this.fixer.kind, workflowId: this.fixer.workflowId } : null;
    return decide({
      pr: this.last?.pr ?? null,
      ended: this.ended,
      settings: { ...this.settingsNow, paused: this.pausedByUser },
      memory: this.memory,
      baseFailing: this.last?.baseFailing ?? [],
      fixer,
      now,
      seed: this.identity.workflowId,
    });
  }

  /** The loop took this decision; a new one (`fresh`) is numbered and recorded. */
  decided(action: RatchetAction, fresh: boolean): void {
    this.lastAction = action;
    if (!fresh) return;
    this.lastSignature = decisionSignature(action);
    this.decisionCount++;
    this.decisionsThisRun++;
  }

  // ---- what the effects report ---------------------------------------------------------------

  fixerDispatched(f: ActiveFixer, now: number): void {
    this.fixCount = f.fixNo;
    this.memory = recordFixAttempt(this.memory, f.action.key, now);
    this.fixer = { ...f, result: null };
  }

  /** A fixer pushed `commit`: the head the loop still sees is answered (the `push_pending` gate). */
  fixPushed(commit: string): void {
    this.memory = recordPush(this.memory, commit);
  }

  branchUpdateRequested(key: string, now: number): void {
    this.memory = recordFixAttempt(this.memory, key, now);
  }

  /** Reruns requested: memory says so, and the loop decides again at once on the same snapshot. */
  rerunRequested(headSha: string, checkKeys: string[]): void {
    this.memory = recordRerun(this.memory, headSha, checkKeys);
    this.dirty = true;
  }

  questionAsked(key: string, question: string): void {
    this.memory = recordQuestion(this.memory, key, question);
  }

  feedbackAddressed(tokens: string[]): void {
    this.memory = recordAddressed(this.memory, tokens);
  }

  notificationRaised(key: string): void {
    this.notified.add(key);
  }

  /** A failed effect: forget the decision so the same facts act again (at `at` at the latest). */
  effectFailed(at: number): void {
    this.lastSignature = null;
    this.retryAt = at;
  }

  /** The loop is over (merged, closed, or stopped). */
  finished(): void {
    this.done = true;
  }

  // ---- outputs -------------------------------------------------------------------------------

  state(): RatchetState {
    return this.lastAction ? stateForAction(this.lastAction) : 'watching';
  }

  view(): RatchetViewState {
    const a = this.lastAction;
    return {
      workspaceId: this.workspaceId,
      prNumber: this.input.pr.number,
      state: this.state(),
      reason: a?.reason ?? 'waiting for the first snapshot',
      rule: a?.rule ?? null,
      snapshotKey: a && 'key' in a ? a.key : null,
      headSha: this.last?.pr.headSha ?? null,
      paused: this.pausedByUser,
      fixer:
        this.fixer && !this.fixer.result
          ? { workflowId: this.fixer.workflowId, kind: this.fixer.kind }
          : null,
      fixNo: this.fixCount,
      decisionNo: this.decisionCount,
      memory: this.memory,
      done: this.done,
    };
  }

  /** What continue-as-new carries (byte for byte the shape running loops' histories hold). */
  carry(): RatchetResume {
    return {
      memory: this.memory,
      fixNo: this.fixCount,
      decisionNo: this.decisionCount,
      lastSignature: this.lastSignature,
      paused: this.pausedByUser,
      last: this.last,
      notified: [...this.notified],
    };
  }

  /** The next run's input: this one's, with the policy it decides with and the carried state. */
  nextRunInput(): RatchetInput {
    return {
      ...this.input,
      ...(this.policyNow ? { policy: this.policyNow } : {}),
      resume: this.carry(),
    };
  }

  private usePolicy(p: RatchetPolicy): void {
    this.policyNow = p;
    // Settings given in the input (tests, an explicit start) stay on top of the project's policy.
    this.settingsNow = ratchetSettings({
      autoMerge: this.input.spec.ratchet.autoMerge,
      ...p.settings,
      ...this.input.settings,
    });
    this.dirty = true;
  }
}

/** @default 500 decisions per run before continue-as-new */
export const DEFAULT_DECISIONS_PER_RUN = 500;

export function kindOf(action: { kind: 'fix_ci' | 'fix_review' | 'fix_conflict' }): FixKind {
  return action.kind === 'fix_ci' ? 'ci' : action.kind === 'fix_review' ? 'review' : 'conflict';
}
