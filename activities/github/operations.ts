/**
 * Every GitHub operation the activities expose, one import for callers that want the plain
 * functions (scripts, the console's read paths) rather than Temporal activities.
 */
export { getFailedJobLogs, rerunFailedJobs } from './actions.js';
export type { FailedJobLog, FailedJobLogs, FailedJobLogsInput, RerunInput, RerunResult } from './actions.js';
export { commentMarker, getIssue, getViewerLogin, listIssues, upsertMarkerComment } from './issues.js';
export type {
  IssueComment,
  IssueDetail,
  IssueSummary,
  ListIssuesInput,
  UpsertCommentInput,
  UpsertCommentResult,
} from './issues.js';
export {
  createPullRequest,
  getBranchHead,
  getPull,
  getPullForAdoption,
  markReadyForReview,
  mergePullRequest,
  requestReReview,
  updateBranch,
} from './pulls.js';
export type {
  CreatePrInput,
  CreatePrResult,
  MergeInput,
  MergeMethod,
  MergeResult,
  PullRef,
  ReReviewInput,
  UpdateBranchInput,
  UpdateBranchResult,
} from './pulls.js';
export { failingOnDefaultHead } from './base-checks.js';
export { createWatchedPrReader } from './poll-read.js';
export type { WatchedPr, WatchedPrReader, WatchedPrsRead } from './poll-read.js';
export { fetchOpenPrSnapshots, fetchPrSnapshot } from './snapshots.js';
export type { GraphqlRateLimit, OpenPrSnapshots, RepoRef } from './snapshots.js';
