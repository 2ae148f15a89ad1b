/**
 * Clone by URL: `git clone --progress -- <url> <projects dir>/<name>` run by the console as a job
 * whose progress lands in `project_clones`, which the Projects page polls. Git runs as an argument
 * array (no shell), after `--`, without prompts and without the console's secrets; the URL it is
 * given carries no credentials (core/clone.ts refuses them), and every line stored or shown passes
 * `stripCredentialsInText`. A clone that succeeds is registered like a local path.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { cloneFailureOf, lastLine, parseCloneUrl } from '../../core/clone.js';
import { newId } from '../../core/ids.js';
import { stripCredentialsInText } from '../../core/remote-url.js';
import type { Db } from '../../db/client.js';
import { getProjectClone, insertProjectClone, updateProjectClone } from '../../db/queries/project-clones.js';
import type { ProjectClone } from '../../db/schema.js';
import { childEnv } from './env.js';
import { DomainError } from './errors.js';
import { registerProject } from './projects.js';

export const startCloneInputSchema = z
  .object({
    url: z.string().superRefine((url, ctx) => {
      const r = parseCloneUrl(url);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
    }),
  })
  .strict();
export type StartCloneInput = z.input<typeof startCloneInputSchema>;

/** @default 1800000 A clone that takes longer is stopped and reported. */
const CLONE_TIMEOUT_MS = 30 * 60_000;
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 250;
/** A `running` row not updated for this long belongs to a console that stopped mid-clone. */
const STALE_MS = 2 * 60_000;

/**
 * Validates the URL (422 naming `url`) and the target (409 when it exists), records the job and
 * starts git; resolves with the `running` row. `onDone` is for tests and logs.
 */
export function startClone({
  db,
  projectsDir,
  input,
  onDone,
}: {
  db: Db;
  projectsDir: string;
  input: StartCloneInput;
  onDone?: (row: ProjectClone) => void;
}): ProjectClone {
  const { url } = startCloneInputSchema.parse(input);
  const parsed = parseCloneUrl(url);
  if (!parsed.ok) throw new Error('unreachable: validated above');
  const targetPath = path.join(projectsDir, parsed.dirName);
  if (fs.existsSync(targetPath))
    throw new DomainError(
      'CloneTargetExists',
      `${targetPath} already exists; register it by path, or remove it first.`,
    );
  fs.mkdirSync(projectsDir, { recursive: true });
  const id = newId('cln', Date.now(), Math.random);
  insertProjectClone({
    db,
    row: { id, url: parsed.url, targetPath, status: 'running', progress: 'Starting git clone…' },
  });

  const child = spawn('git', ['clone', '--progress', '--', parsed.url, targetPath], {
    env: {
      ...childEnv(),
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=15',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: CLONE_TIMEOUT_MS,
  });
  let stderr = '';
  let lastWrite = 0;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16_000);
    if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = Date.now();
    const line = lastLine(stderr);
    if (line) updateProjectClone({ db, id, set: { progress: stripCredentialsInText(line) } });
  });
  const finish = (set: Partial<ProjectClone>) => {
    updateProjectClone({ db, id, set });
    onDone?.(getClone(db, id));
  };
  child.on('error', (err) => finish({ status: 'failed', errorCode: 'clone_failed', error: err.message }));
  child.on('close', (code, signal) => {
    if (code !== 0) {
      const failure =
        signal !== null
          ? {
              code: 'clone_failed',
              message: `git clone was stopped (${signal}) after ${CLONE_TIMEOUT_MS / 60_000} min`,
            }
          : cloneFailureOf(stderr);
      finish({ status: 'failed', errorCode: failure.code, error: stripCredentialsInText(failure.message) });
      return;
    }
    registerProject(db, { path: targetPath }).then(
      (project) => finish({ status: 'succeeded', progress: 'Cloned', projectId: project.id }),
      (err: unknown) =>
        finish({
          status: 'failed',
          errorCode: 'clone_failed',
          error: `cloned, but not registered: ${String(err)}`,
        }),
    );
  });
  return getClone(db, id);
}

/** The job as the page shows it; a `running` row nobody updates any more reads as failed. */
export function getClone(db: Db, id: string): ProjectClone {
  const row = getProjectClone({ db, id });
  if (!row) throw new DomainError('ProjectNotFound', `No clone with id ${id}.`);
  if (row.status === 'running' && Date.now() - row.updatedAt > STALE_MS)
    return {
      ...row,
      status: 'failed',
      errorCode: 'clone_failed',
      error: 'the console stopped during the clone',
    };
  return row;
}
