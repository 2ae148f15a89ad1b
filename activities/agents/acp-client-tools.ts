/**
 * The file-system and terminal methods an ACP agent may call on its client (`fs/*`,
 * `terminal/*`), served with the same confinement as Ratchet's own tools: every path goes through
 * `openInside` (realpath, symlink and `.git` checks on the opened descriptor), a terminal runs in
 * the worktree with the sandbox's allowlisted environment under the parent-death watchdog, and
 * plan mode refuses every write and command. Refusals are JSON-RPC errors the agent sees.
 */
import path from 'node:path';
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { AgentMode } from '../../core/agent.js';
import { spawnWatched, type WatchedProcess } from '../process.js';
import { buildAgentEnv, secretRedactor, type Env } from './sandbox-env.js';
import { isWithin, openInside } from './tools/index.js';

interface Terminal {
  proc: WatchedProcess;
  output: string;
  truncated: boolean;
  limit: number;
  exit: { exitCode: number | null; signal: string | null } | null;
}

export interface ClientTools {
  readTextFile(p: {
    path: string;
    line?: number | null;
    limit?: number | null;
  }): Promise<{ content: string }>;
  writeTextFile(p: { path: string; content: string }): Promise<Record<string, never>>;
  createTerminal(p: {
    command: string;
    args?: string[];
    env?: { name: string; value: string }[];
    cwd?: string | null;
    outputByteLimit?: number | null;
  }): { terminalId: string };
  terminalOutput(id: string): {
    output: string;
    truncated: boolean;
    exitStatus?: { exitCode: number | null; signal: string | null };
  };
  waitForExit(id: string): Promise<{ exitCode: number | null; signal: string | null }>;
  killTerminal(id: string): void;
  releaseTerminal(id: string): void;
  /** Kills every terminal still running (the turn is over). */
  closeAll(): void;
}

const DEFAULT_TERMINAL_BYTES = 1_000_000;

export function createClientTools(opts: { worktree: string; mode: AgentMode; env: Env }): ClientTools {
  const terminals = new Map<string, Terminal>();
  const redact = secretRedactor(opts.env);
  let next = 0;
  const refuse = (message: string) => new RequestError(-32602, message);
  const get = (id: string): Terminal => {
    const t = terminals.get(id);
    if (!t) throw RequestError.resourceNotFound(id);
    return t;
  };
  return {
    async readTextFile({ path: p, line, limit }) {
      const opened = await openInside(opts.worktree, p, 'read');
      // A missing file is the protocol's "Resource not found" (-32002), which agents test for
      // (Gemini CLI reads it as ENOENT and creates the file); other refusals are invalid params.
      if (!opened.ok && opened.type === 'not_found') throw RequestError.resourceNotFound(p);
      if (!opened.ok) throw refuse(opened.message);
      try {
        const text = await opened.handle.readFile('utf8');
        if (!line && !limit) return { content: redact(text) };
        const lines = text.split('\n');
        const from = Math.max(0, (line ?? 1) - 1);
        return { content: redact(lines.slice(from, limit ? from + limit : undefined).join('\n')) };
      } finally {
        await opened.handle.close();
      }
    },
    async writeTextFile({ path: p, content }) {
      if (opts.mode === 'plan') throw refuse('plan mode is read-only: writes are refused');
      const opened = await openInside(opts.worktree, p, 'write');
      if (!opened.ok) throw refuse(opened.message);
      try {
        await opened.handle.truncate(0);
        await opened.handle.write(content, 0, 'utf8');
      } finally {
        await opened.handle.close();
      }
      return {};
    },
    createTerminal({ command, args = [], env = [], cwd, outputByteLimit }) {
      if (opts.mode === 'plan') throw refuse('plan mode is read-only: commands are refused');
      const dir = cwd ? path.resolve(opts.worktree, cwd) : opts.worktree;
      if (!isWithin(path.resolve(opts.worktree), dir))
        throw refuse(`cwd ${JSON.stringify(cwd)} is outside the worktree`);
      let childEnv;
      try {
        childEnv = buildAgentEnv(opts.env, Object.fromEntries(env.map((e) => [e.name, e.value])));
      } catch (err) {
        throw refuse((err as Error).message);
      }
      const proc = spawnWatched(command, args, { cwd: dir, env: childEnv });
      const id = `term-${++next}`;
      const t: Terminal = {
        proc,
        output: '',
        truncated: false,
        limit: outputByteLimit ?? DEFAULT_TERMINAL_BYTES,
        exit: null,
      };
      const onData = (c: Buffer) => {
        t.output += c.toString('utf8');
        if (Buffer.byteLength(t.output) > t.limit) {
          t.output = t.output.slice(t.output.length - t.limit);
          t.truncated = true;
        }
      };
      proc.child.stdout.on('data', onData);
      proc.child.stderr.on('data', onData);
      proc.child.stdin.end();
      void proc.exited.then(({ code, signal }) => {
        t.exit = { exitCode: code, signal };
      });
      terminals.set(id, t);
      return { terminalId: id };
    },
    terminalOutput(id) {
      const t = get(id);
      return { output: redact(t.output), truncated: t.truncated, ...(t.exit ? { exitStatus: t.exit } : {}) };
    },
    async waitForExit(id) {
      const t = get(id);
      const { code, signal } = await t.proc.exited;
      return { exitCode: code, signal };
    },
    killTerminal(id) {
      get(id).proc.kill();
    },
    releaseTerminal(id) {
      const t = get(id);
      t.proc.kill();
      terminals.delete(id);
    },
    closeAll() {
      for (const t of terminals.values()) t.proc.kill();
      terminals.clear();
    },
  };
}
