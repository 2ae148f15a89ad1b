/**
 * Stable error types. Activities translate outside failures at the boundary with
 * `ApplicationFailure.nonRetryable(message, ErrorTypes.X)` (or `.retryable` for the ones marked so);
 * workflows branch on `errorTypeOf(err)`, never on message text or `instanceof` (unreliable across
 * the workflow sandbox).
 */

export const ErrorTypes = {
  /** Thrown when a project's path is not inside a git work tree. */
  NotAGitRepo: 'NotAGitRepo',
  /** Thrown when a path (worktree, file argument, tool path) resolves outside the directory it must stay in. */
  PathEscape: 'PathEscape',
  /** Thrown when a branch name fails `branchNameSchema` or `git check-ref-format`. */
  InvalidBranchName: 'InvalidBranchName',
  /** Thrown when a worktree path or branch is already taken by a different workspace. */
  WorktreeConflict: 'WorktreeConflict',
  /** Thrown when a step needs the workspace's worktree and it is gone (archived, or removed by hand). */
  WorktreeMissing: 'WorktreeMissing',
  /** Thrown when an action needs an open PR and GitHub reports it closed or merged. */
  PrClosed: 'PrClosed',
  /** Thrown when the PR's head branch no longer exists on the remote. */
  BranchDeleted: 'BranchDeleted',
  /** Thrown when GitHub rejects the token (401, or 403 without rate-limit headers). */
  GithubAuth: 'GithubAuth',
  /** Thrown when GitHub answers 429 or a rate-limit 403 after the client's own retries. */
  GithubRateLimited: 'GithubRateLimited',
  /** Thrown when a GitHub payload fails its zod schema; the message names the field. */
  GithubMalformed: 'GithubMalformed',
  /** Thrown when a model call would exceed the PR's or the day's dollar budget. */
  BudgetExceeded: 'BudgetExceeded',
  /** Thrown when a model provider is down or overloaded (5xx, 529, connection refused). */
  ProviderUnavailable: 'ProviderUnavailable',
  /** Thrown when a model provider refuses the request itself (400/401/403/404/422): retrying cannot help. */
  ProviderRejected: 'ProviderRejected',
  /** Thrown when a GitHub resource (repository, PR, run) does not exist. */
  GithubNotFound: 'GithubNotFound',
  /** Thrown when GitHub forbids an operation for reasons other than rate limits (permissions, protection). */
  GithubForbidden: 'GithubForbidden',
  /** Thrown when GitHub rejects a request's content (422 validation). */
  GithubValidation: 'GithubValidation',
  /** Thrown when GitHub is down or times out (5xx, connection errors); retried by the activity policy. */
  GithubUnavailable: 'GithubUnavailable',
  /** Thrown when a model's tool call arguments fail the tool's schema. */
  ToolArgsInvalid: 'ToolArgsInvalid',
  /** Thrown when settings or a config file fail their schema; the message names every bad field. */
  ConfigInvalid: 'ConfigInvalid',
  /** Thrown by an agent turn after its own limit of real failures (core/agent-retry.ts). */
  AgentTurnFailed: 'AgentTurnFailed',
  /** Thrown when the outgoing webhook answers a 4xx other than 408/429: the URL or receiver is wrong. */
  WebhookRefused: 'WebhookRefused',
} as const;

/**
 * GitHub failures a retry cannot fix (credentials, a payload that fails its schema, a missing
 * resource, a refusal, a rejected request body, a PR that closed or lost its branch): the GitHub
 * retry policy (workflows/activity-options.ts) lists these as non-retryable.
 */
export const GITHUB_PERMANENT_ERRORS: readonly ErrorType[] = [
  ErrorTypes.GithubAuth,
  ErrorTypes.GithubMalformed,
  ErrorTypes.GithubNotFound,
  ErrorTypes.GithubForbidden,
  ErrorTypes.GithubValidation,
  ErrorTypes.PrClosed,
  ErrorTypes.BranchDeleted,
];

/**
 * Local failures a retry cannot fix (a path or branch that breaks a rule, a worktree that is gone
 * or taken, a bad config, a spent budget): non-retryable for git, setup, store and agent activities.
 */
export const LOCAL_PERMANENT_ERRORS: readonly ErrorType[] = [
  ErrorTypes.NotAGitRepo,
  ErrorTypes.PathEscape,
  ErrorTypes.InvalidBranchName,
  ErrorTypes.WorktreeConflict,
  ErrorTypes.WorktreeMissing,
  ErrorTypes.ConfigInvalid,
  ErrorTypes.BudgetExceeded,
];

export type ErrorType = (typeof ErrorTypes)[keyof typeof ErrorTypes];

export const ERROR_TYPES: readonly ErrorType[] = Object.values(ErrorTypes);

/**
 * Types worth retrying by Temporal's policy (the condition passes with time): throw them with
 * `ApplicationFailure.retryable`. Everything else is a fact that retrying cannot change.
 */
export const RETRYABLE_ERROR_TYPES: ReadonlySet<ErrorType> = new Set<ErrorType>([
  ErrorTypes.GithubRateLimited,
  ErrorTypes.GithubUnavailable,
  ErrorTypes.ProviderUnavailable,
]);

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}

export function isRetryableErrorType(type: ErrorType): boolean {
  return RETRYABLE_ERROR_TYPES.has(type);
}

/**
 * The stable type carried by an error or any of its causes (ActivityFailure → ApplicationFailure
 * nests it under `cause`), or null when none is one of ours. Reads plain fields only, so it works
 * on Temporal failures inside the sandbox and on deserialised ones.
 */
export function errorTypeOf(err: unknown): ErrorType | null {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const type = (current as { type?: unknown }).type;
    if (isErrorType(type)) return type;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * The most useful one-line message of an error: an activity failure's cause (the message the
 * activity threw) before the wrapper's "Activity task failed".
 */
export function messageOf(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | null)?.cause?.message;
  return typeof cause === 'string' ? cause : err instanceof Error ? err.message : String(err);
}
