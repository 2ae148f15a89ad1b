/**
 * What is down, and what to do about it: the Health banner's and page's list, derived from the
 * `/api/health` report. Pure: the probes live in web/lib/health.ts. One problem per part at most,
 * so the banner stays short; the page shows every part's detail.
 */

export const HEALTH_PARTS = ['temporal', 'worker', 'database', 'github', 'runner'] as const;
export type HealthPart = (typeof HEALTH_PARTS)[number];

/** The worker writes its heartbeat row every 5 s; older than this, it is stopped or hung. @default 30000 */
export const HEARTBEAT_STALE_MS = 30_000;

export interface HealthProblem {
  part: HealthPart;
  /** What is wrong, one line. */
  title: string;
  /** What to do, one line. */
  action: string;
}

/** The facts the problems are derived from (a subset of web/lib/health.ts `HealthReport`). */
export interface HealthFacts {
  temporal: { ok: boolean; address: string | null; error?: string };
  database: { ok: boolean; file: string; error?: string };
  worker: {
    ok: boolean;
    pollers: number;
    taskQueue?: string;
    heartbeat: { at: number | null; ageMs: number | null; pid: number | null };
  };
  github: {
    auth: 'token' | 'gh' | 'missing';
    /** null: not checked (no token, or GitHub could not be reached). */
    valid: boolean | null;
    login?: string;
    /** Classic tokens list their scopes; null for fine-grained tokens and GitHub Apps (no header). */
    scopes: string[] | null;
    error?: string;
  };
  runner: { name: string; ok: boolean; detail: string };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Scopes that let Ratchet push branches and open PRs (`public_repo` covers public repositories only). */
const REPO_SCOPES = ['repo', 'public_repo'];

export function healthProblems(f: HealthFacts): HealthProblem[] {
  const out: HealthProblem[] = [];
  if (!f.temporal.ok)
    out.push({
      part: 'temporal',
      title: f.temporal.address
        ? `Temporal at ${f.temporal.address} does not answer${f.temporal.error ? `: ${f.temporal.error}` : ''}`
        : 'Temporal is not configured (no TEMPORAL_ADDRESS)',
      action: 'Start Ratchet with `npm start` (it runs the Temporal dev server), or fix TEMPORAL_ADDRESS.',
    });
  const hb = f.worker.heartbeat;
  if (hb.at === null)
    out.push({
      part: 'worker',
      title: 'The worker has never written a heartbeat to this database',
      action: 'Start the worker (`npm start` runs it; alone: `npm run worker`) with the same RATCHET_HOME.',
    });
  else if (hb.ageMs !== null && hb.ageMs > HEARTBEAT_STALE_MS)
    out.push({
      part: 'worker',
      title: `The worker's last heartbeat was ${seconds(hb.ageMs)} ago (pid ${hb.pid ?? '?'}): it is stopped or hung`,
      action: 'Restart Ratchet (`npm start`); the worker log says why it stopped.',
    });
  // Pollers are only known while Temporal answers; when it does not, its own problem covers this.
  else if (f.temporal.ok && f.worker.pollers === 0)
    out.push({
      part: 'worker',
      title: `No worker polls task queue "${f.worker.taskQueue ?? 'ratchet'}"`,
      action:
        'Check that the worker and the console use the same TEMPORAL_ADDRESS, namespace and task queue.',
    });
  if (!f.database.ok)
    out.push({
      part: 'database',
      title: `The database ${f.database.file} cannot be used${f.database.error ? `: ${f.database.error}` : ''}`,
      action: 'Run `npm run migrate`, and check that the file is readable and writable.',
    });
  const gh = f.github;
  if (gh.auth === 'missing')
    out.push({
      part: 'github',
      title: 'No GitHub token: PRs cannot be opened or watched',
      action: 'Set GITHUB_TOKEN (or GH_TOKEN), or log in with `gh auth login`, then restart.',
    });
  else if (gh.valid === false)
    out.push({
      part: 'github',
      title: `GitHub refuses the token from ${gh.auth === 'gh' ? 'gh' : 'the environment'}${gh.error ? ` (${gh.error})` : ''}`,
      action:
        'Create a new token (classic with the `repo` scope, or fine-grained with contents and pull requests: write) and restart.',
    });
  else if (gh.valid === null)
    out.push({
      part: 'github',
      title: `GitHub cannot be reached to check the token${gh.error ? `: ${gh.error}` : ''}`,
      action: 'Check the network and GITHUB_API_URL.',
    });
  else if (gh.scopes !== null && !gh.scopes.some((s) => REPO_SCOPES.includes(s)))
    out.push({
      part: 'github',
      title: `The token of ${gh.login ?? 'this user'} lacks the \`repo\` scope (has: ${gh.scopes.join(', ') || 'none'})`,
      action: 'Add the `repo` scope to the token (or `public_repo` for public repositories only).',
    });
  if (!f.runner.ok)
    out.push({
      part: 'runner',
      title: `The default runner "${f.runner.name}" cannot run: ${f.runner.detail}`,
      action: 'Set its credentials, or choose another default runner in Settings.',
    });
  return out;
}

/** One line about the token's scopes for the Health page. */
export function describeScopes(scopes: string[] | null): string {
  if (scopes === null)
    return 'no scopes header: a fine-grained token or an app token (GitHub reports its permissions per repository, not as scopes)';
  return scopes.length ? scopes.join(', ') : 'none';
}
