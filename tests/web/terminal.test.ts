/**
 * The workspace terminal (issue 11 item 10) with real parts: a Temporal dev server, an in-process
 * worker with the real activities (script runner in a real git worktree, the real SQLite read
 * model), the real workspace workflow, the console as `npm start` runs it (web/server.ts over the
 * production build, node-pty shells) and Chromium. The console's own environment carries model
 * and GitHub secrets, which the shell must not see. Raw WebSocket clients check the front door
 * (Host, Origin, token); archiving through the API must kill the shells.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TERMINAL_CLOSE } from '../../core/terminal.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { readAuthToken } from '../../web/lib/auth-token.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { makeRepo, type TestRepo } from '../support/git.js';
import { startDevServer } from '../support/temporal.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const taskQueue = `terminal-${process.pid}`;
/** Secrets in the console's environment: the shell must see none of them. */
const SECRETS = {
  GITHUB_TOKEN: 'ghp_console_secret_0123456789',
  GH_TOKEN: 'gho_console_secret_0123456789',
  ANTHROPIC_API_KEY: 'sk-ant-console-secret',
  OPENAI_API_KEY: 'sk-console-secret',
};
/** Typing into a shell on two busy cores needs room. */
const POLL = { timeout: 20_000 };

let env: TestWorkflowEnvironment;
let db: Db;
let home: string;
let worker: Worker;
let workerRun: Promise<void>;
let open: ConsoleServer;
let guarded: ConsoleServer;
let browser: Browser;
let repo: TestRepo;
let ws: string;
let worktree: string;

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-terminal-'));
  env = await startDevServer();
  const config = loadConfig({ RATCHET_HOME: home });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: createActivities({ db, config }),
  });
  workerRun = worker.run();
  repo = makeRepo({ prefix: 'ratchet-terminal-repo-' });
  const projectId = addProject(db, repo);
  const spec = specFor(repo, projectId, {
    title: 'Terminal demo',
    agent: {
      script: [
        [
          { op: 'write', path: 'hello.txt', content: 'hello\n' },
          { op: 'say', text: 'Wrote hello.txt.' },
        ],
      ],
    },
  });
  ws = spec.workspaceId;
  await env.client.workflow.start('workspaceWorkflow', {
    workflowId: `workspace/${ws}`,
    taskQueue,
    args: [input(spec)],
  });
  await waitFor(
    'the workspace to be idle',
    () => getWorkspaceById({ db, id: ws })?.status === 'idle',
    120_000,
  );
  worktree = fs.realpathSync(spec.worktreePath);
  const consoleEnv = {
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: env.address,
    RATCHET_TASK_QUEUE: taskQueue,
    ...SECRETS,
  };
  [open, guarded] = await Promise.all([
    startConsole(consoleEnv),
    startConsole({ ...consoleEnv, RATCHET_AUTH: 'token' }, { readyPath: '/api/health' }),
  ]);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([open?.stop(), guarded?.stop()]);
  if (env && ws)
    await env.client.workflow
      .getHandle(`workspace/${ws}`)
      .terminate('suite over')
      .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (repo) fs.rmSync(repo.root, { recursive: true, force: true });
});

/** Shells the console started: its children whose working directory is the worktree. */
function shellsOf(server: ConsoleServer): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === server.pid && fs.readlinkSync(`/proc/${entry}/cwd`) === worktree) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);

interface RawTerminal {
  socket: WebSocket;
  output: () => string;
  send: (m: object) => void;
  type: (line: string) => void;
  closed: Promise<{ code: number; reason: string }>;
}

type Upgrade = { status: number; body: string } | { status: 101; terminal: RawTerminal };

/** A WebSocket client that can send any Host, Origin, cookie or Authorization header. */
function connect(server: ConsoleServer, headers: Record<string, string> = {}, id = ws): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/workspaces/${id}/terminal`, { headers });
    let text = '';
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      socket.once('close', (code, reason) => r({ code, reason: reason.toString('utf8') })),
    );
    socket.on('message', (d) => (text += d.toString('utf8')));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once('open', () => {
      const send = (m: object) => socket.send(JSON.stringify(m));
      resolve({
        status: 101,
        terminal: {
          socket,
          output: () => text,
          send,
          type: (line) => send({ type: 'input', data: `${line}\r` }),
          closed,
        },
      });
    });
    socket.once('error', (err) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(err);
    });
  });
}

async function terminalOf(server: ConsoleServer, headers: Record<string, string> = {}): Promise<RawTerminal> {
  const answer = await connect(server, headers);
  if (!('terminal' in answer)) throw new Error(`upgrade refused ${answer.status}: ${answer.body}`);
  // Keys sent before the shell's line editor starts can be dropped: wait for its prompt.
  await waitFor('the prompt', () => /\S/.test(answer.terminal.output()), 20_000);
  return answer.terminal;
}

const statusOf = async (p: Promise<Upgrade>) => {
  const a = await p;
  return 'terminal' in a
    ? (a.terminal.socket.close(), 101)
    : { status: a.status, type: (JSON.parse(a.body) as { error: { type: string } }).error.type };
};

async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await newPage(browser);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
  });
  await page.goto(`${open.base}/workspaces/${ws}`);
  return { page, problems };
}

const screen = (page: Page, i: number) => page.getByTestId('terminal-screen').nth(i);
const screenText = (page: Page, i: number) => screen(page, i).locator('.xterm-rows').innerText();

async function typeInto(page: Page, i: number, line: string) {
  await screen(page, i).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

describe('terminal in the browser', () => {
  it('runs a shell in the worktree without the console secrets, in independent tabs, sized to the page', async () => {
    const { page, problems } = await openPage();
    try {
      const panel = page.getByTestId('terminal-panel');
      await panel.getByRole('button', { name: 'New terminal' }).click();
      await expect.poll(() => screen(page, 0).getAttribute('data-cols'), POLL).toMatch(/^\d+$/);
      // Keys typed before the shell's line editor starts can be dropped: wait for its prompt.
      await expect.poll(() => screenText(page, 0), POLL).toMatch(/\S/);
      await typeInto(page, 0, 'echo "pwd:[$(pwd)]"');
      await typeInto(
        page,
        0,
        'echo "env:[$RATCHET_HOME|$RATCHET_AUTH|$GITHUB_TOKEN|$GH_TOKEN|$ANTHROPIC_API_KEY|$OPENAI_API_KEY|$TEMPORAL_ADDRESS]"',
      );
      await typeInto(page, 0, 'echo "term:[$TERM] pid:[$$]"');
      await expect.poll(() => screenText(page, 0), POLL).toContain(`pwd:[${worktree}]`);
      await expect.poll(() => screenText(page, 0), POLL).toContain('env:[||||||]');
      await expect.poll(() => screenText(page, 0), POLL).toContain('term:[xterm-256color]');
      const pid1 = Number(/pid:\[(\d+)\]/.exec(await screenText(page, 0))![1]);
      expect(shellsOf(open)).toEqual([pid1]);
      const environ = fs.readFileSync(`/proc/${pid1}/environ`, 'utf8');
      for (const secret of Object.values(SECRETS)) expect(environ).not.toContain(secret);

      // A second tab is a second shell: its own process and its own variables.
      await panel.getByRole('button', { name: 'New terminal' }).click();
      await expect.poll(() => screen(page, 1).getAttribute('data-cols'), POLL).toMatch(/^\d+$/);
      await expect.poll(() => screenText(page, 1), POLL).toMatch(/\S/);
      await typeInto(page, 1, 'export TAB=two; echo "tab:[$TAB] pid:[$$]"');
      await expect.poll(() => screenText(page, 1), POLL).toMatch(/tab:\[two\] pid:\[\d+\]/);
      const pid2 = Number(/tab:\[two\] pid:\[(\d+)\]/.exec(await screenText(page, 1))![1]);
      expect(pid2).not.toBe(pid1);
      await expect.poll(() => shellsOf(open).sort(), POLL).toEqual([pid1, pid2].sort());
      await page.getByTestId('terminal-tab-1').click();
      await typeInto(page, 0, 'echo "first:[$TAB]"');
      await expect.poll(() => screenText(page, 0), POLL).toContain('first:[]');

      // Resize: a narrower page gives fewer columns, and the pty has them (`stty size`).
      const before = Number(await screen(page, 0).getAttribute('data-cols'));
      await page.setViewportSize({ width: 900, height: 900 });
      await expect
        .poll(async () => Number(await screen(page, 0).getAttribute('data-cols')), POLL)
        .toBeLessThan(before);
      // The layout settles over a few frames (each one a fit); read the size once it holds still.
      let seen = '';
      await expect
        .poll(async () => {
          const now = `${await screen(page, 0).getAttribute('data-rows')} ${await screen(page, 0).getAttribute('data-cols')}`;
          const still = now === seen;
          seen = now;
          if (!still) await new Promise((r) => setTimeout(r, 500));
          return still;
        }, POLL)
        .toBe(true);
      const [rows, cols] = seen.split(' ');
      await typeInto(page, 0, 'clear; echo "size:[$(stty size)]"');
      await expect.poll(() => screenText(page, 0), POLL).toContain(`size:[${rows} ${cols}]`);

      await typeInto(page, 0, 'clear; git log --oneline -2; ls; echo "HOME=$HOME"');
      await expect.poll(() => screenText(page, 0), POLL).toContain('hello.txt');
      fs.mkdirSync(SHOTS, { recursive: true });
      await panel.screenshot({ path: path.join(SHOTS, 'terminal.png') });

      // Closing a tab ends its shell.
      await page.getByRole('button', { name: 'Close shell 2' }).click();
      await expect.poll(() => alive(pid2), POLL).toBe(false);
      expect(alive(pid1)).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
    // Leaving the page closes the socket, which ends the shell (no reconnect grace period).
    await expect.poll(() => shellsOf(open), POLL).toEqual([]);
  });
});

describe('terminal socket', () => {
  it('refuses another Origin (403), another Host (421), an unknown workspace (404) and a plain GET (426)', async () => {
    const host = `127.0.0.1:${open.port}`;
    expect(await statusOf(connect(open, { origin: 'http://evil.example' }))).toEqual({
      status: 403,
      type: 'CrossOrigin',
    });
    expect(await statusOf(connect(open, { origin: 'null' }))).toEqual({ status: 403, type: 'CrossOrigin' });
    expect(await statusOf(connect(open, { host: 'evil.example', origin: 'http://evil.example' }))).toEqual({
      status: 421,
      type: 'MisdirectedRequest',
    });
    expect(await statusOf(connect(open, { origin: `http://${host}` }, 'ws-nope'))).toEqual({
      status: 404,
      type: 'WorkspaceNotFound',
    });
    expect(await statusOf(connect(open, { origin: `http://${host}` }))).toBe(101);
    const plain = await fetch(`${open.base}/api/workspaces/${ws}/terminal`);
    expect(plain.status).toBe(426);
    // The one accepted socket was closed at once: its shell ends too.
    await expect.poll(() => shellsOf(open), POLL).toEqual([]);
  });

  it('needs the token when the console requires one: Bearer or the ratchet_token cookie', async () => {
    const token = readAuthToken(home)!;
    const origin = { origin: `http://127.0.0.1:${guarded.port}` };
    expect(await statusOf(connect(guarded, origin))).toEqual({ status: 401, type: 'Unauthorized' });
    expect(await statusOf(connect(guarded, { ...origin, cookie: 'ratchet_token=wrong' }))).toEqual({
      status: 401,
      type: 'Unauthorized',
    });
    expect(await statusOf(connect(guarded, { ...origin, authorization: `Bearer ${token}` }))).toBe(101);
    const t = await terminalOf(guarded, { ...origin, cookie: `ratchet_token=${token}` });
    t.type('echo "ok:[$RATCHET_AUTH]"');
    await expect.poll(() => t.output(), POLL).toContain('ok:[]');
    t.socket.close();
    await expect.poll(() => shellsOf(guarded), POLL).toEqual([]);
  });

  it('a resize message reaches the pty, and a bad frame closes the socket (1007)', async () => {
    const t = await terminalOf(open);
    t.send({ type: 'resize', cols: 91, rows: 27 });
    t.type('echo "size:[$(stty size)]"');
    await expect.poll(() => t.output(), POLL).toContain('size:[27 91]');
    t.send({ type: 'resize', cols: 0, rows: 27 });
    expect(await t.closed).toEqual({
      code: TERMINAL_CLOSE.badFrame,
      reason: expect.stringMatching(/^cols:/),
    });
    await expect.poll(() => shellsOf(open), POLL).toEqual([]);
  });

  it('archiving the workspace kills its shells and refuses new ones (409)', async () => {
    const [a, b] = await Promise.all([terminalOf(open), terminalOf(open)]);
    // A child process of the shell too: a long sleep in the background of the first.
    a.type('sleep 600 & echo "bg:[$!]"');
    await expect.poll(() => a.output(), POLL).toMatch(/bg:\[\d+\]/);
    const sleeper = Number(/bg:\[(\d+)\]/.exec(a.output())![1]);
    const shells = await waitFor('two shells', () => (shellsOf(open).length === 2 ? shellsOf(open) : null));
    const res = await fetch(`${open.base}/api/workspaces/${ws}/archive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca.code).toBe(TERMINAL_CLOSE.workspaceClosed);
    expect(cb.code).toBe(TERMINAL_CLOSE.workspaceClosed);
    for (const pid of [...shells, sleeper]) await expect.poll(() => alive(pid), POLL).toBe(false);
    await waitFor(
      'the workspace to be archived',
      () => getWorkspaceById({ db, id: ws })?.status === 'archived',
    );
    expect(await statusOf(connect(open))).toEqual({ status: 409, type: 'NotApplicable' });
  });
});
