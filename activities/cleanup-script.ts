/**
 * The project's cleanup script (`.ratchet/config.json` → `cleanup`, or one set on the Projects
 * page), run by the archive activity (activities/git.ts `archiveWorktree`) in the worktree just
 * before it is removed. Inside that activity, not as a workflow step, so no workflow history
 * changes. Only an approved exact text runs; an unapproved one is noted on the timeline and
 * skipped. A failure or a timeout is recorded and never blocks the archive. A cleanup that
 * finished is recorded under one dedupe key per workspace, so a retried archive does not run it
 * again (and one whose worktree is already gone never gets here).
 */
import { Context } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { getScriptTrust } from '../db/queries/script-trust.js';
import { appendEvent, hasEventWithKey } from '../db/queries/workspaces.js';
import { scriptEnv, type Env } from '../core/child-env.js';
import { runProcess } from './process.js';
import { effectiveScript, projectOfWorkspace, readProjectConfig, scriptSha256 } from './setup.js';

/** @default 120000 A cleanup script that runs longer is killed (its whole process group). */
export const CLEANUP_TIMEOUT_MS = 120_000;
const CHUNK_FLUSH_MS = 500;

export type CleanupStatus =
  'no_script' | 'already_ran' | 'invalid_config' | 'not_trusted' | 'succeeded' | 'failed' | 'timed_out';

export interface CleanupInput {
  workspaceId: string;
  worktreePath: string;
  heartbeat?: () => void;
}

export type CleanupRunner = (input: CleanupInput) => Promise<CleanupStatus>;

/** The attempt number when called inside an activity (1 outside one). */
function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function createCleanupRunner({
  db,
  env,
  timeoutMs = CLEANUP_TIMEOUT_MS,
}: {
  db: Db;
  /** The worker's environment, captured once at start-up (the script gets its `script` profile). */
  env: Env;
  /** @default CLEANUP_TIMEOUT_MS */
  timeoutMs?: number;
}): CleanupRunner {
  return async ({ workspaceId, worktreePath, heartbeat }) => {
    const base = `cleanup/${workspaceId}`;
    const endKey = `${base}/end`;
    // It finished in an earlier attempt (which then failed to remove the worktree): not again.
    if (hasEventWithKey({ db, dedupeKey: endKey })) return 'already_ran';
    const run = `${base}/attempt-${attempt()}`;
    const event = (key: string, kind: string, message: string, level: 'info' | 'warn' | 'error' = 'info') =>
      appendEvent({ db, event: { workspaceId, kind, level, message, data: null, dedupeKey: key } });

    const projectId = projectOfWorkspace(db, workspaceId);
    const cfg = readProjectConfig(worktreePath);
    const { script, source } = effectiveScript(db, projectId, cfg.ok ? cfg.config : {}, 'cleanup');
    if (!cfg.ok && source === 'repository') {
      event(endKey, 'cleanup.failed', `Cleanup not run: ${cfg.error}`, 'warn');
      return 'invalid_config';
    }
    if (!script || projectId === null) return 'no_script';
    const sha256 = scriptSha256(script);
    if (getScriptTrust({ db, projectId, kind: 'cleanup', sha256 })?.decision !== 'approved') {
      event(
        endKey,
        'cleanup.skipped',
        `The cleanup script (sha256 ${sha256.slice(0, 12)}…) is not approved for this project; not running it. Approve it on the project page.`,
        'warn',
      );
      return 'not_trusted';
    }

    event(`${run}/start`, 'cleanup.started', `Running cleanup before removing the worktree: ${script}`);
    let buffer = '';
    let chunkNo = 0;
    let lastFlush = Date.now();
    const flush = () => {
      if (!buffer) return;
      event(`${run}/out-${chunkNo++}`, 'cleanup.output', buffer.length > 8000 ? buffer.slice(-8000) : buffer);
      buffer = '';
    };
    // The project's own code: the `script` profile (no model or GitHub secrets).
    const res = await runProcess('/bin/sh', ['-c', script], {
      cwd: worktreePath,
      env: scriptEnv(env, { worktree: worktreePath }),
      timeoutMs,
      onOutput: (c) => {
        buffer += c;
        if (Date.now() - lastFlush > CHUNK_FLUSH_MS || buffer.length > 8000) {
          flush();
          lastFlush = Date.now();
        }
      },
      onTick: heartbeat,
    }).catch((err: unknown) => {
      event(endKey, 'cleanup.failed', `Cleanup could not start: ${(err as Error).message}`, 'warn');
      return null;
    });
    if (res === null) return 'failed';
    flush();
    if (res.timedOut) {
      event(
        endKey,
        'cleanup.failed',
        `Cleanup timed out after ${Math.round(timeoutMs / 1000)} s; archiving anyway`,
        'warn',
      );
      return 'timed_out';
    }
    if (res.code !== 0) {
      event(endKey, 'cleanup.failed', `Cleanup exited with code ${res.code}; archiving anyway`, 'warn');
      return 'failed';
    }
    event(endKey, 'cleanup.succeeded', `Cleanup finished in ${(res.durationMs / 1000).toFixed(1)} s`);
    return 'succeeded';
  };
}
