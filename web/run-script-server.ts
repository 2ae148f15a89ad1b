/**
 * The run script's owner: at most one long-running dev server per workspace, started in its
 * worktree by the console's process (web/server.ts, like the terminal), with the environment of
 * core/run-script.ts (the terminal's allowlist plus `PORT`). Route handlers reach it through
 * web/lib/run-script-host.ts.
 *
 * Lifetime. The script runs as `/bin/sh -c <approved text>` under activities/process-guard.mjs,
 * the leader of a new process group that SIGKILLs the whole group the moment this process dies
 * (SIGKILL included: it watches a pipe only we hold). Stop sends SIGTERM to the group (the guard
 * ignores it and ends with its command) and SIGKILL after `RUN_STOP_GRACE_MS`. The group is also
 * recorded in `$RATCHET_HOME/run-scripts/<workspace id>.json` while it lives; at start-up a record
 * left by a console that died is read and its group killed if its leader is still the recorded
 * process (same start time) or its members outlived the leader. Archiving the workspace (or its
 * worktree disappearing) stops the run within `WATCH_MS`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProcStat } from '../core/proc-stat.js';
import {
  RUN_STOP_GRACE_MS,
  STOPPED_RUN,
  appendTail,
  exitText,
  plainOutput,
  runRecordSchema,
  runScriptEnv,
  runUrl,
  type RunRecord,
  type RunView,
} from '../core/run-script.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';
import { db } from './lib/db.js';
import { parentEnv } from './lib/env.js';
import type { RunPlan, RunScriptHost, StartRunResult } from './lib/run-script-host.js';
import { isArchived } from './lib/workspaces.js';

/**
 * The parent-death watchdog the worker's long processes use. Started as a program (not imported),
 * so the console shares its behaviour without depending on the activities layer's code.
 */
const GUARD = fileURLToPath(new URL('../activities/process-guard.mjs', import.meta.url));
/** How often running runs' workspaces are re-read (archived? worktree gone?). @default 1000 */
const WATCH_MS = 1000;
/** A comment line keeps idle output streams (and proxies) open. @default 15000 */
const KEEPALIVE_MS = 15_000;

interface Entry {
  view: RunView;
  /** Plain-text output tail (escapes removed) and how many characters were ever written. */
  tail: string;
  total: number;
  child: ChildProcess | null;
  killTimer: NodeJS.Timeout | null;
  ended: Promise<void>;
}

/** Start time of a live process in clock ticks since boot (Linux), or null. */
function startTicks(pid: number): string | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTicks ?? null;
  } catch {
    return null;
  }
}

/** Live (not zombie) members of a process group (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^[0-9]+$/.test(e));
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    try {
      const st = parseProcStat(fs.readFileSync(`/proc/${e}/stat`, 'utf8'));
      return st && st.pgid === pgid && st.state !== 'Z' ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/**
 * Kills the groups recorded by a console that did not stop them (it died), when they are still
 * ours, and forgets every record. Returns the workspace ids whose group was killed.
 */
export function reapStaleRuns(dir: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const killed: string[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    let rec: RunRecord | null = null;
    try {
      const parsed = runRecordSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      rec = parsed.success ? parsed.data : null;
    } catch {
      rec = null;
    }
    if (rec) {
      const now = startTicks(rec.pgid);
      // A live leader with another start time is a recycled pid: not ours. A dead leader with live
      // members: the pgid cannot be reused while any member exists, so they are ours.
      const ours =
        rec.startTicks !== null &&
        (now === rec.startTicks || (now === null && groupMembers(rec.pgid).length > 0));
      if (ours) {
        signalGroup(rec.pgid, 'SIGKILL');
        killed.push(rec.workspaceId);
      }
    }
    fs.rmSync(file, { force: true });
  }
  return killed;
}

/** Why a running workspace's run must stop now, or null. */
function stopReason(workspaceId: string): string | null {
  const row = getWorkspaceById({ db: db(), id: workspaceId });
  if (!row) return 'the workspace is gone';
  if (isArchived(row)) return 'the workspace was archived';
  if (!fs.existsSync(row.worktreePath)) return 'the worktree is gone';
  return null;
}

export interface RunScriptServer extends RunScriptHost {
  /** Ends every run (the console is stopping): SIGTERM now; the guard kills the rest when we exit. */
  close(): void;
}

/** Creates the owner; first reaps the groups a dead console left behind (see the file comment). */
export function createRunScriptServer({ recordDir }: { recordDir: string }): RunScriptServer {
  const reaped = reapStaleRuns(recordDir);
  if (reaped.length > 0)
    process.stdout.write(`run scripts: killed ${reaped.length} left by a previous console\n`);
  const entries = new Map<string, Entry>();
  const subscribers = new Map<string, Set<(frame: string) => void>>();
  let watcher: NodeJS.Timeout | null = null;

  const recordFile = (workspaceId: string) => path.join(recordDir, `${workspaceId}.json`);
  const broadcast = (workspaceId: string, event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const send of subscribers.get(workspaceId) ?? []) send(frame);
  };
  const write = (workspaceId: string, e: Entry, raw: string) => {
    const text = plainOutput(raw);
    if (!text) return;
    e.tail = appendTail(e.tail, text);
    e.total += text.length;
    broadcast(workspaceId, 'output', { text, total: e.total });
  };
  const running = () => [...entries].filter(([, e]) => e.child !== null);

  const stopWatching = () => {
    if (watcher && running().length === 0) {
      clearInterval(watcher);
      watcher = null;
    }
  };
  const watch = () => {
    for (const [id, e] of running()) {
      const why = stopReason(id);
      if (why && e.view.status === 'running') {
        write(id, e, `\n[stopping: ${why}]\n`);
        void stop(id);
      }
    }
  };

  const start = (plan: RunPlan): StartRunResult => {
    const current = entries.get(plan.workspaceId);
    if (current?.child) return { ok: false, reason: 'running', view: current.view };
    fs.mkdirSync(recordDir, { recursive: true, mode: 0o700 });
    const child: ChildProcess = spawn(process.execPath, [GUARD, '0', '/bin/sh', '-c', plan.script], {
      cwd: plan.cwd,
      env: runScriptEnv(parentEnv(), { cwd: plan.cwd, port: plan.port }) as NodeJS.ProcessEnv,
      detached: true,
      // fd 3 is the guard's lifeline: a pipe whose other end only this process holds.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid ?? null;
    let resolveEnded = () => {};
    const entry: Entry = {
      view: {
        status: 'running',
        pid,
        port: plan.port,
        url: runUrl(plan.port),
        startedAt: Date.now(),
        endedAt: null,
        exitCode: null,
        signal: null,
      },
      tail: '',
      total: 0,
      child,
      killTimer: null,
      ended: new Promise<void>((r) => (resolveEnded = r)),
    };
    entries.set(plan.workspaceId, entry);
    if (pid !== null) {
      const rec: RunRecord = {
        workspaceId: plan.workspaceId,
        pgid: pid,
        startTicks: startTicks(pid),
        startedAt: entry.view.startedAt!,
      };
      fs.writeFileSync(recordFile(plan.workspaceId), JSON.stringify(rec), { mode: 0o600 });
    }
    write(
      plan.workspaceId,
      entry,
      `$ ${plan.script.split('\n')[0]}${plan.script.includes('\n') ? ' …' : ''}\n` +
        (plan.port !== null ? `[PORT=${plan.port}]\n` : ''),
    );
    child.stdout?.setEncoding('utf8').on('data', (c: string) => write(plan.workspaceId, entry, c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => write(plan.workspaceId, entry, c));
    // The lifeline is never written; an error on it must not crash the console.
    (child.stdio[3] as NodeJS.WritableStream | null)?.on('error', () => {});
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (entry.child === null) return;
      entry.child = null;
      if (pid !== null) signalGroup(pid, 'SIGKILL'); // whatever the script left in its group
      if (entry.killTimer) clearTimeout(entry.killTimer);
      fs.rmSync(recordFile(plan.workspaceId), { force: true });
      entry.view = { ...entry.view, status: 'stopped', endedAt: Date.now(), exitCode: code, signal };
      write(plan.workspaceId, entry, `\n[${exitText(code, signal)}]\n`);
      broadcast(plan.workspaceId, 'state', entry.view);
      resolveEnded();
      stopWatching();
    };
    // Output may still be in the pipes when the guard exits: finish once they close (the group is
    // killed first, so they do), or after a second if something that escaped the group holds them.
    child.once('exit', (code, signal) => {
      if (pid !== null) signalGroup(pid, 'SIGKILL');
      const late = setTimeout(() => finish(code, signal), 1000);
      child.once('close', () => {
        clearTimeout(late);
        finish(code, signal);
      });
    });
    child.once('error', (err) => {
      write(plan.workspaceId, entry, `\n[could not start: ${err.message}]\n`);
      finish(null, null);
    });
    watcher ??= setInterval(watch, WATCH_MS);
    broadcast(plan.workspaceId, 'state', entry.view);
    return { ok: true, view: entry.view };
  };

  const stop = async (workspaceId: string): Promise<RunView> => {
    const e = entries.get(workspaceId);
    if (!e?.child) return e?.view ?? STOPPED_RUN;
    const pid = e.view.pid;
    if (e.view.status === 'running' && pid !== null) {
      e.view = { ...e.view, status: 'stopping' };
      broadcast(workspaceId, 'state', e.view);
      signalGroup(pid, 'SIGTERM');
      e.killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), RUN_STOP_GRACE_MS);
    }
    await e.ended;
    return e.view;
  };

  const subscribe = (workspaceId: string, send: (frame: string) => void) => {
    const e = entries.get(workspaceId);
    send(
      `event: reset\ndata: ${JSON.stringify({ text: e?.tail ?? '', total: e?.total ?? 0, state: e?.view ?? STOPPED_RUN })}\n\n`,
    );
    let set = subscribers.get(workspaceId);
    if (!set) subscribers.set(workspaceId, (set = new Set()));
    set.add(send);
    const keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
    return () => {
      clearInterval(keepalive);
      set.delete(send);
      if (set.size === 0) subscribers.delete(workspaceId);
    };
  };

  return {
    start,
    stop,
    subscribe,
    view: (workspaceId) => entries.get(workspaceId)?.view ?? STOPPED_RUN,
    close: () => {
      if (watcher) clearInterval(watcher);
      watcher = null;
      for (const [, e] of running()) if (e.view.pid !== null) signalGroup(e.view.pid, 'SIGTERM');
    },
  };
}
