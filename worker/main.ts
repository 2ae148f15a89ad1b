/**
 * The worker process: applies migrations, connects to Temporal, serves workflows and activities
 * on the task queue, and writes a liveness row for /api/health. SIGINT/SIGTERM drain gracefully;
 * SIGKILL is also fine: Temporal retries whatever was in flight.
 */
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { getDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { heartbeats } from '../db/schema.js';
import { createGithubClient, githubApiUrl, resolveGithubToken } from '../activities/github/index.js';
import { createActivities } from './activities.js';
import { loadWorkflowBundle } from './bundle.js';
import { loadConfig, parentEnv } from './env.js';
import { createLogger } from './logger.js';
import { failOrphanedActivities, inflightDir } from './inflight.js';
import { workerInterceptors } from './interceptors.js';

/**
 * Where the start-up goes, in ms: `modules` is process start → main() (tsx and every static
 * import), then each step. Logged with `worker ready`; bench/worker-start.ts reads it.
 */
function startupClock() {
  const phases: Record<string, number> = { modules: Math.round(performance.now()) };
  let last = performance.now();
  return {
    phases,
    mark(name: string) {
      const now = performance.now();
      phases[name] = Math.round(now - last);
      last = now;
    },
  };
}

async function main() {
  const clock = startupClock();
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  // The Runtime would install its own SIGINT/SIGTERM handlers that shut every worker down; with ours
  // too, the second `worker.shutdown()` threw IllegalStateError on Ctrl-C. One owner: `drain` below.
  Runtime.install({
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  clock.mark('config');
  migrateDatabase(config.dbFile);
  const db = getDb(config.dbFile);
  clock.mark('migrate');
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.localPort}`;
  const connection = await NativeConnection.connect({ address });
  clock.mark('connect');
  // A dead predecessor's activities get their retries now, not after their timeouts (inflight.ts);
  // it runs beside the start-up (never awaited before serving) and never fails it.
  const inflight = inflightDir(config.home);
  void failOrphanedActivities({
    dir: inflight,
    service: connection.workflowService,
    namespace: config.temporal.namespace,
  }).then(
    (r) => {
      if (r.failed.length || r.stale || r.errors.length) log.warn(r, 'activities of a dead worker');
    },
    (err: unknown) => log.warn({ err: String(err) }, 'could not check for orphaned activities'),
  );
  // GitHub: token from GITHUB_TOKEN / GH_TOKEN / `gh auth token`; never logged.
  const githubEnv = {
    GITHUB_TOKEN: config.env.GITHUB_TOKEN,
    GH_TOKEN: config.env.GH_TOKEN,
    GITHUB_API_URL: config.env.GITHUB_API_URL,
    PATH: parentEnv().PATH,
  };
  const token = await resolveGithubToken(githubEnv);
  const octokit = token ? createGithubClient({ token: token.token, baseUrl: githubApiUrl(githubEnv) }) : null;
  log.info(
    { github: token ? `token from ${token.source}` : 'no token', api: githubApiUrl(githubEnv) },
    'github',
  );
  clock.mark('github');
  const workflowBundle = await loadWorkflowBundle(`${config.home}/cache`, (m) => log.info(m));
  clock.mark('bundle');
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowBundle,
    activities: createActivities({ db, config, octokit }),
    interceptors: workerInterceptors(db, { killAt: config.env.RATCHET_TEST_KILL_AT, inflightDir: inflight }),
    maxConcurrentActivityTaskExecutions: 20,
    shutdownGraceTime: '10s',
    // Stop cancels an agent turn through its heartbeat; at most a second between the heartbeats
    // sent to the server keeps Stop within about two seconds (the default waits 80% of the timeout).
    maxHeartbeatThrottleInterval: '1s',
  });
  clock.mark('create');
  const beat = () =>
    db
      .insert(heartbeats)
      .values({
        process: 'worker',
        pid: process.pid,
        at: Date.now(),
        info: { taskQueue: config.taskQueue, address },
      })
      .onConflictDoUpdate({ target: heartbeats.process, set: { pid: process.pid, at: Date.now() } })
      .run();
  beat();
  const timer = setInterval(beat, 5000);
  // However many signals arrive (a terminal's Ctrl-C reaches the supervisor and the worker, and an
  // impatient user presses it again), the worker drains once; later signals only say so.
  // `shutdown()` leaves RUNNING at once, so the state alone says whether a drain has begun.
  const drain = (sig: NodeJS.Signals) => {
    if (worker.getState() !== 'RUNNING') {
      log.info({ sig, state: worker.getState() }, 'already draining');
      return;
    }
    log.info({ sig }, 'shutting down');
    worker.shutdown();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, drain);
  log.info(
    {
      address,
      taskQueue: config.taskQueue,
      namespace: config.temporal.namespace,
      startupMs: { ...clock.phases, total: Math.round(performance.now()) },
    },
    'worker ready',
  );
  // A line the supervisor and tests wait for.
  process.stdout.write(`RATCHET_WORKER_READY pid=${process.pid}\n`);
  try {
    await worker.run();
  } finally {
    clearInterval(timer);
    await connection.close();
  }
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
