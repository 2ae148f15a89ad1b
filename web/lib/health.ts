/**
 * `/api/health`: what works, what does not, and why. Each probe has its own deadline so one hung
 * dependency cannot hang the report. Secrets are reported as present/absent only.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { RatchetConfig } from '../../core/config.js';
import type { Db } from '../../db/client.js';
import { checkProviders, type ProvidersReport } from './provider-health.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  temporal: { ok: boolean; address: string | null; namespace: string; error?: string };
  database: { ok: boolean; file: string; migrations: number; error?: string };
  worker: { ok: boolean; pollers: number; error?: string };
  /** Usable runners: installed and with credentials (an ACP runner when any ACP agent is installed). */
  runners: { script: true; anthropic: boolean; openai: boolean; claudeCode: boolean; acp: boolean };
  /** Per runner and per ACP agent: installed, authenticated, and what was found. */
  providers: ProvidersReport;
  github: { auth: 'token' | 'gh' | 'missing' };
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

const ghCache = globalThis as unknown as { __ratchetGhAuth?: { at: number; ok: boolean } };

/** `gh auth token` succeeds when gh is logged in; the token itself is discarded. Cached 30 s. */
function ghLoggedIn(env: NodeJS.ProcessEnv): Promise<boolean> {
  const hit = ghCache.__ratchetGhAuth;
  if (hit && Date.now() - hit.at < 30_000) return Promise.resolve(hit.ok);
  if (!onPath('gh', env.PATH)) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('gh', ['auth', 'token'], { timeout: PROBE_TIMEOUT_MS, env }, (err: Error | null) => {
      ghCache.__ratchetGhAuth = { at: Date.now(), ok: !err };
      resolve(!err);
    });
  });
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
  processEnv: NodeJS.ProcessEnv;
}): Promise<HealthReport> {
  const database = checkDatabase(db, config.dbFile);
  const { address, namespace } = config.temporal;
  let temporalPart: HealthReport['temporal'] = { ok: false, address, namespace };
  let worker: HealthReport['worker'] = { ok: false, pollers: 0 };
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
          ? { ok: true, pollers }
          : {
              ok: false,
              pollers,
              error: `No worker polled task queue "${config.taskQueue}" in the last minute.`,
            };
    } catch (err) {
      worker = { ok: false, pollers: 0, error: message(err) };
    }
  } catch (err) {
    temporalPart = { ok: false, address, namespace, error: message(err) };
    worker = { ok: false, pollers: 0, error: 'Temporal is unreachable.' };
  }
  const env = config.env;
  const github: HealthReport['github'] = {
    auth: env.GITHUB_TOKEN || env.GH_TOKEN ? 'token' : (await ghLoggedIn(processEnv)) ? 'gh' : 'missing',
  };
  const providers = await checkProviders(config, processEnv);
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
  };
}
