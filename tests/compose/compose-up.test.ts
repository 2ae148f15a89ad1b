/**
 * `docker-compose up --build` for real, on the unchanged docker-compose.yml and Dockerfile: both
 * containers come up, a repository mounted the documented way (RATCHET_REPOS → /repos) is
 * registered through the console's API, a script-runner workspace pushes its commit to the
 * repository's remote, the stack is taken down (containers removed, volumes kept) and brought up
 * again, and the workspace, its timeline and its workflow are all still there: a follow-up turn
 * pushes a second commit. Then `down -v`.
 *
 * Not part of `npm test` (a cold image build takes many minutes); `.ci/run` runs it as its own
 * step through `npm run test:compose`. It starts dockerd itself when no engine answers, and builds
 * local stand-ins for the two public base images when they are absent (scripts/docker-standins.sh).
 *
 * Network: the compose file's own networks (Docker's default bridge between the two containers) and
 * its ports published on 127.0.0.1; the test talks only to 127.0.0.1:3000. The image build reaches
 * the npm registry and Debian's mirrors, as any `docker build` of this Dockerfile does.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = process.env.RATCHET_CACHE_DIR ?? path.join(os.homedir(), '.cache/ratchet');
const BASE = 'http://127.0.0.1:3000';
const inCi = () => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const PROJECT = `ratchetci${process.pid}`;
const IMAGE = `${PROJECT}_ratchet`;

function has(cmd: string, ...args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

// The binaries only: `docker version` fails while no daemon runs, and starting one is this test's job.
const available =
  has('docker', '--version') && has('dockerd', '--version') && has('docker-compose', 'version');
if (!available && inCi())
  throw new Error(
    'CI=true: docker and docker-compose are needed (apt-get install docker.io docker-compose debootstrap).',
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}

/** Runs a command with its output streamed to the test log (builds print for minutes). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** An engine that answers `docker info`, starting dockerd (vfs, as these machines need) if none does. */
async function ensureDockerd(): Promise<void> {
  if (has('docker', 'info')) return;
  const logDir = path.join(CACHE, 'docker');
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.openSync(path.join(logDir, 'dockerd.log'), 'a');
  const child = spawn('dockerd', ['--storage-driver=vfs'], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  await waitFor(
    'dockerd to answer `docker info` (log in ~/.cache/ratchet/docker/dockerd.log)',
    async () => has('docker', 'info'),
    60_000,
  );
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let reposDir = '';
let composeEnv: NodeJS.ProcessEnv = { ...process.env };
let token: string | null = null;
const compose = (...args: string[]) =>
  run('docker-compose', ['-f', 'docker-compose.yml', ...args], composeEnv);

function readToken(): string | null {
  const r = spawnSync(
    'docker-compose',
    ['-f', 'docker-compose.yml', 'exec', '-T', 'ratchet', 'cat', '/root/.ratchet/auth-token'],
    {
      cwd: ROOT,
      env: composeEnv,
      encoding: 'utf8',
    },
  );
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined || method !== 'GET') headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${BASE}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    // While the container starts, docker-proxy can accept a connection that nothing answers, and
    // fetch has no timeout of its own.
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: keep the text for the assertion message */
  }
  return { status: res.status, json: json as T };
}

async function healthy(): Promise<boolean> {
  token = readToken();
  const { status, json } = await api<{ status?: string; ok?: boolean }>('GET', '/api/health');
  return status === 200 && (json.status === 'ok' || (json.ok === true && json.status === undefined));
}

interface WorkspaceView {
  state: string;
  workspace?: { id: string; status: string; branch: string };
}

const remoteSubjects = (branch: string) => {
  try {
    return git(
      path.join(reposDir, 'origin.git'),
      'log',
      '--reverse',
      '--format=%s',
      `main..refs/heads/${branch}`,
    )
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
};

describe.runIf(available)('docker-compose up, for real', () => {
  beforeAll(async () => {
    for (const port of [3000, 7233, 8233])
      if (!(await portFree(port)))
        throw new Error(
          `127.0.0.1:${port} is taken; docker-compose.yml publishes it. Stop whatever listens there.`,
        );
    await ensureDockerd();
    await run('bash', ['scripts/docker-standins.sh']);

    // The documented layout: a directory of repositories mounted at /repos. The project's remote is
    // a bare repository beside it, addressed by its path inside the container.
    reposDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-compose-repos-'));
    const origin = path.join(reposDir, 'origin.git');
    const project = path.join(reposDir, 'project');
    git(reposDir, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(reposDir, 'init', '--quiet', '--initial-branch=main', project);
    fs.writeFileSync(path.join(project, 'README.md'), '# compose test\n');
    git(project, 'add', '.');
    git(project, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'init');
    git(project, 'remote', 'add', 'origin', origin);
    git(project, 'push', '--quiet', 'origin', 'main');
    git(project, 'remote', 'set-url', 'origin', '/repos/origin.git');

    composeEnv = {
      ...process.env,
      COMPOSE_PROJECT_NAME: PROJECT,
      // Removing a container on the vfs storage driver deletes a whole root filesystem copy; under
      // load that outlasts docker-compose's default 60 s HTTP timeout.
      COMPOSE_HTTP_TIMEOUT: '600',
      RATCHET_REPOS: reposDir,
      // No credentials reach the containers from the test's environment.
      ANTHROPIC_API_KEY: '',
      OPENAI_API_KEY: '',
      GITHUB_TOKEN: '',
    };
  }, 60 * 60_000);

  afterAll(async () => {
    if (!composeEnv.COMPOSE_PROJECT_NAME) return;
    await compose('logs', '--no-color', '--tail', '80').catch(() => {});
    await compose('down', '-v', '--remove-orphans').catch((err) => console.error(String(err)));
    if (reposDir) fs.rmSync(reposDir, { recursive: true, force: true });
  }, 10 * 60_000);

  it(
    'builds, serves, runs a workspace to a pushed commit and keeps it across a restart',
    async () => {
      const t0 = Date.now();
      await compose('up', '-d', '--build');
      console.log(`[compose] up --build returned after ${since(t0)}`);
      await waitFor('the console /api/health to be ok on 127.0.0.1:3000', healthy, 180_000);
      const upSeconds = (Date.now() - t0) / 1000;
      const size = execFileSync('docker', ['image', 'inspect', IMAGE, '--format', '{{.Size}}'], {
        encoding: 'utf8',
      }).trim();
      console.log(
        `[compose] healthy ${upSeconds.toFixed(1)} s after up --build; image ${IMAGE} ${(Number(size) / 1e6).toFixed(0)} MB; token ${token ? 'required' : 'not required'}`,
      );

      // Registered by its path inside the container.
      const proj = await api<{ project?: { id: string }; id?: string }>('POST', '/api/projects', {
        path: '/repos/project',
      });
      expect(proj.status, JSON.stringify(proj.json)).toBeLessThan(300);
      const projectId = proj.json.project?.id ?? proj.json.id;
      expect(projectId).toBeTruthy();

      const ws = await api<{ workspaceId: string }>('POST', '/api/workspaces', {
        projectId,
        title: 'Compose turn',
        prompt: 'scripted',
        agent: {
          runner: 'script',
          script: [
            [{ op: 'write', path: 'compose.txt', content: 'from the container\n' }],
            [{ op: 'write', path: 'compose.txt', content: 'after the restart\n' }],
          ],
        },
      });
      expect(ws.status, JSON.stringify(ws.json)).toBeLessThan(300);
      const id = ws.json.workspaceId;

      const first = await waitFor(
        'the first turn to be pushed to /repos/origin.git',
        async () => {
          const v = (await api<WorkspaceView>('GET', `/api/workspaces/${id}`)).json;
          return v.workspace &&
            v.workspace.status === 'idle' &&
            remoteSubjects(v.workspace.branch).length === 1
            ? v.workspace
            : null;
        },
        180_000,
      );
      expect(remoteSubjects(first.branch)).toEqual(['Compose turn']);
      expect(git(path.join(reposDir, 'origin.git'), 'show', `refs/heads/${first.branch}:compose.txt`)).toBe(
        'from the container',
      );
      const before = (
        await api<{ events: Array<{ id: number; kind: string }> }>('GET', `/api/workspaces/${id}/events`)
      ).json.events;
      expect(before.length).toBeGreaterThan(0);

      // Containers removed, volumes kept: the read model (ratchet-home) and Temporal's database
      // (temporal-data) carry everything over.
      const t1 = Date.now();
      await compose('down');
      await compose('up', '-d');
      await waitFor('the console to be healthy again after down/up', healthy, 180_000);
      console.log(`[compose] warm up (no build) healthy after ${since(t1)}`);

      const after = (await api<WorkspaceView>('GET', `/api/workspaces/${id}`)).json;
      expect(after.workspace).toMatchObject({ id, status: 'idle', branch: first.branch });
      const events = (
        await api<{ events: Array<{ id: number; kind: string }> }>('GET', `/api/workspaces/${id}/events`)
      ).json.events;
      expect(events.slice(0, before.length)).toEqual(before);

      // The workflow survived in Temporal's volume: a follow-up is a second pushed turn.
      const msg = await api('POST', `/api/workspaces/${id}/messages`, { text: 'one more' });
      expect(msg.status, JSON.stringify(msg.json)).toBeLessThan(300);
      await waitFor(
        'the follow-up turn to be pushed',
        async () => remoteSubjects(first.branch).length === 2,
        180_000,
      );
      expect(git(path.join(reposDir, 'origin.git'), 'show', `refs/heads/${first.branch}:compose.txt`)).toBe(
        'after the restart',
      );
    },
    60 * 60_000,
  );
});
