/**
 * `npm start` for real: the supervisor starts a local Temporal dev server, the worker and the web
 * console; /api/health turns healthy; a workspace started through the HTTP API completes even
 * when the web child is SIGKILLed mid-run; one SIGINT stops every child; a second start finds the
 * same Temporal data (the dev server's db file lives in RATCHET_HOME).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/workspace-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Supervisor {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const started: Supervisor[] = [];

function startSupervisor(env: Record<string, string>): Supervisor {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/supervisor.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const s = { child, output: () => out, exited };
  started.push(s);
  return s;
}

/** Direct children of `pid` whose command line matches `pattern`. */
/** True when something accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function childPids(pid: number, pattern: RegExp): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => pattern.test(l))
    .map((l) => Number(l.split(/\s+/)[0]));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGINT');
    await Promise.race([s.exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
});

describe('npm start (scripts/supervisor.ts)', () => {
  it(
    'serves a healthy console, survives losing its web child, stops on one SIGINT, and restarts warm',
    { timeout: 420_000 },
    async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-start-'));
      const port = await freePort();
      const uiPort = await freePort();
      const env = {
        RATCHET_HOME: home,
        RATCHET_PORT: String(port),
        RATCHET_TEMPORAL_PORT: String(await freePort()),
        RATCHET_TEMPORAL_UI_PORT: String(uiPort),
        RATCHET_LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: '',
      };
      const base = `http://127.0.0.1:${port}`;
      const sup = startSupervisor(env);
      await waitFor(
        'the supervisor to report ready',
        () => /ready in [\d.]+ s/.test(sup.output()),
        240_000,
        250,
      );

      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as {
        status: string;
        temporal: { ok: boolean };
        database: { ok: boolean };
        worker: { ok: boolean };
      };
      expect(body).toMatchObject({
        status: 'ok',
        temporal: { ok: true },
        database: { ok: true },
        worker: { ok: true },
      });
      // The first start wrote the console token (0600); on loopback it is optional, so the ready line
      // names no token. Temporal's own web UI is off by default (README "Security").
      expect(fs.statSync(path.join(home, 'auth-token')).mode & 0o777).toBe(0o600);
      expect(sup.output()).toContain(`s: http://127.0.0.1:${port}/\n`);
      expect(await listening(uiPort)).toBe(false);

      // Start real work through the HTTP API.
      const repo = makeRepo();
      const projRes = await fetch(`${base}/api/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: repo.repo }),
      });
      expect(projRes.status).toBeLessThan(300);
      const project = (await projRes.json()) as { id: string; project?: { id: string } };
      const projectId = project.project?.id ?? project.id;
      const wsRes = await fetch(`${base}/api/workspaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          projectId,
          title: 'Survive the console',
          prompt: 'scripted',
          agent: {
            runner: 'script',
            script: [
              [
                { op: 'sleep', ms: 3000 },
                { op: 'write', path: 'survived.txt', content: 'yes\n' },
              ],
            ],
          },
        }),
      });
      expect(wsRes.status).toBeLessThan(300);
      const { workspaceId } = (await wsRes.json()) as { workspaceId: string };
      const db = openDb(path.join(home, 'ratchet.db'));
      await waitFor(
        'the agent turn to start',
        () => getWorkspaceById({ db, id: workspaceId })?.status === 'agent_running',
        60_000,
      );

      // SIGKILL the web child: the workflow does not notice; the supervisor says so and restarts it.
      const [webPid] = childPids(sup.child.pid!, /web\/server\.ts/);
      expect(webPid).toBeGreaterThan(0);
      process.kill(webPid!, 'SIGKILL');
      await waitFor(
        'the supervisor to report the dead web child',
        () => /\[ratchet\] web was killed by SIGKILL; restarting/.test(sup.output()),
        10_000,
      );
      await waitFor(
        'the workspace to finish its turn',
        () => getWorkspaceById({ db, id: workspaceId })?.status === 'idle',
        90_000,
      );
      const ws = getWorkspaceById({ db, id: workspaceId })!;
      expect(remoteCommits(repo.remote, ws.branch)).toEqual(['Survive the console']);
      await waitFor(
        'the web console to come back',
        async () => (await fetch(`${base}/api/health`).catch(() => null))?.status === 200,
        60_000,
        500,
      );

      // One SIGINT stops everything cleanly.
      const children = childPids(sup.child.pid!, /./);
      sup.child.kill('SIGINT');
      expect(await sup.exited).toBe(0);
      await waitFor('every child to exit', () => children.every((p) => !alive(p)), 20_000);

      // Warm start: same RATCHET_HOME, the workflow is still there, still waiting for messages. This
      // time with RATCHET_AUTH=token: the ready line carries the token written by the first start.
      const again = startSupervisor({ ...env, RATCHET_AUTH: 'token' });
      await waitFor(
        'the second start to be ready',
        () => /ready in [\d.]+ s/.test(again.output()),
        120_000,
        250,
      );
      const token = fs.readFileSync(path.join(home, 'auth-token'), 'utf8').trim();
      expect(again.output()).toContain(`s: http://127.0.0.1:${port}/?token=${token}\n`);
      expect((await fetch(`${base}/api/workspaces/${workspaceId}`)).status).toBe(401);
      const auth = { authorization: `Bearer ${token}` };
      const detail = await fetch(`${base}/api/workspaces/${workspaceId}`, { headers: auth });
      expect(detail.status).toBe(200);
      const msg = await fetch(`${base}/api/workspaces/${workspaceId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ text: 'one more line' }),
      });
      expect(msg.status).toBeLessThan(300);
      await waitFor('the follow-up turn', () => remoteCommits(repo.remote, ws.branch).length === 2, 60_000);
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    },
  );
});
