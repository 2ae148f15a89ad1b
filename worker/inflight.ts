/**
 * Activities a dead worker left in flight. Temporal notices a lost activity only when a timeout
 * fires: the heartbeat timeout for agent turns and pushes, but the whole start-to-close timeout
 * (30 s to 2 min) for the short git, GitHub and store activities, and a poll cycle lost with its
 * worker stalls every watched PR that long. So each running activity leaves a small file under
 * `$RATCHET_HOME/inflight/` (task token, pid, the process's boot id), removed when it returns;
 * a worker starting up reports its dead predecessors' activities as failed (retryable
 * `WorkerLost`), and Temporal schedules their retries at once instead of waiting out the timeout.
 *
 * A file counts as orphaned only when its process is certainly gone: the same pid as this process
 * with another boot id (a container restart reuses pids), or a pid that no longer exists. A live
 * worker's activities (two workers sharing a home) are never touched. A token whose attempt has
 * already timed out is refused by the server (NotFound) and dropped. Worker loss spends what a
 * timeout spends: one attempt of the activity's retry policy (agent turns retry worker loss
 * without limit, core/agent-retry.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { keys } from '../core/ids.js';

/** What one file says about one running activity attempt. */
interface InflightRecord {
  pid: number;
  boot: string;
  taskToken: string;
  activityType: string;
  workflowId: string | undefined;
  activityId: string;
  attempt: number;
}

const BOOT = randomUUID();
let seq = 0;

export function inflightDir(home: string): string {
  return path.join(home, 'inflight');
}

export class InflightInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly dir: string) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const info = Context.current().info;
    const file = path.join(this.dir, keys.inflightFile(process.pid, BOOT, ++seq));
    const record: InflightRecord = {
      pid: process.pid,
      boot: BOOT,
      taskToken: Buffer.from(info.taskToken).toString('base64'),
      activityType: info.activityType,
      workflowId: info.workflowExecution?.workflowId,
      activityId: info.activityId,
      attempt: info.attempt,
    };
    let written = false;
    try {
      fs.writeFileSync(file, JSON.stringify(record));
      written = true;
    } catch {
      // Only a faster recovery is lost; the timeout still catches a dead worker.
    }
    try {
      return await next(input);
    } finally {
      if (written) fs.rmSync(file, { force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user has that pid; it is not ours to judge, so keep it "alive".
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OrphanReport {
  failed: { activityType: string; workflowId: string | undefined; attempt: number }[];
  /** Attempts the server had already closed (timed out, retried). */
  stale: number;
  errors: string[];
}

/** The part of the Temporal API this needs (a NativeConnection's `workflowService`). */
export interface ActivityFailer {
  respondActivityTaskFailed(req: {
    namespace: string;
    taskToken: Uint8Array;
    identity: string;
    failure: {
      message: string;
      source: string;
      applicationFailureInfo: { type: string; nonRetryable: boolean };
    };
  }): Promise<unknown>;
}

/** Fails every activity attempt a dead worker of this home left running. Never throws. */
export async function failOrphanedActivities({
  dir,
  service,
  namespace,
}: {
  dir: string;
  service: ActivityFailer;
  namespace: string;
}): Promise<OrphanReport> {
  const report: OrphanReport = { failed: [], stale: 0, errors: [] };
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const file = path.join(dir, name);
    let rec: InflightRecord;
    try {
      rec = JSON.parse(fs.readFileSync(file, 'utf8')) as InflightRecord;
    } catch {
      // A torn write of a worker killed mid-write: nothing to report with; the timeout covers it.
      fs.rmSync(file, { force: true });
      continue;
    }
    const dead = rec.pid === process.pid ? rec.boot !== BOOT : !alive(rec.pid);
    if (!dead) continue;
    try {
      await service.respondActivityTaskFailed({
        namespace,
        taskToken: Buffer.from(rec.taskToken, 'base64'),
        identity: `ratchet-worker-${process.pid}`,
        failure: {
          message: `worker ${rec.pid} died while this attempt ran (reported by its successor)`,
          source: 'TypeScriptSDK',
          applicationFailureInfo: { type: 'WorkerLost', nonRetryable: false },
        },
      });
      report.failed.push({
        activityType: rec.activityType,
        workflowId: rec.workflowId,
        attempt: rec.attempt,
      });
    } catch (err) {
      // NOT_FOUND (5): the attempt is already closed, by its timeout or a completion.
      if ((err as { code?: number }).code === 5) report.stale++;
      else report.errors.push(`${rec.activityType}: ${(err as Error).message}`);
    }
    fs.rmSync(file, { force: true });
  }
  return report;
}
