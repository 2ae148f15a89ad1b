/**
 * GitHub Actions: the failing part of a run's logs (for a CI fixer's prompt) and "re-run failed
 * jobs" (for flaky failures). Log text comes from GitHub, i.e. from whoever can push to the
 * repository: callers must treat it as untrusted data in prompts.
 */
import { z } from 'zod';
import type { GithubClient } from './client.js';
import { guard } from './errors.js';
import { trimJobLog } from './logs.js';
import { parseOrMalformed, type RepoRef } from './snapshots.js';

const restJob = z.object({
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  run_attempt: z.number().int().optional(),
  html_url: z.string().nullable().optional(),
  steps: z
    .array(z.object({ name: z.string(), conclusion: z.string().nullable(), number: z.number().int() }))
    .optional(),
});

const restRun = z.object({
  id: z.number().int(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  run_attempt: z.number().int().optional(),
});

const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

export interface FailedJobLog {
  jobId: number;
  name: string;
  conclusion: string;
  url: string | null;
  /** Names of the steps GitHub marks failed. */
  failedSteps: string[];
  /** Only the failing steps' output, timestamps removed, capped. */
  log: string;
  truncated: boolean;
}

export interface FailedJobLogsInput extends RepoRef {
  runId: number;
  /** @default 20000 */
  maxBytesPerJob?: number;
  /** @default 5 */
  maxJobs?: number;
}

export interface FailedJobLogs {
  runId: number;
  attempt: number | null;
  jobs: FailedJobLog[];
  /** Failed jobs beyond `maxJobs`, listed by name only. */
  omittedJobs: string[];
}

export async function getFailedJobLogs(
  octokit: GithubClient,
  input: FailedJobLogsInput,
): Promise<FailedJobLogs> {
  const what = `GET jobs ${input.owner}/${input.repo} run ${input.runId}`;
  const rows = await guard(what, () =>
    octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
      owner: input.owner,
      repo: input.repo,
      run_id: input.runId,
      filter: 'latest',
      per_page: 100,
    }),
  );
  const jobs = parseOrMalformed(z.array(restJob), rows, what);
  const failed = jobs.filter((j) => j.conclusion !== null && FAILED.has(j.conclusion));
  const maxJobs = input.maxJobs ?? 5;
  const out: FailedJobLog[] = [];
  for (const job of failed.slice(0, maxJobs)) {
    const logWhat = `GET logs ${input.owner}/${input.repo} job ${job.id}`;
    const res = await guard(logWhat, () =>
      octokit.rest.actions.downloadJobLogsForWorkflowRun({
        owner: input.owner,
        repo: input.repo,
        job_id: job.id,
      }),
    );
    const raw: unknown = res.data;
    const text =
      typeof raw === 'string'
        ? raw
        : raw instanceof ArrayBuffer
          ? new TextDecoder().decode(raw)
          : parseOrMalformed(z.string(), raw, logWhat);
    const trimmed = trimJobLog(text, input.maxBytesPerJob ?? 20_000);
    out.push({
      jobId: job.id,
      name: job.name,
      conclusion: job.conclusion ?? 'failure',
      url: job.html_url ?? null,
      failedSteps: (job.steps ?? [])
        .filter((s) => s.conclusion !== null && FAILED.has(s.conclusion))
        .map((s) => s.name),
      log: trimmed.text,
      truncated: trimmed.truncated,
    });
  }
  return {
    runId: input.runId,
    attempt: jobs[0]?.run_attempt ?? null,
    jobs: out,
    omittedJobs: failed.slice(maxJobs).map((j) => j.name),
  };
}

export interface RerunInput extends RepoRef {
  runId: number;
  /** The attempt the caller saw fail; if the run is already past it, someone reran it. */
  expectedAttempt?: number;
}

export type RerunResult =
  | { rerun: true; attempt: number }
  | { rerun: false; attempt: number; reason: 'in_progress' | 'already_rerun' | 'not_failed' };

/** Looks before it acts: a retry after a crash sees the run queued again and does not rerun twice. */
export async function rerunFailedJobs(octokit: GithubClient, input: RerunInput): Promise<RerunResult> {
  const where = `${input.owner}/${input.repo} run ${input.runId}`;
  const res = await guard(`GET run ${where}`, () =>
    octokit.rest.actions.getWorkflowRun({ owner: input.owner, repo: input.repo, run_id: input.runId }),
  );
  const run = parseOrMalformed(restRun, res.data, `GET run ${where}`);
  const attempt = run.run_attempt ?? 1;
  if (input.expectedAttempt !== undefined && attempt > input.expectedAttempt)
    return { rerun: false, attempt, reason: 'already_rerun' };
  if (run.status !== 'completed') return { rerun: false, attempt, reason: 'in_progress' };
  if (run.conclusion === 'success') return { rerun: false, attempt, reason: 'not_failed' };
  await guard(`POST rerun-failed-jobs ${where}`, () =>
    octokit.rest.actions.reRunWorkflowFailedJobs({
      owner: input.owner,
      repo: input.repo,
      run_id: input.runId,
    }),
  );
  return { rerun: true, attempt: attempt + 1 };
}
