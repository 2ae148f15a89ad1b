/**
 * The kill matrix (issue 10, item 7): the full loop — workspace → PR → CI fix → review fix →
 * merge → archive — with real parts (the worker as a child process under the supervisor's restart
 * policy, a shared Temporal dev server, real git with a bare remote, the real SQLite read model,
 * the script runner, the loopback fake GitHub), once per kill point. A run's end state is reduced
 * to an `Outcome` that must equal the kill-free reference run's.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { and, gt, like } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import { formatKillPoint, type KillPoint } from '../../core/kill-point.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { agentMessages } from '../../db/schema.js';
import { failing, linkRemote, passing, prRow, workspaceRow } from '../support/ratchet-harness.js';
import { startFakeGithub, tick, type FakeGithub } from '../support/fake-github/index.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import { SupervisedWorker, type Exit, type KillLine } from './supervised-worker.js';

export interface SoakEnv {
  server: DevServerProcess;
  connection: Connection;
  client: Client;
  db: Db;
  home: string;
  close(): Promise<void>;
}

/** One dev server and one Ratchet home for every run; each run has its own task queue and repo. */
export async function startSoakEnv(): Promise<SoakEnv> {
  const { db, home } = makeHome('ratchet-soak-');
  const server = await startDevServerProcess({
    dbFile: path.join(home, 'temporal.db'),
    port: await freePort(),
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    server,
    connection,
    client,
    db,
    home,
    close: async () => {
      await connection.close();
      await server.stop();
      db.$client.close();
    },
  };
}

/** The end state of a run, with everything that differs by construction (ids, SHAs, times) left out. */
export interface Outcome {
  workspaceStatus: string | null;
  pr: { state: string | null; ratchetState: string | null; kanbanColumn: string | null };
  githubWrites: { prsCreated: number; merges: number; commentPosts: number; reruns: number };
  /** Comments by hidden marker kind (`review-fix`, …) → how many carry it. */
  markers: Record<string, number>;
  fakePrState: string;
  fixes: [kind: string, status: string, attempt: number][];
  /** Fixer executions in Temporal, and how many distinct snapshots (fixer IDs) they had. */
  fixerRuns: number;
  fixerIds: number;
  commits: string[];
  /** Per session (workspace id stripped): the rows other than retry resets, as `role:tool`. */
  transcript: Record<string, string[]>;
  /** Timeline kinds, retries left out (they are what a kill adds). */
  eventKinds: string[];
}

export interface RunResult {
  label: string;
  taskQueue: string;
  point: KillPoint | null;
  ok: boolean;
  diffs: string[];
  error: string | null;
  elapsedMs: number;
  outcome: Outcome | null;
  kill: KillLine | null;
  exits: Exit[];
  /** Kill → the restarted worker's ready line. */
  restartMs: number | null;
  /** Kill → the killed activity's retry started running (its ActivityTaskStarted time). */
  resumedMs: number | null;
  /** For an agent turn: kill → the next transcript row of the workspace. */
  transcriptMs: number | null;
  workerOutput: string;
}

let seq = 0;

const AGENT_SCRIPT = [[{ op: 'write' as const, path: 'hello.txt', content: 'hello\n' }]];

function outcomeOf(
  db: Db,
  fake: FakeGithub,
  repoName: string,
  workspaceId: string,
  remote: string,
  branch: string,
  fixerRuns: number,
): Outcome {
  const row = prRow(db, workspaceId);
  const fixes = listFixAttempts({ db, workspaceId });
  const markers: Record<string, number> = {};
  for (const c of fake.comments(repoName, 1)) {
    for (const m of c.body.matchAll(/<!-- ratchet:([a-z-]+)\//g)) {
      const k = m[1] ?? '';
      markers[k] = (markers[k] ?? 0) + 1;
    }
  }
  const transcript: Record<string, string[]> = {};
  const rows = db
    .select()
    .from(agentMessages)
    .where(like(agentMessages.sessionId, `${workspaceId}%`))
    .orderBy(agentMessages.sessionId, agentMessages.seq)
    .all();
  for (const r of rows) {
    if (r.role === 'reset') continue;
    const key = r.sessionId.slice(workspaceId.length);
    (transcript[key] ??= []).push(`${r.role}:${r.toolName ?? ''}`);
  }
  const kinds = new Set(
    listEvents({ db, workspaceId })
      .map((e) => e.kind)
      .filter((k) => k !== 'activity.retry'),
  );
  return {
    workspaceStatus: workspaceRow(db, workspaceId)?.status ?? null,
    pr: {
      state: row?.state ?? null,
      ratchetState: row?.ratchetState ?? null,
      kanbanColumn: row?.kanbanColumn ?? null,
    },
    githubWrites: {
      prsCreated: fake.count('POST', `/repos/${repoName}/pulls`),
      merges: fake.count('PUT', `/repos/${repoName}/pulls/1/merge`),
      commentPosts: fake.count('POST', `/repos/${repoName}/issues/1/comments`),
      reruns: fake.count('POST', /\/actions\/runs\/\d+\/rerun-failed-jobs$/),
    },
    markers,
    fakePrState: fake.pr(repoName, 1).state,
    fixes: fixes.map((f) => [f.kind, f.status, f.attempt]),
    fixerRuns,
    fixerIds: new Set(fixes.map((f) => f.workflowId)).size,
    commits: remoteCommits(remote, branch),
    transcript,
    eventKinds: [...kinds].sort(),
  };
}

/** Field-by-field differences, as lines a person can read. */
export function diffOutcomes(want: Outcome, got: Outcome): string[] {
  const out: string[] = [];
  for (const k of Object.keys(want) as (keyof Outcome)[]) {
    const a = JSON.stringify(want[k]);
    const b = JSON.stringify(got[k]);
    if (a !== b) out.push(`${k}: want ${a}, got ${b}`);
  }
  return out;
}

/** The fixed expectations every run must meet, reference included (one of each write). */
export function invariantsOf(o: Outcome): string[] {
  const out: string[] = [];
  const want = (what: string, ok: boolean) => ok || out.push(what);
  want('one PR created', o.githubWrites.prsCreated === 1);
  want('one merge', o.githubWrites.merges === 1);
  want('PR merged', o.fakePrState === 'MERGED' && o.pr.state === 'merged');
  want('workspace archived', o.workspaceStatus === 'archived');
  want(
    'one comment per marker',
    Object.values(o.markers).every((n) => n === 1),
  );
  want('one fixer per snapshot', o.fixerRuns === o.fixerIds);
  want(
    'one CI fix and one review fix, each pushed once',
    JSON.stringify(o.fixes) ===
      JSON.stringify([
        ['ci', 'pushed', 1],
        ['review', 'pushed', 1],
      ]),
  );
  return out;
}

/** Kill → the retried activity's start, from its ActivityTaskStarted event (the attempt that completed). */
async function resumedAt(client: Client, kill: KillLine): Promise<number | null> {
  const history = await client.workflow.getHandle(kill.workflowId, kill.runId).fetchHistory();
  const scheduled = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityId === kill.activityId,
  );
  if (!scheduled?.eventId) return null;
  const started = history.events?.find(
    (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
  );
  const attempt = started?.activityTaskStartedEventAttributes?.attempt ?? 0;
  const t = started?.eventTime;
  if (!t || attempt <= kill.attempt) return null;
  return Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export async function runScenario(
  env: SoakEnv,
  opts: { point: KillPoint | null; label?: string; heartbeatTimeoutMs?: number; timeoutMs?: number },
): Promise<RunResult> {
  const n = ++seq;
  const label = opts.label ?? (opts.point ? formatKillPoint(opts.point) : 'reference');
  const { db, client } = env;
  const repoName = `acme/soak-${process.pid}-${n}`;
  const [owner = '', name = ''] = repoName.split('/');
  const taskQueue = `soak-${process.pid}-${n}`;
  const fake = await startFakeGithub({ tokens: ['test'] });
  fake.addRepo(repoName);
  const repo = makeRepo({ prefix: 'ratchet-soak-repo-' });
  const { runId } = fake.addRun(repoName, {
    headSha: 'x',
    headBranch: 'x',
    jobs: [
      {
        name: 'build',
        conclusion: 'failure',
        steps: [{ name: 'test', conclusion: 'failure' }],
        log: '2026-01-01T00:00:00Z Error: expected greeting to be "hello"',
      },
    ],
  });
  linkRemote(fake, repoName, repo.remote, (_pr, nth) =>
    nth === 1 ? [failing('build', runId)] : [passing('build')],
  );
  const spec = {
    ...specFor(repo, addProject(db, repo), { agent: { script: AGENT_SCRIPT } }),
    github: { owner, repo: name },
    ratchet: { enabled: true, autoMerge: true },
  };
  const worker = new SupervisedWorker(
    {
      RATCHET_HOME: env.home,
      TEMPORAL_ADDRESS: env.server.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_LOG_LEVEL: 'warn',
      GITHUB_API_URL: fake.url,
      GITHUB_TOKEN: 'test',
      RATCHET_POLL_INTERVAL_S: '1',
    },
    opts.point ? { RATCHET_TEST_KILL_AT: formatKillPoint(opts.point) } : {},
  );
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const deadline = started + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  let error: string | null = null;
  let outcome: Outcome | null = null;
  try {
    worker.start();
    await worker.ready(1);
    await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: opts.heartbeatTimeoutMs ?? 3000 })],
    });
    const fixPushed = (kind: string) =>
      listFixAttempts({ db, workspaceId: spec.workspaceId }).some(
        (f) => f.kind === kind && f.status === 'pushed',
      );
    await waitFor('the CI fix to be pushed', () => fixPushed('ci'), left());
    await waitFor(
      'green CI, waiting for a review',
      () => prRow(db, spec.workspaceId)?.ratchetState === 'awaiting_review',
      left(),
    );
    fake.addReview(repoName, 1, {
      author: { login: 'alice' },
      state: 'CHANGES_REQUESTED',
      body: 'Please say hello to the world',
    });
    fake.addThread(repoName, 1, {
      path: 'hello.txt',
      line: 1,
      comments: [{ author: { login: 'alice' }, body: 'hello → hello world', createdAt: tick() }],
    });
    await waitFor('the review fix to be pushed', () => fixPushed('review'), left());
    await waitFor(
      'a re-review request',
      () => fake.pr(repoName, 1).requestedReviewers.includes('alice'),
      left(),
    );
    for (const t of fake.pr(repoName, 1).threads) t.isResolved = true;
    fake.addReview(repoName, 1, { author: { login: 'alice' }, state: 'APPROVED', body: 'LGTM' });
    await waitFor(
      'the workspace to be archived',
      () => workspaceRow(db, spec.workspaceId)?.status === 'archived',
      left(),
    );
    await client.workflow.getHandle(workflowIds.workspace(spec.workspaceId)).result();
    if (opts.point && !worker.kill) throw new Error(`the worker never reached kill point ${label}`);
    let fixerRuns = 0;
    for await (const _ of client.workflow.list({
      query: `WorkflowType = 'fixerWorkflow' AND TaskQueue = '${taskQueue}'`,
    }))
      fixerRuns++;
    outcome = outcomeOf(db, fake, repoName, spec.workspaceId, repo.remote, spec.branch, fixerRuns);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    await worker.stop();
    await fake.close();
  }
  const kill = worker.kill;
  let resumedMs: number | null = null;
  let transcriptMs: number | null = null;
  let restartMs: number | null = null;
  if (kill) {
    const ready = worker.readyAt[1];
    restartMs = ready !== undefined ? ready - kill.at : null;
    const resumed = await resumedAt(client, kill).catch(() => null);
    resumedMs = resumed !== null ? resumed - kill.at : null;
    if (kill.activity === 'runAgentTurn') {
      const next = db
        .select()
        .from(agentMessages)
        .where(
          and(like(agentMessages.sessionId, `${spec.workspaceId}%`), gt(agentMessages.createdAt, kill.at)),
        )
        .orderBy(agentMessages.createdAt)
        .get();
      transcriptMs = next ? next.createdAt - kill.at : null;
    }
  }
  const diffs = outcome ? invariantsOf(outcome) : [];
  return {
    label,
    taskQueue,
    point: opts.point,
    ok: error === null && diffs.length === 0,
    diffs,
    error,
    elapsedMs: Date.now() - started,
    outcome,
    kill,
    exits: worker.exits,
    restartMs,
    resumedMs,
    transcriptMs,
    workerOutput: worker.output(),
  };
}
