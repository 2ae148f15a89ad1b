/**
 * `/api/health`: what works, what does not, and why. Each probe has its own deadline so one hung
 * dependency cannot hang the report. Secrets are reported as present/absent only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { RatchetConfig } from '../../core/config.js';
import { healthProblems, type HealthFacts, type HealthProblem } from '../../core/health-problems.js';
import type { Db } from '../../db/client.js';
import { getHeartbeat } from '../../db/queries/heartbeats.js';
import { getConsoleSettings } from '../../db/queries/settings.js';
import { checkGithub } from './github-health.js';
import { checkProviders, type ProvidersReport } from './provider-health.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  temporal: { ok: boolean; address: string | null; namespace: string; error?: string };
  database: { ok: boolean; file: string; migrations: number; error?: string };
  /** `ok` is Temporal's view (a poller seen in the last minute); `heartbeat` is the worker's own row. */
  worker: HealthFacts['worker'] & { error?: string };
  /** Usable runners: installed and with credentials (an ACP runner when any ACP agent is installed). */
  runners: { script: true; anthropic: boolean; openai: boolean; claudeCode: boolean; acp: boolean };
  /** Per runner and per ACP agent: installed, authenticated, and what was found. */
  providers: ProvidersReport;
  /** Whether the token is valid (`GET /user`) and its scopes; never the token. */
  github: HealthFacts['github'];
  /** The default runner (Settings, else the first with credentials) and whether it can run. */
  runner: HealthFacts['runner'];
  /** What is down and what to do, for the banner and /health (core/health-problems.ts). */
  problems: HealthProblem[];
}

/** @default 3000 */
export const PROBE_TIMEOUT_MS = 3000;
/** A poller counts as live when Temporal saw it within this window. @default 60000 */
export const POLLER_WINDOW_MS = 60_000;

function withTimeout<T>(p: Promise<T>, what: string, ms = PROBE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function onPath(bin: string, envPath: string | undefined): boolean {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, bin), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function checkDatabase(db: () => Db, file: string): HealthReport['database'] {
  try {
    const sqlite = db().$client;
    const table = sqlite
      .prepare("select name from sqlite_master where type='table' and name='__drizzle_migrations'")
      .get();
    if (!table)
      return {
        ok: false,
        file,
        migrations: 0,
        error: 'The database has no migrations applied; run `npm run migrate`.',
      };
    const { n } = sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
    return { ok: true, file, migrations: n };
  } catch (err) {
    return { ok: false, file, migrations: 0, error: message(err) };
  }
}

async function countPollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  now: number,
): Promise<number> {
  // temporal.api.enums.v1: TASK_QUEUE_TYPE_WORKFLOW = 1, TASK_QUEUE_TYPE_ACTIVITY = 2, TASK_QUEUE_KIND_NORMAL = 1
  // (@temporalio/proto is not a direct dependency, so the wire values are spelled out).
  const types = [1, 2] as const;
  const identities = new Set<string>();
  for (const taskQueueType of types) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: 1 },
      taskQueueType,
    });
    for (const p of res.pollers ?? []) {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      if (now - seconds * 1000 <= POLLER_WINDOW_MS)
        identities.add(p.identity ?? `unknown-${identities.size}`);
    }
  }
  return identities.size;
}

/** The default runner: the stored agent defaults, else the first runner with credentials. */
function defaultRunner(db: () => Db, providers: ProvidersReport): HealthFacts['runner'] {
  let stored: string | undefined;
  try {
    stored = getConsoleSettings({ db: db() }).values['agent.defaults']?.runner;
  } catch {
    // The database problem is reported on its own.
  }
  const usable = {
    anthropic: providers.anthropic.authenticated === true,
    openai: providers.openai.authenticated === true,
    'claude-code': providers['claude-code'].installed && providers['claude-code'].authenticated !== false,
  };
  const name =
    stored ?? (Object.keys(usable) as Array<keyof typeof usable>).find((r) => usable[r]) ?? 'script';
  switch (name) {
    case 'script':
      return { name, ok: true, detail: 'the scripted demo runner needs nothing' };
    case 'anthropic':
    case 'openai':
    case 'claude-code':
      return { name, ok: usable[name], detail: providers[name].detail };
    default: {
      const installed = Object.entries(providers.acp).filter(([, a]) => a.installed);
      return installed.length
        ? { name, ok: true, detail: `ACP agents installed: ${installed.map(([n]) => n).join(', ')}` }
        : { name, ok: false, detail: 'no ACP agent is installed' };
    }
  }
}

function workerHeartbeat(db: () => Db, now: number): HealthFacts['worker']['heartbeat'] {
  try {
    const row = getHeartbeat({ db: db(), process: 'worker' });
    return row
      ? { at: row.at, ageMs: Math.max(0, now - row.at), pid: row.pid }
      : { at: null, ageMs: null, pid: null };
  } catch {
    return { at: null, ageMs: null, pid: null };
  }
}

export async function checkHealth({
  config,
  db,
  client,
  processEnv,
}: {
  config: RatchetConfig;
  db: () => Db;
  client: () => Promise<Client>;
  /** The console's environment, for looking only (web/lib/env.ts `parentEnv`). */
  processEnv: Readonly<Record<string, string | undefined>>;
}): Promise<HealthReport> {
  const database = checkDatabase(db, config.dbFile);
  const { address, namespace } = config.temporal;
  let temporalPart: HealthReport['temporal'] = { ok: false, address, namespace };
  const heartbeat = workerHeartbeat(db, Date.now());
  const taskQueue = config.taskQueue;
  let worker: HealthReport['worker'] = { ok: false, pollers: 0, taskQueue, heartbeat };
  try {
    const c = await withTimeout(client(), `Temporal at ${address}`);
    await withTimeout(c.workflowService.getSystemInfo({}), `Temporal at ${address}`);
    temporalPart = { ok: true, address, namespace };
    try {
      const pollers = await withTimeout(
        countPollers(c, namespace, config.taskQueue, Date.now()),
        'describeTaskQueue',
      );
      worker =
        pollers > 0
          ? { ok: true, pollers, taskQueue, heartbeat }
          : {
              ok: false,
              pollers,
              taskQueue,
              heartbeat,
              error: `No worker polled task queue "${config.taskQueue}" in the last minute.`,
            };
    } catch (err) {
      worker = { ok: false, pollers: 0, taskQueue, heartbeat, error: message(err) };
    }
  } catch (err) {
    temporalPart = { ok: false, address, namespace, error: message(err) };
    worker = { ok: false, pollers: 0, taskQueue, heartbeat, error: 'Temporal is unreachable.' };
  }
  const env = config.env;
  // The token comes from the console's configuration; gh gets the PATH and HOME.
  const [github, providers] = await Promise.all([
    checkGithub(
      {
        PATH: processEnv.PATH,
        HOME: processEnv.HOME,
        GITHUB_TOKEN: env.GITHUB_TOKEN,
        GH_TOKEN: env.GH_TOKEN,
        GITHUB_API_URL: env.GITHUB_API_URL,
      },
      PROBE_TIMEOUT_MS,
    ),
    checkProviders(config, processEnv),
  ]);
  const runner = defaultRunner(db, providers);
  const core = [temporalPart.ok, database.ok, worker.ok];
  const status = core.every(Boolean) ? 'ok' : temporalPart.ok || database.ok ? 'degraded' : 'down';
  return {
    status,
    temporal: temporalPart,
    database,
    worker,
    runners: {
      script: true,
      anthropic: providers.anthropic.authenticated === true,
      openai: providers.openai.authenticated === true,
      claudeCode: providers['claude-code'].installed && providers['claude-code'].authenticated !== false,
      acp: Object.values(providers.acp).some((a) => a.installed),
    },
    providers,
    github,
    runner,
    problems: healthProblems({ temporal: temporalPart, database, worker, github, runner }),
  };
}
