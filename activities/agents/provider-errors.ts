/**
 * Maps model-provider failures to Temporal failures with stable types. SDK clients run with
 * `maxRetries: 0`, so this is where "retry later" versus "retrying cannot help" is decided:
 * 408/409/429/5xx/529, overloaded and connection trouble are retryable `ProviderUnavailable`
 * (honouring `retry-after`); other 4xx (bad request, auth, permission, not found) are
 * non-retryable `ProviderRejected`.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../../core/errors.js';

/** Thrown when a provider refuses the request itself (400/401/403/404/413/422); retrying cannot help. */
export const PROVIDER_REJECTED = 'ProviderRejected';

/** Longest `retry-after` we pass on as the next retry delay. @default 10 minutes */
export const MAX_RETRY_AFTER_MS = 600_000;

const RETRYABLE_BODY_TYPES = new Set([
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'timeout_error',
  'server_error',
]);
const REJECTED_BODY_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
]);

interface HeaderLike {
  get?: (name: string) => string | null;
  [k: string]: unknown;
}

function header(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const h = headers as HeaderLike;
  if (typeof h.get === 'function') return h.get(name);
  const v = h[name];
  return typeof v === 'string' ? v : null;
}

/** Milliseconds from `retry-after-ms`, `retry-after` (seconds or HTTP date); undefined when absent. */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0)
    return Math.min(ms, MAX_RETRY_AFTER_MS);
  const raw = header(headers, 'retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
  return undefined;
}

function field(err: unknown, name: string): unknown {
  return err && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined;
}

/** The error `type` in an API error body (`{ error: { type } }`) or on the SDK error. */
function bodyType(err: unknown): string | null {
  const own = field(err, 'type');
  if (typeof own === 'string') return own;
  const body = field(err, 'error');
  const inner = field(body, 'error') ?? body;
  const t = field(inner, 'type');
  return typeof t === 'string' ? t : null;
}

export function unavailable(
  provider: string,
  message: string,
  nextRetryDelayMs?: number,
  cause?: Error,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorTypes.ProviderUnavailable,
    message: `${provider}: ${message}`,
    nonRetryable: false,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
    ...(cause ? { cause } : {}),
  });
}

export function rejected(provider: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PROVIDER_REJECTED,
    message: `${provider}: ${message}`,
    nonRetryable: true,
  });
}

/** Translates anything a provider SDK threw into a typed failure. Already-typed failures pass through. */
export function toProviderFailure(err: unknown, provider: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  const status = field(err, 'status');
  const type = bodyType(err);
  if (typeof status === 'number') {
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      return unavailable(provider, `HTTP ${status}: ${message}`, retryAfterMs(field(err, 'headers')));
    }
    return rejected(provider, `HTTP ${status}: ${message}`);
  }
  // No status: an `error` event inside the stream, a connection failure, a timeout or a broken stream.
  if (type && REJECTED_BODY_TYPES.has(type)) return rejected(provider, `${type}: ${message}`);
  if (type && RETRYABLE_BODY_TYPES.has(type)) return unavailable(provider, `${type}: ${message}`);
  return unavailable(provider, message, undefined, err instanceof Error ? err : undefined);
}
