/**
 * Records every activity retry in the workspace timeline, once per attempt, for any activity whose
 * input names a workspace (`workspaceId` or `spec.workspaceId`). One place, so git, setup and agent
 * activities all show their retries without each remembering to.
 */
import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { formatKillPoint, KillPointCounter, type KillPhase, type KillPoint } from '../core/kill-point.js';
import type { Db } from '../db/client.js';
import { appendEvent } from '../db/queries/workspaces.js';
import { InflightInterceptor } from './inflight.js';
import { keys } from '../core/ids.js';

const LABELS: Record<string, string> = {
  createWorktree: 'Creating the worktree',
  runSetupScript: 'Setup script',
  runAgentTurn: 'Agent turn',
  commitTurn: 'Commit',
  pushBranch: 'Push',
  archiveWorktree: 'Archive',
};

function workspaceIdOf(arg: unknown): string | null {
  if (!arg || typeof arg !== 'object') return null;
  const a = arg as { workspaceId?: unknown; spec?: { workspaceId?: unknown } };
  if (typeof a.workspaceId === 'string') return a.workspaceId;
  if (typeof a.spec?.workspaceId === 'string') return a.spec.workspaceId;
  return null;
}

export class RetryTimelineInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly db: Db) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const info = Context.current().info;
    const workspaceId = workspaceIdOf(input.args[0]);
    if (info.attempt > 1 && workspaceId) {
      const label = LABELS[info.activityType] ?? info.activityType;
      const turn = (input.args[0] as { turn?: unknown }).turn;
      try {
        appendEvent({
          db: this.db,
          event: {
            workspaceId,
            kind: 'activity.retry',
            level: 'warn',
            message: `${label}${typeof turn === 'number' ? ` ${turn}` : ''}: attempt ${info.attempt} (the previous attempt was interrupted or failed)`,
            data: { activityType: info.activityType, attempt: info.attempt },
            dedupeKey: keys.activityRetry(
              info.workflowExecution?.workflowId,
              info.workflowExecution?.runId,
              info.activityId,
              info.attempt,
            ),
          },
        });
      } catch {
        // The timeline is a view; never fail the activity over it (e.g. the row is not written yet).
      }
    }
    return next(input);
  }
}

/**
 * The kill matrix's point (`RATCHET_TEST_KILL_AT`, test only): a real SIGKILL of this process at
 * the start of the Nth activity (before its code runs) or at its end (its code has run, its result
 * is not reported). One line on stderr first says where, for the soak's table.
 */
export class KillPointInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly counter: KillPointCounter,
    private readonly point: KillPoint,
  ) {}

  private check(ordinal: number | null, phase: KillPhase): void {
    if (!this.counter.shouldKill(ordinal, phase)) return;
    const { activityType, attempt, activityId, workflowExecution } = Context.current().info;
    const where = `workflow=${workflowExecution?.workflowId} run=${workflowExecution?.runId} activityId=${activityId}`;
    fs.writeSync(
      2,
      `RATCHET_KILL_POINT ${formatKillPoint(this.point)} activity=${activityType} attempt=${attempt} ${where} at=${Date.now()}\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  }

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const ordinal = this.counter.begin(Context.current().info.activityType);
    this.check(ordinal, 'start');
    try {
      return await next(input);
    } finally {
      this.check(ordinal, 'end');
    }
  }
}

/**
 * The worker's interceptor set (also used by in-process test workers). `inflightDir` records
 * running activities for a successor (worker/inflight.ts; outermost, so a kill at an activity's
 * end still finds its record). `killAt` is the kill matrix's switch; it is counted once per
 * process, so a restarted worker without it never kills.
 */
export function workerInterceptors(
  db: Db,
  opts: { killAt?: KillPoint | undefined; inflightDir?: string | undefined } = {},
) {
  const { killAt, inflightDir } = opts;
  const counter = new KillPointCounter(killAt ?? null);
  return {
    activity: [
      ...(inflightDir ? [() => ({ inbound: new InflightInterceptor(inflightDir) })] : []),
      ...(killAt ? [() => ({ inbound: new KillPointInterceptor(counter, killAt) })] : []),
      () => ({ inbound: new RetryTimelineInterceptor(db) }),
    ],
  };
}
