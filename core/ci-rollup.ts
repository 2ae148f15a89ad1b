/**
 * CI rollup: reduce every check GitHub reports on the head commit to one status, keeping only the
 * latest attempt of each check, and classify failures before any fixer spends tokens.
 *
 * Rule table (first match wins, over the latest attempts only):
 *   1. no checks at all                          → 'none'    ("no CI reported"; see below)
 *   2. any failure-like result                   → 'failure' (FAILURE, TIMED_OUT, CANCELLED,
 *      ACTION_REQUIRED, STARTUP_FAILURE, STALE; status ERROR or FAILURE)
 *   3. any check not finished                    → 'pending' (check status not COMPLETED;
 *      status EXPECTED or PENDING)
 *   4. everything finished and passing           → 'success' (SUCCESS, NEUTRAL, SKIPPED)
 *
 * Empty rollup. 'none' is NOT success: right after a push GitHub may not have registered any
 * check yet. The ratchet waits a settle window after first seeing a head SHA; if still nothing
 * has appeared, it treats the repo as having no CI and lets merge readiness pass (GitHub's own
 * mergeStateStatus still blocks the merge if branch protection requires checks).
 * (factory-factory counts empty as SUCCESS immediately, which can merge before CI starts.)
 */
import type { Check, CheckRun, PrSnapshot, StatusContext } from './pr.js';

export type CiStatus = 'success' | 'failure' | 'pending' | 'none';

/** A check as the loop refers to it: identity, outcome, and the handles needed to rerun or read logs. */
export interface CheckRef {
  kind: 'check_run' | 'status';
  /** Stable identity across attempts: `<workflow> / <name>` for Actions checks, else name or context. */
  key: string;
  name: string;
  workflowName: string | null;
  /** Conclusion for completed check runs, status for unfinished ones, state for commit statuses. */
  outcome: string;
  runId: number | null;
  attempt: number | null;
  databaseId: number | null;
  url: string | null;
}

export interface CiRollup {
  status: CiStatus;
  /** Latest attempts that failed, sorted by key. */
  failing: CheckRef[];
  /** Latest attempts still running or expected, sorted by key. */
  pending: CheckRef[];
  /** Latest attempts that passed, sorted by key. */
  passing: CheckRef[];
  /** The latest attempt of every check, sorted by key. */
  latest: Check[];
}

const FAILING_CONCLUSIONS = new Set([
  'FAILURE',
  'TIMED_OUT',
  'CANCELLED',
  'ACTION_REQUIRED',
  'STARTUP_FAILURE',
  'STALE',
]);
const FAILING_STATES = new Set(['ERROR', 'FAILURE']);
const PENDING_STATES = new Set(['EXPECTED', 'PENDING']);

export function checkKey(check: Check): string {
  if (check.kind === 'status') return check.context;
  return check.workflowName ? `${check.workflowName} / ${check.name}` : check.name;
}

export function toCheckRef(check: Check): CheckRef {
  if (check.kind === 'status') {
    return {
      kind: 'status',
      key: checkKey(check),
      name: check.context,
      workflowName: null,
      outcome: check.state,
      runId: null,
      attempt: null,
      databaseId: null,
      url: check.targetUrl,
    };
  }
  return {
    kind: 'check_run',
    key: checkKey(check),
    name: check.name,
    workflowName: check.workflowName,
    outcome: check.status === 'COMPLETED' ? (check.conclusion ?? 'COMPLETED') : check.status,
    runId: check.runId,
    attempt: check.attempt,
    databaseId: check.databaseId,
    url: check.detailsUrl,
  };
}

export type CheckResult = 'failure' | 'pending' | 'success';

/** One check's own result. A COMPLETED run without a conclusion is treated as still pending. */
export function checkResult(check: Check): CheckResult {
  if (check.kind === 'status') {
    if (FAILING_STATES.has(check.state)) return 'failure';
    if (PENDING_STATES.has(check.state)) return 'pending';
    return 'success';
  }
  if (check.status !== 'COMPLETED' || check.conclusion === null) return 'pending';
  return FAILING_CONCLUSIONS.has(check.conclusion) ? 'failure' : 'success';
}

const time = (iso: string | null) => (iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso) || 0);
const num = (n: number | null) => n ?? Number.NEGATIVE_INFINITY;

/** Positive when `a` is a later attempt than `b`. */
function compareRuns(a: CheckRun, b: CheckRun): number {
  return (
    num(a.runId) - num(b.runId) ||
    num(a.attempt) - num(b.attempt) ||
    time(a.startedAt) - time(b.startedAt) ||
    num(a.databaseId) - num(b.databaseId)
  );
}

function compareStatuses(a: StatusContext, b: StatusContext): number {
  return time(a.createdAt) - time(b.createdAt);
}

/**
 * The latest attempt of each check: per key, the check run with the highest run id, then attempt,
 * then start time (then database id, so ties still resolve the same way in any input order); per
 * status context, the newest `createdAt`.
 */
export function latestAttempts(checks: readonly Check[]): Check[] {
  const best = new Map<string, Check>();
  for (const check of checks) {
    const key = `${check.kind}\u0000${checkKey(check)}`;
    const current = best.get(key);
    if (!current) {
      best.set(key, check);
      continue;
    }
    const later =
      check.kind === 'status' && current.kind === 'status'
        ? compareStatuses(check, current) > 0
        : check.kind === 'check_run' && current.kind === 'check_run' && compareRuns(check, current) > 0;
    if (later) best.set(key, check);
  }
  return [...best.values()].sort((a, b) => cmp(checkKey(a), checkKey(b)) || cmp(a.kind, b.kind));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function rollupChecks(checks: readonly Check[]): CiRollup {
  const latest = latestAttempts(checks);
  const failing: CheckRef[] = [];
  const pending: CheckRef[] = [];
  const passing: CheckRef[] = [];
  for (const check of latest) {
    const result = checkResult(check);
    (result === 'failure' ? failing : result === 'pending' ? pending : passing).push(toCheckRef(check));
  }
  const status: CiStatus =
    latest.length === 0
      ? 'none'
      : failing.length > 0
        ? 'failure'
        : pending.length > 0
          ? 'pending'
          : 'success';
  return { status, failing, pending, passing, latest };
}

/**
 * What kind of failure this is, decided before any tokens are spent:
 * - 'infrastructure': the runner, not the code, failed: CANCELLED, TIMED_OUT, STARTUP_FAILURE,
 *   STALE, or a summary/log tail matching a known runner-failure message. Rerun once per head SHA.
 * - 'human': ACTION_REQUIRED — a person must approve or act (e.g. a fork's first workflow run).
 *   No fixer can do that; the loop waits and says so.
 * - 'code': everything else (FAILURE, status ERROR/FAILURE) — a fixer's job.
 */
export type FailureClass = 'infrastructure' | 'human' | 'code';

/** Messages GitHub Actions and common runners print when the machine, not the code, failed. */
export const INFRA_FAILURE_PATTERNS: readonly RegExp[] = [
  /runner has received a shutdown signal/i,
  /lost communication with the server/i,
  /hosted runner encountered an error/i,
  /the job was not acquired by runner/i,
  /the operation was canceled/i,
  /no space left on device/i,
  /exceeded the maximum execution time/i,
  /internal server error occurred/i,
  /failed to download action/i,
  /unable to (?:resolve|download) action/i,
  /toomanyrequests|rate limit exceeded for (?:pulls|requests)/i,
  /ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/,
  /\b(?:502|503|504) (?:Bad Gateway|Service Unavailable|Gateway Time-?out)\b/i,
];

export function classifyFailure(check: Check, summary?: string): FailureClass {
  if (check.kind === 'check_run') {
    switch (check.conclusion) {
      case 'CANCELLED':
      case 'TIMED_OUT':
      case 'STARTUP_FAILURE':
      case 'STALE':
        return 'infrastructure';
      case 'ACTION_REQUIRED':
        return 'human';
      default:
        break;
    }
  }
  if (summary && INFRA_FAILURE_PATTERNS.some((re) => re.test(summary))) return 'infrastructure';
  return 'code';
}

/** Convenience for callers holding a snapshot. */
export function rollupSnapshot(pr: Pick<PrSnapshot, 'checks'>): CiRollup {
  return rollupChecks(pr.checks);
}
