/**
 * `npm start`: one command for the whole of Ratchet on one machine.
 *   config → migrations → Temporal (TEMPORAL_ADDRESS, else a local dev server with a persistent
 *   db file) → worker → web console (web/server.ts) on RATCHET_HOST:RATCHET_PORT → wait until /api/health is ok.
 * A child that dies is reported and restarted (with backoff); one Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartDelayMs, type Crash } from '../core/restart-policy.js';
import { tokenRequired } from '../core/web-guard.js';
import { migrateDatabase } from '../db/migrate.js';
import { ensureAuthToken } from '../web/lib/auth-token.js';
import { loadConfig } from '../worker/env.js';
import { resolveDevServer } from './temporal-servers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg: string) => process.stdout.write(`[ratchet] ${msg}\n`);
const fail = (msg: string): never => {
  process.stderr.write(`[ratchet] ${msg}\n`);
  process.exit(1);
};

interface ChildSpec {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Restart when it dies unexpectedly. */
  restart: boolean;
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  startedAt: number;
  restarts: number;
}

/** Each child's recent exits, for the crash-loop rule (core/restart-policy.ts). */
const crashes = new Map<string, Crash[]>();

const running = new Map<string, Running>();
let stopping = false;

function start(spec: ChildSpec, restarts = 0): Running {
  const child = spawn(spec.cmd, spec.args, { cwd: ROOT, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim()) stream.write(`[${spec.name}] ${line}\n`);
  };
  child.stdout?.on('data', prefix(process.stdout));
  child.stderr?.on('data', prefix(process.stderr));
  const entry: Running = { spec, child, startedAt: Date.now(), restarts };
  running.set(spec.name, entry);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!spec.restart) {
      process.stderr.write(`[ratchet] ${spec.name} ${how}; stopping Ratchet\n`);
      void shutdown(1);
      return;
    }
    // Straight back after a kill mid-work; backoff only for a loop of fast crashes.
    const list = [
      ...(crashes.get(spec.name) ?? []),
      { startedAt: entry.startedAt, exitedAt: Date.now() },
    ].slice(-50);
    crashes.set(spec.name, list);
    const delay = restartDelayMs(list);
    process.stderr.write(
      `[ratchet] ${spec.name} ${how}; restarting in ${(delay / 1000).toFixed(2)} s (restart #${entry.restarts + 1})\n`,
    );
    setTimeout(() => {
      if (!stopping) start(spec, entry.restarts + 1);
    }, delay);
  });
  return entry;
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  // Web first (stop taking requests), then the worker (drain), then Temporal.
  for (const name of ['web', 'worker', 'temporal']) {
    const r = running.get(name);
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) continue;
    const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
    r.child.kill('SIGTERM');
    const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  say('stopped');
  process.exit(code);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
}

/** An address as it goes in a URL (IPv6 in brackets). */
const urlHost = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

async function main() {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    return fail((err as Error).message);
  }
  fs.mkdirSync(config.home, { recursive: true });
  // The first start writes the console token ($RATCHET_HOME/auth-token, 0600); it is required off
  // loopback or with RATCHET_AUTH=token, and RATCHET_AUTH=off is refused off loopback.
  const token = ensureAuthToken(config.home);
  const needsToken = tokenRequired(config.host, config.env.RATCHET_AUTH);
  if (config.env.RATCHET_AUTH === 'off' && needsToken) {
    say(
      `RATCHET_AUTH=off is ignored: the console binds ${config.host}, which is not loopback, so it needs its token`,
    );
  }
  try {
    const res = migrateDatabase(config.dbFile);
    if (res.applied.length) say(`database ${config.dbFile}: applied ${res.applied.join(', ')}`);
    if (res.backupPath) say(`copied the previous database to ${res.backupPath} before migrating`);
  } catch (err) {
    return fail((err as Error).message);
  }

  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let address = config.temporal.address;
  let localUiUrl: string | null = null;
  if (address) {
    const [host, port] = address.split(':') as [string, string];
    say(`using Temporal at ${address}`);
    await waitUntil(`Temporal at ${address}`, () => canConnect(host, Number(port)), 60_000);
  } else {
    const bin = await resolveDevServer({ log: say });
    if (!bin) {
      return fail(
        'No Temporal server: set TEMPORAL_ADDRESS, or install the CLI (brew install temporal, or ' +
          'go install github.com/temporalio/cli/cmd/temporal@v1.5.1), or run `docker compose up temporal`.',
      );
    }
    const port = config.temporal.localPort;
    address = `127.0.0.1:${port}`;
    if (await canConnect('127.0.0.1', port))
      return fail(`port ${port} is already in use; set RATCHET_TEMPORAL_PORT or TEMPORAL_ADDRESS`);
    start({
      name: 'temporal',
      cmd: bin,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        // The dev server's UI has no Host check and no login (a rebinding page could read every
        // prompt): off unless RATCHET_TEMPORAL_UI=1 or `temporalUi: true` (README "Security").
        ...(config.temporal.ui ? ['--ui-port', String(config.temporal.uiPort)] : ['--headless']),
        '--db-filename',
        path.join(config.home, 'temporal.db'),
        '--namespace',
        config.temporal.namespace,
        '--log-level',
        'warn',
      ],
      env: process.env,
      restart: true,
    });
    await waitUntil('the Temporal dev server', () => canConnect('127.0.0.1', port), 60_000);
    if (config.temporal.ui) localUiUrl = `http://127.0.0.1:${config.temporal.uiPort}`;
    const ui = localUiUrl ? `UI ${localUiUrl}` : 'UI off; RATCHET_TEMPORAL_UI=1 turns it on';
    say(`Temporal dev server on ${address} (${ui}), data in ${config.home}/temporal.db`);
  }

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    RATCHET_HOME: config.home,
  };
  // The console links each workflow to the UI of the dev server started above (when it runs one).
  if (localUiUrl && !config.env.RATCHET_TEMPORAL_UI_URL) childEnv.RATCHET_TEMPORAL_UI_URL = localUiUrl;
  start({
    name: 'worker',
    cmd: process.execPath,
    args: ['--import', 'tsx', 'worker/main.ts'],
    env: childEnv,
    restart: true,
  });

  const nextBin = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!fs.existsSync(path.join(ROOT, 'web', '.next', 'BUILD_ID'))) {
    say('building the web console (first run only)…');
    const build = spawn(process.execPath, [nextBin, 'build', 'web'], {
      cwd: ROOT,
      env: childEnv,
      stdio: 'inherit',
    });
    const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
    if (code !== 0) return fail(`next build failed with exit code ${code}`);
  }
  // web/server.ts: Next's production handler plus the terminal's WebSocket upgrade, on
  // RATCHET_HOST:RATCHET_PORT (passed explicitly: they may come from the config file).
  start({
    name: 'web',
    cmd: process.execPath,
    args: ['--import', 'tsx', 'web/server.ts'],
    env: {
      ...childEnv,
      NODE_ENV: 'production',
      RATCHET_HOST: config.host,
      RATCHET_PORT: String(config.port),
    },
    restart: true,
  });
  // Without the token this answers only `{ ok }`, which is all the wait needs.
  const healthUrl = `http://${urlHost(config.host)}:${config.port}/api/health`;
  await waitUntil(
    'the web console',
    async () => {
      try {
        return (await fetch(healthUrl)).status === 200;
      } catch {
        return false;
      }
    },
    120_000,
  );
  const url = `http://${urlHost(config.host)}:${config.port}/`;
  // With a token required, the ready line carries it once (as Jupyter does): opening that URL
  // trades it for an HttpOnly cookie and drops it from the address bar.
  say(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${needsToken ? `${url}?token=${token}` : url}`,
  );
  if (needsToken && ['0.0.0.0', '::', '[::]'].includes(config.host)) {
    say(
      `(listening on every interface; from this machine open http://127.0.0.1:${config.port}/?token=${token})`,
    );
  }
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
