/**
 * The ratchet's state and its reactions, as a class the thin `ratchetWorkflow` drives. Everything
 * here is deterministic workflow code: decisions come from `core/ratchet/decide.ts`, effects go
 * through activities and child workflows, and every field that must survive continue-as-new is in
 * `resume()`.
 */
import type { FixKind } from '../core/ids.js';
import {
  emptyMemory,
  observeHead,
  recordAddressed,
  recordFixAttempt,
  recordQuestion,
  recordRerun,
  resetAttempts,
  type RatchetMemory,
} from '../core/ratchet/memory.js';
import { decide, type RatchetAction, type RunningFixer } from '../core/ratchet/decide.js';
import { ratchetSettings, type RatchetSettings } from '../core/ratchet/settings.js';
import { stateForAction, type RatchetState } from '../core/ratchet/state.js';
import type {
  FixerResult,
  RatchetInput,
  RatchetResume,
  RatchetViewState,
  SnapshotDelivery,
} from './ratchet-messages.js';

export type Snapshot = Extract<SnapshotDelivery, { kind: 'snapshot' }>;

export interface ActiveFixer extends RunningFixer {
  rowId: string;
  /** This fixer's number on the PR (1-based, never reused, unlike attempt numbers after a retry). */
  fixNo: number;
  action: Extract<RatchetAction, { kind: 'fix_ci' | 'fix_review' | 'fix_conflict' }>;
  result: FixerResult | null;
}

export class RatchetLoop {
  memory: RatchetMemory;
  settings: RatchetSettings;
  fixNo: number;
  decisionNo: number;
  lastSignature: string | null;
  paused: boolean;
  last: Snapshot | null;
  /** A PR that left the open list: the loop must read it once by number. */
  missing: number | null = null;
  fixer: ActiveFixer | null = null;
  /** Dedupe keys of notifications already raised (bounded by the per-PR attempt cap). */
  notified: Set<string>;
  dirty = true;
  decisionsThisRun = 0;
  lastAction: RatchetAction | null = null;
  retryAt: number | null = null;
  done = false;
  /** Set by the `stop` signal (the workspace is being archived): why the loop should end. */
  stopReason: string | null = null;

  constructor(readonly input: RatchetInput) {
    const r = input.resume;
    this.memory = r?.memory ?? emptyMemory();
    this.settings = ratchetSettings({
      autoMerge: input.spec.ratchet.autoMerge,
      ...input.policy?.settings,
      ...input.settings,
    });
    this.fixNo = r?.fixNo ?? 0;
    this.decisionNo = r?.decisionNo ?? 0;
    this.lastSignature = r?.lastSignature ?? null;
    this.paused = r?.paused ?? false;
    this.last = r?.last ?? null;
    this.notified = new Set(r?.notified ?? []);
  }

  get workspaceId(): string {
    return this.input.spec.workspaceId;
  }

  onSnapshot(d: SnapshotDelivery): void {
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

  onFixerDone(result: FixerResult): void {
    if (this.fixer) this.fixer.result = result;
    this.dirty = true;
  }

  /** Decides with these settings from now on (the project's policy, read at start or changed since). */
  useSettings(settings: RatchetInput['settings']): void {
    this.settings = ratchetSettings({ autoMerge: this.input.spec.ratchet.autoMerge, ...settings });
    this.dirty = true;
  }

  stop(reason: string): void {
    this.stopReason = reason;
    this.dirty = true;
  }

  pause(): void {
    this.paused = true;
    this.dirty = true;
  }

  resume(opts: { resetAttempts?: boolean }): void {
    this.paused = false;
    if (opts.resetAttempts) this.memory = resetAttempts(this.memory);
    this.dirty = true;
  }

  /** Decides on the latest snapshot; null until the first snapshot arrives. */
  decideNow(now: number, seed: string): RatchetAction | null {
    if (!this.last) return null;
    if (this.retryAt !== null && now >= this.retryAt) this.retryAt = null;
    const { pr, baseFailing } = this.last;
    this.memory = observeHead(this.memory, pr.headSha, now);
    const fixer =
      this.fixer && !this.fixer.result ? { kind: this.fixer.kind, workflowId: this.fixer.workflowId } : null;
    return decide({
      pr,
      settings: { ...this.settings, paused: this.paused },
      memory: this.memory,
      baseFailing,
      fixer,
      now,
      seed,
    });
  }

  /** True when this decision differs from the last one recorded (same decision → no new write). */
  isNew(action: RatchetAction): boolean {
    const key = 'key' in action ? action.key : '';
    const sig = `${action.kind}|${action.rule}|${key}|${action.reason}`;
    if (sig === this.lastSignature) return false;
    this.lastSignature = sig;
    this.decisionNo++;
    return true;
  }

  noteDispatch(
    action: ActiveFixer['action'],
    workflowId: string,
    rowId: string,
    fixNo: number,
    now: number,
  ): void {
    this.memory = recordFixAttempt(this.memory, action.key, now);
    this.fixer = { kind: kindOf(action), workflowId, rowId, fixNo, action, result: null };
  }

  noteBranchUpdate(key: string, now: number): void {
    this.memory = recordFixAttempt(this.memory, key, now);
  }

  noteRerun(headSha: string, checkKeys: string[]): void {
    this.memory = recordRerun(this.memory, headSha, checkKeys);
  }

  noteQuestion(key: string, question: string): void {
    this.memory = recordQuestion(this.memory, key, question);
  }

  noteAddressed(tokens: string[]): void {
    this.memory = recordAddressed(this.memory, tokens);
  }

  /** A failed effect: forget the decision so the same facts act again at `at`. */
  retryLater(at: number): void {
    this.lastSignature = null;
    this.retryAt = at;
  }

  /** When the loop wants another look by itself (backoff end, CI settle window, a failed effect's retry). */
  wakeAt(): number | null {
    const a = this.lastAction;
    const until = a && a.kind === 'wait' && a.until !== undefined ? a.until : null;
    const times = [until, this.retryAt].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

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
      paused: this.paused,
      fixer:
        this.fixer && !this.fixer.result
          ? { workflowId: this.fixer.workflowId, kind: this.fixer.kind }
          : null,
      fixNo: this.fixNo,
      decisionNo: this.decisionNo,
      memory: this.memory,
      done: this.done,
    };
  }

  carry(): RatchetResume {
    return {
      memory: this.memory,
      fixNo: this.fixNo,
      decisionNo: this.decisionNo,
      lastSignature: this.lastSignature,
      paused: this.paused,
      last: this.last,
      notified: [...this.notified],
    };
  }
}

export function kindOf(action: { kind: 'fix_ci' | 'fix_review' | 'fix_conflict' }): FixKind {
  return action.kind === 'fix_ci' ? 'ci' : action.kind === 'fix_review' ? 'review' : 'conflict';
}
