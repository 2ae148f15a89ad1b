/**
 * Runs the project's setup script (`.ratchet/config.json` → `setup`) in a fresh worktree, once the
 * person trusts it (`checkScriptTrust`, `recordScriptTrust`; see core/script-trust.ts). Output
 * streams into the timeline in chunks; a failure or timeout is reported, never fatal: the
 * workspace continues (the agent can often repair a broken setup itself).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client.js';
import { appendEvent, getWorkspaceById } from '../db/queries/workspaces.js';
import { ErrorTypes } from '../core/errors.js';
import { formatZodIssues } from '../core/config.js';
import {
  sha256Schema,
  type ScriptKind,
  type ScriptTrustCheck,
  type TrustDecision,
} from '../core/script-trust.js';
import { getScriptTrust, recordScriptTrust } from '../db/queries/script-trust.js';
import { consoleScript, readProjectScripts } from '../core/project-policy.js';
import { getProjectScripts } from '../db/queries/projects.js';
import { runProcess } from './process.js';
import { scriptEnv, type Env } from '../core/child-env.js';
import { keys } from '../core/ids.js';

/** @default 16384 The longest script a person is asked to read and approve. */
export const SCRIPT_MAX_CHARS = 16_384;

export const projectConfigSchema = z
  .object({
    /**
     * Shell command run in the worktree after it is created, once trusted. Capped: the text travels
     * through the workflow's history and onto the trust card, and a person must be able to read it.
     */
    setup: z
      .string()
      .min(1)
      .max(SCRIPT_MAX_CHARS, `must be at most ${SCRIPT_MAX_CHARS} characters`)
      .optional(),
    /** @default 600 */
    setupTimeoutSec: z.number().int().positive().max(7200).optional(),
    /** A long-running dev server, started per workspace from the console (web/run-script-server.ts). */
    run: z.string().max(SCRIPT_MAX_CHARS, `must be at most ${SCRIPT_MAX_CHARS} characters`).optional(),
    /** The port the run script's server listens on; it gets it as `PORT`. */
    runPort: z.number().int().min(1).max(65_535).optional(),
    /** Run in the worktree when the workspace is archived, before the worktree is removed. */
    cleanup: z.string().max(SCRIPT_MAX_CHARS, `must be at most ${SCRIPT_MAX_CHARS} characters`).optional(),
  })
  .passthrough();
export type ProjectConfig = z.infer<typeof projectConfigSchema>;

export type ProjectConfigResult = { ok: true; config: ProjectConfig } | { ok: false; error: string };

export function readProjectConfig(worktreePath: string): ProjectConfigResult {
  const file = path.join(worktreePath, '.ratchet', 'config.json');
  if (!fs.existsSync(file)) return { ok: true, config: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, error: `.ratchet/config.json is not valid JSON: ${(err as Error).message}` };
  }
  const parsed = projectConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: formatZodIssues(parsed.error, '.ratchet/config.json') };
  return { ok: true, config: parsed.data };
}

/** Lowercase hex sha256 of the script's UTF-8 text: the key trust is recorded against. */
export function scriptSha256(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** The script of `kind` in the config; blank counts as none. */
function scriptOf(config: ProjectConfig, kind: ScriptKind): string | undefined {
  const s = config[kind];
  return s !== undefined && s.trim() !== '' ? s : undefined;
}

/**
 * The script that runs: one set on the Projects page replaces the repository's of that kind.
 * Either way its exact text must be trusted first.
 */
export function effectiveScript(
  db: Db,
  projectId: string | null,
  config: ProjectConfig,
  kind: ScriptKind,
): { script: string | undefined; source: 'console' | 'repository' } {
  if (projectId !== null) {
    const fromConsole = consoleScript(readProjectScripts(getProjectScripts({ db, id: projectId })), kind);
    if (fromConsole !== undefined) return { script: fromConsole, source: 'console' };
  }
  return { script: scriptOf(config, kind), source: 'repository' };
}

export function projectOfWorkspace(db: Db, workspaceId: string): string | null {
  return getWorkspaceById({ db, id: workspaceId })?.projectId ?? null;
}

export interface SetupResult {
  /** `not_trusted`: the text in the worktree is not the one approved (changed in between); not run. */
  status: 'skipped' | 'succeeded' | 'failed' | 'timed_out' | 'invalid_config' | 'not_trusted';
  exitCode: number | null;
  durationMs: number;
}

const CHUNK_FLUSH_MS = 500;

export function createSetupActivities({
  db,
  parentEnv,
}: {
  db: Db;
  /** The worker's environment, captured once at start-up (the scripts get its `script` profile). */
  parentEnv: Env;
}) {
  return {
    /** Reads the worktree's script of `kind` and says whether this project trusts that exact text. Reads only. */
    async checkScriptTrust(input: {
      projectId: string;
      worktreePath: string;
      kind: ScriptKind;
    }): Promise<ScriptTrustCheck> {
      const cfg = readProjectConfig(input.worktreePath);
      const { script, source } = effectiveScript(db, input.projectId, cfg.ok ? cfg.config : {}, input.kind);
      // A broken config file matters only when the script would come from it.
      if (!cfg.ok && source === 'repository') return { state: 'invalid_config', error: cfg.error };
      if (!script) return { state: 'no_script' };
      const sha256 = scriptSha256(script);
      const row = getScriptTrust({ db, projectId: input.projectId, kind: input.kind, sha256 });
      if (row?.decision === 'approved') return { state: 'trusted', kind: input.kind, sha256 };
      return {
        state: 'untrusted',
        kind: input.kind,
        sha256,
        script,
        previously: (row?.decision as TrustDecision | undefined) ?? null,
      };
    },

    /** Records the person's decision on this exact text; the text must hash to `sha256`. Idempotent. */
    async recordScriptTrust(input: {
      projectId: string;
      workspaceId: string;
      kind: ScriptKind;
      sha256: string;
      script: string;
      decision: TrustDecision;
    }): Promise<void> {
      sha256Schema.parse(input.sha256);
      if (scriptSha256(input.script) !== input.sha256) {
        throw ApplicationFailure.nonRetryable(
          `the ${input.kind} script does not hash to ${input.sha256}`,
          ErrorTypes.ConfigInvalid,
        );
      }
      recordScriptTrust({
        db,
        row: {
          projectId: input.projectId,
          kind: input.kind,
          sha256: input.sha256,
          script: input.script,
          decision: input.decision,
          workspaceId: input.workspaceId,
        },
      });
    },

    /**
     * Runs the setup script. With `trustedSha256` (every workspace since the `script-trust` patch)
     * it runs only a script with exactly that hash: a text that changed after the check is not run.
     */
    async runSetupScript(input: {
      workspaceId: string;
      worktreePath: string;
      defaultTimeoutMs: number;
      trustedSha256?: string;
    }): Promise<SetupResult> {
      const ctx = Context.current();
      const event = (
        seq: string,
        kind: string,
        message: string,
        level: 'info' | 'warn' | 'error' = 'info',
        data?: unknown,
      ) =>
        appendEvent({
          db,
          event: {
            workspaceId: input.workspaceId,
            kind,
            level,
            message,
            data: data ?? null,
            dedupeKey: keys.setupEvent(ctx.info.workflowExecution?.workflowId, ctx.info.attempt, seq),
          },
        });

      const cfg = readProjectConfig(input.worktreePath);
      const { script, source } = effectiveScript(
        db,
        projectOfWorkspace(db, input.workspaceId),
        cfg.ok ? cfg.config : {},
        'setup',
      );
      if (!cfg.ok && source === 'repository') {
        event('invalid', 'setup.failed', cfg.error, 'error');
        return { status: 'invalid_config', exitCode: null, durationMs: 0 };
      }
      if (!script) {
        event('skipped', 'setup.skipped', 'No setup script in .ratchet/config.json');
        return { status: 'skipped', exitCode: null, durationMs: 0 };
      }
      if (input.trustedSha256 !== undefined && scriptSha256(script) !== input.trustedSha256) {
        event(
          'untrusted',
          'setup.skipped',
          'The setup script changed after it was checked; not running it',
          'warn',
        );
        return { status: 'not_trusted', exitCode: null, durationMs: 0 };
      }
      const timeoutMs =
        cfg.ok && cfg.config.setupTimeoutSec ? cfg.config.setupTimeoutSec * 1000 : input.defaultTimeoutMs;
      event('start', 'setup.started', `Running setup: ${script}`, 'info', { attempt: ctx.info.attempt });

      let buffer = '';
      let chunkNo = 0;
      const flush = () => {
        if (!buffer) return;
        event(
          keys.setupOutputStep(chunkNo++),
          'setup.output',
          buffer.length > 8000 ? buffer.slice(-8000) : buffer,
        );
        buffer = '';
      };
      let lastFlush = Date.now();
      // The setup script is the project's own code: the `script` profile (no model or GitHub secrets).
      const res = await runProcess('/bin/sh', ['-c', script], {
        cwd: input.worktreePath,
        env: scriptEnv(parentEnv, { worktree: input.worktreePath }),
        timeoutMs,
        onOutput: (c) => {
          buffer += c;
          if (Date.now() - lastFlush > CHUNK_FLUSH_MS || buffer.length > 8000) {
            flush();
            lastFlush = Date.now();
          }
        },
        onTick: () => ctx.heartbeat(),
        signal: ctx.cancellationSignal,
      });
      flush();
      if (res.timedOut) {
        event(
          'end',
          'setup.failed',
          `Setup timed out after ${Math.round(timeoutMs / 1000)} s; continuing without it`,
          'warn',
        );
        return { status: 'timed_out', exitCode: null, durationMs: res.durationMs };
      }
      if (res.code !== 0) {
        event('end', 'setup.failed', `Setup exited with code ${res.code}; continuing without it`, 'warn', {
          exitCode: res.code,
        });
        return { status: 'failed', exitCode: res.code, durationMs: res.durationMs };
      }
      event('end', 'setup.succeeded', `Setup finished in ${(res.durationMs / 1000).toFixed(1)} s`);
      return { status: 'succeeded', exitCode: 0, durationMs: res.durationMs };
    },
  };
}

export type SetupActivities = ReturnType<typeof createSetupActivities>;
