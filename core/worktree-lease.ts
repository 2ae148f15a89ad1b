/**
 * The worktree lease of a workspace: fixers (children of the ratchet) and the workspace's own
 * turns edit, commit and push in the same worktree, so the workspace workflow lends it to one
 * fixer at a time, only between its turns. This class is the lease's state and its transitions;
 * the workflow (`workflows/workspace-lease.ts`) carries out the effects: the grant signal, the
 * timeline rows, the refusals when archiving.
 *
 * Pure and deterministic (it runs in the workflow sandbox): no clock, no I/O, insertion order kept.
 */
import { worktreeRequestSchema, type WorktreeRequest } from './workspace.js';

/** What continue-as-new carries (`resume.lease` of the workspace input; this shape is stored in histories). */
export interface CarriedLease {
  holder: WorktreeRequest | null;
  waiting: WorktreeRequest[];
}

export class WorktreeLease {
  /** The fixer the worktree is lent to now. */
  #holder: WorktreeRequest | null;
  /** Fixers that asked, in order of asking. */
  readonly #waiting: WorktreeRequest[];
  /**
   * Whom the worktree was last lent to, until its return is recorded: the holder releases by
   * signal, and the workflow writes `worktree.returned` at its next step.
   */
  #lentTo: string | null;

  constructor(carried?: Partial<CarriedLease> | null) {
    this.#holder = carried?.holder ?? null;
    this.#waiting = [...(carried?.waiting ?? [])];
    // A lease carried across continue-as-new is still out: its return gets recorded in the new run.
    this.#lentTo = this.#holder?.holder ?? null;
  }

  /**
   * A fixer asks (`requestWorktree`). A malformed request is dropped (its sender waits; nothing
   * can answer a bad address), and so is one already holding or waiting: signals can be resent.
   * Returns whether the request was queued.
   */
  request(raw: unknown): boolean {
    const parsed = worktreeRequestSchema.safeParse(raw);
    if (!parsed.success) return false;
    const { holder } = parsed.data;
    if (this.#holder?.holder === holder || this.#waiting.some((w) => w.holder === holder)) return false;
    this.#waiting.push(parsed.data);
    return true;
  }

  /**
   * The holder gives the worktree back (`releaseWorktree`, from the fixer and again from the
   * ratchet when it settles it). A waiting fixer that releases withdraws its request; an unknown
   * holder changes nothing.
   */
  release(holder: string): void {
    if (this.#holder?.holder === holder) this.#holder = null;
    const i = this.#waiting.findIndex((w) => w.holder === holder);
    if (i >= 0) this.#waiting.splice(i, 1);
  }

  /** The holder's name, for the state query and the archiving message. */
  get heldBy(): string | null {
    return this.#holder?.holder ?? null;
  }

  get isFree(): boolean {
    return this.#holder === null;
  }

  get hasWaiting(): boolean {
    return this.#waiting.length > 0;
  }

  /** The next fixer to offer the worktree to, taken off the queue; none while it is lent. */
  takeNext(): WorktreeRequest | null {
    if (this.#holder !== null) return null;
    return this.#waiting.shift() ?? null;
  }

  /** The fixer taken by `takeNext` accepted the grant: it holds the worktree now. */
  lend(to: WorktreeRequest): void {
    this.#holder = to;
    this.#lentTo = to.holder;
  }

  /**
   * The fixer whose return has not been recorded yet, once it has released the worktree; null
   * while it still holds it or when there is nothing to record. Answers each return once.
   */
  takeReturned(): string | null {
    if (this.#lentTo === null || this.#holder !== null) return null;
    const returned = this.#lentTo;
    this.#lentTo = null;
    return returned;
  }

  /** Archiving: every waiting request, removed; they are refused, the holder is waited for. */
  takeAllWaiting(): WorktreeRequest[] {
    return this.#waiting.splice(0);
  }

  /** The state continue-as-new carries. A return not yet recorded is not carried (as before). */
  carry(): CarriedLease {
    return { holder: this.#holder, waiting: [...this.#waiting] };
  }
}
