/**
 * The workspace terminal: a WebSocket upgrade on `/api/workspaces/:id/terminal` becomes a shell
 * (node-pty) in that workspace's worktree. Each socket is one shell (a browser tab of the terminal
 * panel opens one socket each), and the shell lives exactly as long as its socket: closing the
 * socket, the workspace being archived or its worktree disappearing kills it. There is no grace
 * period for reconnecting: a shell nobody sees would keep running commands in a worktree that may
 * be archived meanwhile, and a reload is cheap. Runs in the console's process (web/server.ts),
 * beside Next, since route handlers cannot take upgrades.
 */
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { spawn, type IPty } from 'node-pty';
import { WebSocket, WebSocketServer } from 'ws';
import {
  MAX_TERMINALS_PER_WORKSPACE,
  TERMINAL_CLOSE,
  parseTerminalMessage,
  terminalWorkspaceId,
} from '../core/terminal.js';
import { TOKEN_COOKIE, bearerToken, cookieValue, guardUpgrade } from '../core/web-guard.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';
import { db } from './lib/db.js';
import { terminalShell } from './lib/env.js';
import { guardState } from './lib/guard-state.js';
import { matchRoute } from './lib/route-table.js';
import { isArchived } from './lib/workspaces.js';

/** How often open terminals' workspaces are re-read (archived? worktree gone?). @default 1000 */
const WATCH_MS = 1000;
/** A socket that answers no ping for this long is dead; its shell is killed. @default 30000 */
const PING_MS = 30_000;
/** Output waits (the pty is paused) while this much is unsent to a slow browser. @default 1 MiB */
const HIGH_WATER = 1024 * 1024;
/** SIGHUP first (what closing a terminal sends); SIGKILL to the process group after this. */
const KILL_AFTER_MS = 2000;

interface Session {
  workspaceId: string;
  pty: IPty;
  socket: WebSocket;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
};

/** Answers an upgrade with a plain HTTP error (the same JSON body as every refusal) and hangs up. */
function refuse(socket: Duplex, status: number, type: string, message: string): void {
  const body = JSON.stringify({ error: { type, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

/** Why a workspace cannot have a terminal now, or its worktree path. */
function worktreeOf(
  workspaceId: string,
): { ok: true; path: string } | { ok: false; status: number; type: string; message: string } {
  const row = getWorkspaceById({ db: db(), id: workspaceId });
  if (!row)
    return { ok: false, status: 404, type: 'WorkspaceNotFound', message: `No workspace "${workspaceId}".` };
  if (isArchived(row))
    return {
      ok: false,
      status: 409,
      type: 'NotApplicable',
      message: `Workspace "${row.title}" is archived.`,
    };
  if (!fs.existsSync(row.worktreePath))
    return {
      ok: false,
      status: 409,
      type: 'NotApplicable',
      message: `The worktree ${row.worktreePath} does not exist.`,
    };
  return { ok: true, path: row.worktreePath };
}

function kill(pty: IPty): void {
  try {
    pty.kill('SIGHUP');
  } catch {
    return; // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-pty.pid, 'SIGKILL'); // the shell leads its own session and process group
    } catch {
      // exited on the hangup
    }
  }, KILL_AFTER_MS).unref();
}

export interface TerminalServer {
  /** The http server's `upgrade` listener. */
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Shell process ids of the open terminals of a workspace (for tests and the log). */
  pids: (workspaceId: string) => number[];
  /** Kills every shell and closes every socket (the console is stopping). */
  close: () => void;
}

export function createTerminalServer(): TerminalServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 });
  const sessions = new Set<Session>();
  let watcher: NodeJS.Timeout | null = null;

  const end = (s: Session, code: number, reason: string) => {
    if (!sessions.delete(s)) return;
    kill(s.pty);
    if (s.socket.readyState === WebSocket.OPEN) s.socket.close(code, reason);
    if (sessions.size === 0 && watcher) {
      clearInterval(watcher);
      watcher = null;
    }
  };

  // One read per workspace with open terminals; archived or vanished ends all of its shells.
  const watch = () => {
    for (const id of new Set([...sessions].map((s) => s.workspaceId))) {
      const state = worktreeOf(id);
      if (state.ok) continue;
      for (const s of sessions)
        if (s.workspaceId === id) end(s, TERMINAL_CLOSE.workspaceClosed, state.message.slice(0, 120));
    }
  };

  const open = (socket: WebSocket, workspaceId: string, cwd: string) => {
    const { shell, env } = terminalShell(cwd);
    const pty = spawn(shell, [], { name: 'xterm-256color', cols: 80, rows: 24, cwd, env });
    const session: Session = { workspaceId, pty, socket };
    sessions.add(session);
    watcher ??= setInterval(watch, WATCH_MS);

    let paused = false;
    pty.onData((data) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(data);
      if (!paused && socket.bufferedAmount > HIGH_WATER) {
        paused = true;
        pty.pause();
        const resume = setInterval(() => {
          if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount < HIGH_WATER / 4) {
            clearInterval(resume);
            paused = false;
            pty.resume();
          }
        }, 50);
      }
    });
    pty.onExit(() => end(session, TERMINAL_CLOSE.shellExited, 'shell exited'));

    let alive = true;
    socket.on('pong', () => (alive = true));
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, PING_MS);
    socket.on('close', () => {
      clearInterval(pinger);
      end(session, TERMINAL_CLOSE.serverStopping, 'closed');
    });
    socket.on('message', (raw, isBinary) => {
      const parsed = isBinary ? null : parseTerminalMessage(raw.toString('utf8'));
      if (!parsed || !parsed.ok) {
        return end(session, TERMINAL_CLOSE.badFrame, parsed ? parsed.error.slice(0, 120) : 'binary frame');
      }
      const m = parsed.message;
      if (m.type === 'input') pty.write(m.data);
      else pty.resize(m.cols, m.rows);
    });
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const { guard, isToken } = guardState();
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : (v ?? null);
    };
    const hasValidToken =
      isToken(bearerToken(header('authorization'))) || isToken(cookieValue(header('cookie'), TOKEN_COOKIE));
    const route = matchRoute(rawPath.replace(/(.)\/+$/, '$1'));
    const decision = guardUpgrade(
      {
        method: req.method ?? 'GET',
        rawPath: req.url ?? '/',
        headers: { get: header },
        hasValidToken,
        allow: route?.allow ?? null,
      },
      guard,
    );
    if (decision.kind === 'refuse') return refuse(socket, decision.status, decision.type, decision.message);
    const workspaceId = terminalWorkspaceId(rawPath);
    if (!workspaceId) return refuse(socket, 404, 'NotFound', `No WebSocket answers ${rawPath}.`);
    const state = worktreeOf(workspaceId);
    if (!state.ok) return refuse(socket, state.status, state.type, state.message);
    const count = [...sessions].filter((s) => s.workspaceId === workspaceId).length;
    if (count >= MAX_TERMINALS_PER_WORKSPACE) {
      return refuse(
        socket,
        429,
        'TooManyTerminals',
        `This workspace has ${count} terminals open already; close one first.`,
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => open(ws, workspaceId, state.path));
  };

  return {
    handleUpgrade,
    pids: (workspaceId) => [...sessions].filter((s) => s.workspaceId === workspaceId).map((s) => s.pty.pid),
    close: () => {
      for (const s of [...sessions]) end(s, TERMINAL_CLOSE.serverStopping, 'console stopping');
      wss.close();
    },
  };
}
