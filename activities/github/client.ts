/**
 * The one GitHub client: Octokit REST + GraphQL with the throttling and retry plugins, plus a
 * conditional-request layer (ETag / If-None-Match) so an unchanged REST GET answers 304, which
 * GitHub does not charge against the rate limit.
 *
 * Retry ownership: Temporal owns retries. The plugins here retry at most ONCE, and a rate-limit
 * retry happens inline only when the wait is short (`maxInlineWaitSeconds`); otherwise the call
 * fails fast with GithubRateLimited and the activity hands Temporal a `nextRetryDelay` equal to
 * the reset time, so no worker slot sleeps for minutes inside an activity.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

const RatchetOctokit = Octokit.plugin(throttling, retry);
export type GithubClient = InstanceType<typeof RatchetOctokit>;

/** A cached REST answer for conditional requests, keyed by full URL. */
export interface EtagEntry {
  etag: string;
  data: unknown;
  headers: Record<string, string | number | undefined>;
}
export type EtagCache = Map<string, EtagEntry>;

export interface GithubClientOptions {
  token: string;
  /** REST base URL; GraphQL goes to `<baseUrl>/graphql`. @default https://api.github.com */
  baseUrl?: string;
  /** @default ratchet */
  userAgent?: string;
  /** Conditional-request cache keyed by URL; share one Map per token (never across tokens). @default a new Map */
  etagCache?: EtagCache;
  /** Most entries kept in the ETag cache (oldest dropped first). @default 1000 */
  etagCacheMax?: number;
  /** Longest rate-limit wait retried inside the call; longer waits fail fast. @default 5 */
  maxInlineWaitSeconds?: number;
  /** Multiplier for plugin waits in milliseconds (tests shrink it). @default 1000 */
  retryAfterBaseValue?: number;
  /**
   * Client-side request pacing from the throttling plugin (GraphQL and writes at least 1 s apart,
   * as GitHub asks). Only suites that replay thousands of time-skipped poll cycles turn it off;
   * rate-limit answers are still translated by errors.ts either way. @default true
   */
  throttle?: boolean;
  /** Octokit's logger; the default drops debug/info and never sees the token. */
  log?: {
    debug: (m: string) => void;
    info: (m: string) => void;
    warn: (m: string) => void;
    error: (m: string) => void;
  };
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export function createGithubClient(opts: GithubClientOptions): GithubClient {
  const maxInline = opts.maxInlineWaitSeconds ?? 5;
  // Retry once, and only when the wait is short; Temporal owns every further retry.
  const onLimit = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < 1 && retryAfter <= maxInline;
  const octokit = new RatchetOctokit({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: opts.userAgent ?? 'ratchet',
    log: opts.log ?? { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
      retryAfterBaseValue: opts.retryAfterBaseValue ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      enabled: opts.throttle ?? true,
    },
    retry: {
      retries: 1,
      retryAfterBaseValue: opts.retryAfterBaseValue ?? 1000,
      // 429 belongs to the throttling plugin; the rest are facts a retry cannot change.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
    },
  });
  installEtagCache(octokit, opts.etagCache ?? new Map(), opts.etagCacheMax ?? 1000);
  return octokit;
}

function installEtagCache(octokit: GithubClient, cache: EtagCache, max: number): void {
  octokit.hook.wrap('request', async (request, options) => {
    if (options.method !== 'GET') return request(options);
    const key = octokit.request.endpoint.parse(options).url;
    const cached = cache.get(key);
    if (cached) options.headers = { ...options.headers, 'if-none-match': cached.etag };
    try {
      const res = await request(options);
      const etag = res.headers.etag;
      // JSON bodies only: raw text (job logs) is large, immutable, and not worth holding in memory.
      if (typeof etag === 'string' && etag.length > 0 && typeof res.data === 'object' && res.data !== null) {
        cache.delete(key);
        cache.set(key, { etag, data: res.data, headers: { ...res.headers } });
        while (cache.size > max) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
        }
      }
      return res;
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 304 && cached) {
        const fresh = (err as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
        // Serve the cached body with the 304's current rate-limit headers.
        return {
          status: 200,
          url: key,
          headers: { ...cached.headers, ...fresh },
          data: cached.data as never,
        };
      }
      throw err;
    }
  });
}

export type GithubEnv = Record<string, string | undefined>;

/** The API base URL from the environment (`GITHUB_API_URL`), else api.github.com. */
export function githubApiUrl(env: GithubEnv): string {
  const v = env.GITHUB_API_URL?.trim();
  return v ? v.replace(/\/+$/, '') : DEFAULT_GITHUB_API_URL;
}

export type TokenSource = 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh';

/**
 * The token to use: `GITHUB_TOKEN`, then `GH_TOKEN`, then `gh auth token` when `gh` is on the
 * PATH of `env` (5 s timeout), else null. Empty strings count as missing. The token is returned,
 * never logged.
 */
export async function resolveGithubToken(
  env: GithubEnv,
  opts: { timeoutMs?: number } = {},
): Promise<{ token: string; source: TokenSource } | null> {
  const fromEnv = (['GITHUB_TOKEN', 'GH_TOKEN'] as const).find((k) => (env[k] ?? '').trim() !== '');
  if (fromEnv) return { token: (env[fromEnv] ?? '').trim(), source: fromEnv };
  const gh = await findOnPath('gh', env.PATH ?? '');
  if (!gh) return null;
  const token = await new Promise<string | null>((resolve) => {
    execFile(
      gh,
      ['auth', 'token'],
      { timeout: opts.timeoutMs ?? 5000, env: env as NodeJS.ProcessEnv, windowsHide: true },
      (err, stdout) => resolve(err ? null : stdout.trim() || null),
    );
  });
  return token ? { token, source: 'gh' } : null;
}

async function findOnPath(name: string, pathVar: string): Promise<string | null> {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}
