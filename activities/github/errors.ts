/**
 * GitHub failures translated at the boundary into stable types. Octokit throws `RequestError`
 * (REST, with status + headers), `GraphqlResponseError` (GraphQL `errors[]`), or — from the
 * throttling plugin — a plain Error carrying `response`. Nothing downstream inspects those: every
 * GitHub call in this folder goes through `toGithubError`, and activities hand the `type` to
 * Temporal. Messages never contain the token (Octokit redacts `authorization` and we never echo
 * request headers).
 */
import { ErrorTypes } from '../../core/errors.js';

export type GithubErrorType =
  | typeof ErrorTypes.GithubAuth
  | typeof ErrorTypes.GithubRateLimited
  | typeof ErrorTypes.GithubMalformed
  | typeof ErrorTypes.BranchDeleted
  | typeof ErrorTypes.GithubNotFound
  | typeof ErrorTypes.GithubForbidden
  | typeof ErrorTypes.GithubValidation
  | typeof ErrorTypes.GithubUnavailable;

const RETRYABLE = new Set<GithubErrorType>([ErrorTypes.GithubRateLimited, ErrorTypes.GithubUnavailable]);

export interface GithubErrorDetails {
  status?: number;
  /** GithubRateLimited: when the quota resets (ISO-8601). */
  resetAt?: string;
  /** GithubRateLimited: how long to wait before the next attempt. */
  retryAfterMs?: number;
  /** GithubMalformed: the dotted path of the first bad field. */
  field?: string;
}

/** Thrown by every GitHub call in this folder; `type` is the stable contract. */
export class GithubError extends Error {
  override readonly name = 'GithubError';
  readonly status: number | undefined;
  readonly resetAt: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly field: string | undefined;
  constructor(
    readonly type: GithubErrorType,
    message: string,
    details: GithubErrorDetails = {},
  ) {
    super(message);
    this.status = details.status;
    this.resetAt = details.resetAt;
    this.retryAfterMs = details.retryAfterMs;
    this.field = details.field;
  }
  get retryable(): boolean {
    return RETRYABLE.has(this.type);
  }
}

interface ResponseLike {
  status?: number;
  headers?: Record<string, string | number | undefined>;
  data?: unknown;
}

function header(res: ResponseLike | undefined, name: string): string | undefined {
  const v = res?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** Reads a rate-limit signal from headers (primary: remaining 0 + reset; secondary: retry-after). */
export function rateLimitFrom(
  res: ResponseLike | undefined,
  message: string,
  now: number,
): { resetAt: string; retryAfterMs: number } | null {
  const remaining = header(res, 'x-ratelimit-remaining');
  const retryAfter = header(res, 'retry-after');
  const reset = header(res, 'x-ratelimit-reset');
  const limited =
    remaining === '0' || retryAfter !== undefined || /rate limit/i.test(message) || res?.status === 429;
  if (!limited) return null;
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) {
    const ms = Math.max(0, Number(retryAfter) * 1000);
    return { resetAt: new Date(now + ms).toISOString(), retryAfterMs: ms };
  }
  if (reset !== undefined && Number.isFinite(Number(reset))) {
    const at = Number(reset) * 1000;
    return { resetAt: new Date(at).toISOString(), retryAfterMs: Math.max(1000, at - now + 1000) };
  }
  // GitHub's documented fallback for a secondary limit without headers: wait at least a minute.
  return { resetAt: new Date(now + 60_000).toISOString(), retryAfterMs: 60_000 };
}

function graphqlErrorTypes(err: object): string[] {
  const errors =
    (err as { errors?: unknown }).errors ??
    (err as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e) =>
    typeof e === 'object' && e !== null ? String((e as { type?: unknown }).type ?? '') : '',
  );
}

/**
 * Maps anything a GitHub call threw to a GithubError. `what` names the request for the message
 * (e.g. "GET branch feature/x"); `onNotFound` lets a caller turn 404 into a sharper type.
 */
export function toGithubError(
  err: unknown,
  what: string,
  opts: { onNotFound?: GithubErrorType; now?: number } = {},
): GithubError {
  if (err instanceof GithubError) return err;
  const now = opts.now ?? Date.now();
  if (typeof err !== 'object' || err === null) {
    return new GithubError(ErrorTypes.GithubUnavailable, `${what}: ${String(err)}`);
  }
  const e = err as { status?: unknown; message?: unknown; response?: ResponseLike };
  const message = typeof e.message === 'string' ? e.message : 'unknown error';
  const status = typeof e.status === 'number' ? e.status : e.response?.status;
  const gqlTypes = graphqlErrorTypes(err);

  if (status === 401 || (status === 403 && /bad credentials/i.test(message))) {
    return new GithubError(ErrorTypes.GithubAuth, `${what}: GitHub rejected the token (${status})`, {
      status,
    });
  }
  if (status === 403 || status === 429 || gqlTypes.includes('RATE_LIMITED')) {
    const limit = rateLimitFrom(e.response, message, now);
    if (limit || gqlTypes.includes('RATE_LIMITED')) {
      const l = limit ?? { resetAt: new Date(now + 60_000).toISOString(), retryAfterMs: 60_000 };
      return new GithubError(ErrorTypes.GithubRateLimited, `${what}: rate limited until ${l.resetAt}`, {
        status,
        ...l,
      });
    }
    return new GithubError(ErrorTypes.GithubForbidden, `${what}: forbidden: ${message}`, {
      status,
    });
  }
  if (status === 404 || gqlTypes.includes('NOT_FOUND')) {
    return new GithubError(opts.onNotFound ?? ErrorTypes.GithubNotFound, `${what}: not found`, {
      status: 404,
    });
  }
  if (status === 422) {
    return new GithubError(ErrorTypes.GithubValidation, `${what}: ${message}`, { status });
  }
  if (gqlTypes.includes('FORBIDDEN')) {
    return new GithubError(ErrorTypes.GithubForbidden, `${what}: forbidden: ${message}`);
  }
  return new GithubError(ErrorTypes.GithubUnavailable, `${what}: ${message}`, { status });
}

/** Runs `fn`, rethrowing any failure as a GithubError. */
export async function guard<T>(
  what: string,
  fn: () => Promise<T>,
  opts?: { onNotFound?: GithubErrorType },
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toGithubError(err, what, opts);
  }
}

/** Formats a zod issue path as a dotted field name (`repository.pullRequests.nodes.3.mergeable`). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.') || '(root)';
}
