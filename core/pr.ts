/**
 * The normalized pull-request snapshot the ratchet loop decides on. The GitHub client maps its
 * GraphQL query onto this shape; enum values use GitHub's own spellings so the mapping is direct.
 * Every payload from GitHub is parsed with `prSnapshotSchema` before any decision sees it.
 */
import { z } from 'zod';

export const PR_STATES = ['OPEN', 'CLOSED', 'MERGED'] as const;
export type PrState = (typeof PR_STATES)[number];

export const MERGEABLE_STATES = ['MERGEABLE', 'CONFLICTING', 'UNKNOWN'] as const;
export type MergeableState = (typeof MERGEABLE_STATES)[number];

export const MERGE_STATE_STATUSES = [
  'BEHIND',
  'BLOCKED',
  'CLEAN',
  'DIRTY',
  'DRAFT',
  'HAS_HOOKS',
  'UNKNOWN',
  'UNSTABLE',
] as const;
export type MergeStateStatus = (typeof MERGE_STATE_STATUSES)[number];

export const REVIEW_DECISIONS = ['APPROVED', 'CHANGES_REQUESTED', 'REVIEW_REQUIRED'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const REVIEW_STATES = ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** GraphQL `CheckStatusState`. */
export const CHECK_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'COMPLETED',
  'WAITING',
  'PENDING',
  'REQUESTED',
] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** GraphQL `CheckConclusionState`. */
export const CHECK_CONCLUSIONS = [
  'SUCCESS',
  'FAILURE',
  'NEUTRAL',
  'CANCELLED',
  'TIMED_OUT',
  'ACTION_REQUIRED',
  'SKIPPED',
  'STALE',
  'STARTUP_FAILURE',
] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

/** GraphQL `StatusState` (commit statuses). */
export const STATUS_STATES = ['ERROR', 'EXPECTED', 'FAILURE', 'PENDING', 'SUCCESS'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

/** ISO-8601 timestamp as GitHub sends it (`2026-01-02T03:04:05Z`). */
const isoTime = z.string().min(1);

export const actorSchema = z.object({
  login: z.string().min(1),
  /** True for `Bot` actors (GitHub Apps, `dependabot[bot]`, …). */
  isBot: z.boolean(),
});
export type Actor = z.infer<typeof actorSchema>;

export const reviewSchema = z.object({
  id: z.string().min(1),
  author: actorSchema,
  state: z.enum(REVIEW_STATES),
  /** Null for PENDING (unsubmitted) reviews. */
  submittedAt: isoTime.nullable(),
  body: z.string(),
});
export type Review = z.infer<typeof reviewSchema>;

export const threadCommentSchema = z.object({
  author: actorSchema,
  body: z.string(),
  createdAt: isoTime,
});
export type ThreadComment = z.infer<typeof threadCommentSchema>;

export const reviewThreadSchema = z.object({
  id: z.string().min(1),
  path: z.string(),
  line: z.number().int().nullable(),
  /** The diff hunk the thread was left on no longer exists at the head commit. */
  isOutdated: z.boolean(),
  comments: z.array(threadCommentSchema),
});
export type ReviewThread = z.infer<typeof reviewThreadSchema>;

export const checkRunSchema = z.object({
  kind: z.literal('check_run'),
  name: z.string().min(1),
  /** The Actions workflow name, or null for check runs from other apps. */
  workflowName: z.string().nullable(),
  status: z.enum(CHECK_STATUSES),
  conclusion: z.enum(CHECK_CONCLUSIONS).nullable(),
  startedAt: isoTime.nullable(),
  completedAt: isoTime.nullable(),
  detailsUrl: z.string().nullable(),
  databaseId: z.number().int().nullable(),
  /** Actions workflow run id, for reruns and log fetches; null for non-Actions checks. */
  runId: z.number().int().nullable(),
  /** Actions run attempt (1 for the first run, 2 after one rerun, …). */
  attempt: z.number().int().nullable(),
});
export type CheckRun = z.infer<typeof checkRunSchema>;

export const statusContextSchema = z.object({
  kind: z.literal('status'),
  context: z.string().min(1),
  state: z.enum(STATUS_STATES),
  targetUrl: z.string().nullable(),
  createdAt: isoTime,
});
export type StatusContext = z.infer<typeof statusContextSchema>;

export const checkSchema = z.discriminatedUnion('kind', [checkRunSchema, statusContextSchema]);
export type Check = z.infer<typeof checkSchema>;

export const prRepoSchema = z.object({ owner: z.string().min(1), name: z.string().min(1) });
export type PrRepo = z.infer<typeof prRepoSchema>;

export const prSnapshotSchema = z.object({
  repo: prRepoSchema,
  number: z.number().int().positive(),
  url: z.string().min(1),
  title: z.string(),
  state: z.enum(PR_STATES),
  isDraft: z.boolean(),
  headRefName: z.string().min(1),
  baseRefName: z.string().min(1),
  headSha: z.string().min(1),
  baseSha: z.string().min(1).optional(),
  mergeable: z.enum(MERGEABLE_STATES),
  mergeStateStatus: z.enum(MERGE_STATE_STATUSES),
  reviewDecision: z.enum(REVIEW_DECISIONS).nullable(),
  reviews: z.array(reviewSchema),
  /** Unresolved review threads only (resolved ones are dropped by the query mapper). */
  unresolvedThreads: z.array(reviewThreadSchema),
  /** Check runs and commit statuses on the head commit (every attempt GitHub reports). */
  checks: z.array(checkSchema),
  updatedAt: isoTime,
});
export type PrSnapshot = z.infer<typeof prSnapshotSchema>;

/** True when GitHub reports the PR cannot merge cleanly into its base. */
export function hasConflict(pr: Pick<PrSnapshot, 'mergeable' | 'mergeStateStatus'>): boolean {
  return pr.mergeable === 'CONFLICTING' || pr.mergeStateStatus === 'DIRTY';
}
