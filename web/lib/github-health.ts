/**
 * Is the GitHub token valid, and what may it do: `GET /user` through the product's GitHub client
 * (activities/github/client.ts, the one Octokit setup), reading `x-oauth-scopes`. Fine-grained
 * tokens send no scopes header; that is reported as such, not as "no scopes". Cached per token
 * (by hash) and API URL: a valid answer for 60 s, a refusal or an unreachable GitHub for 10 s so
 * a fixed token shows up soon. The token never leaves this module.
 */
import { createHash } from 'node:crypto';
import {
  createGithubClient,
  githubApiUrl,
  resolveGithubToken,
  type GithubEnv,
} from '../../activities/github/client.js';
import type { HealthFacts } from '../../core/health-problems.js';

export type GithubHealth = HealthFacts['github'];

/** @default 60000 */
export const GITHUB_OK_TTL_MS = 60_000;
/** @default 10000 */
export const GITHUB_FAIL_TTL_MS = 10_000;

const cache = globalThis as unknown as {
  __ratchetGithubHealth?: Map<string, { at: number; ttl: number; report: GithubHealth }>;
};

export async function checkGithub(env: GithubEnv, timeoutMs: number): Promise<GithubHealth> {
  const resolved = await resolveGithubToken(env, { timeoutMs });
  if (!resolved) return { auth: 'missing', valid: null, scopes: null };
  const auth = resolved.source === 'gh' ? 'gh' : 'token';
  const baseUrl = githubApiUrl(env);
  const key = `${baseUrl} ${createHash('sha256').update(resolved.token).digest('hex')}`;
  cache.__ratchetGithubHealth ??= new Map();
  const hit = cache.__ratchetGithubHealth.get(key);
  if (hit && Date.now() - hit.at < hit.ttl) return hit.report;
  const octokit = createGithubClient({ token: resolved.token, baseUrl, throttle: false });
  let report: GithubHealth;
  try {
    const res = await octokit.request('GET /user', { request: { signal: AbortSignal.timeout(timeoutMs) } });
    const header = res.headers['x-oauth-scopes'];
    report = {
      auth,
      valid: true,
      login: res.data.login,
      scopes:
        typeof header === 'string'
          ? header
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : null,
    };
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    const message = err instanceof Error ? err.message : String(err);
    report =
      status === 401
        ? { auth, valid: false, scopes: null, error: `401 ${message}` }
        : {
            auth,
            valid: null,
            scopes: null,
            error: typeof status === 'number' ? `${status} ${message}` : message,
          };
  }
  cache.__ratchetGithubHealth.set(key, {
    at: Date.now(),
    ttl: report.valid ? GITHUB_OK_TTL_MS : GITHUB_FAIL_TTL_MS,
    report,
  });
  return report;
}
