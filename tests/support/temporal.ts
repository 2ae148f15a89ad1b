/**
 * Real Temporal servers for the workflow suites. Every suite starts its servers through here, so
 * CI output shows exactly which binary each test ran against, and a missing server under CI=true
 * is a failure, never a skip.
 *
 * - `startDevServer`: the Temporal CLI dev server (full server, real time), optionally on a db file.
 * - `startTimeSkippingServer`: the Java time-skipping test server (timers fire as soon as awaited).
 * - `startDevServerProcess`: the CLI spawned directly, for tests that SIGKILL and restart the server
 *   on the same db file while work is in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment, type DevServerConfig } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  devServerVersion,
  NO_SERVER_HELP,
  resolveDevServer,
  resolveTestServer,
} from '../../scripts/temporal-servers.js';
import { recordHistories, recordDir, suggestContinueAsNewAt } from './histories.js';
import { freePort } from './ports.js';

const HOST = '127.0.0.1';
/** How long a freshly spawned server (dev or time-skipping) gets to serve. @default 60 s */
const READY_TIMEOUT_MS = 60_000;

function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function announce(line: string): void {
  process.stderr.write(`[temporal] ${line}\n`);
}

// Resolved once per test process. The dev server is never built here (`go install` takes minutes;
// `npm run provision` does it); the test server's launcher is cheap to write, so it may be provisioned.
let devBin: Promise<string | null> | undefined;
let testBin: Promise<string | null> | undefined;
const devBinary = (): Promise<string | null> => (devBin ??= resolveDevServer({ provision: false }));
const testBinary = (): Promise<string | null> => (testBin ??= resolveTestServer());

let runtimeChecked = false;

/**
 * Workers log every state change at INFO; suites only need warnings and errors. Installed before
 * the first server starts, unless a suite already installed its own runtime (then that one wins).
 */
function quietRuntime(): void {
  if (runtimeChecked) return;
  runtimeChecked = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (err) {
    if (!(err instanceof Error && err.name === 'IllegalStateError')) throw err;
  }
}

/**
 * The dev server's continue-as-new suggestion knob: a suite's own threshold, else the recording
 * one (`RATCHET_RECORD_HISTORIES` with `RATCHET_RECORD_SUGGEST_CAN`).
 */
function recordingArgs(own?: number): string[] {
  const at = own ?? suggestContinueAsNewAt();
  return at === null ? [] : ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${at}`];
}

/** While recording, `teardown()` first writes every workflow's history (see `histories.ts`). */
function recording(env: TestWorkflowEnvironment, server: string): TestWorkflowEnvironment {
  if (!recordDir()) return env;
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    await recordHistories(env.client, server);
    await teardown();
  };
  return env;
}

function missingServer(kind: string, cause?: unknown): Error {
  const line = `${kind} unavailable${cause ? ` (${cause instanceof Error ? cause.message : String(cause)})` : ''}. ${NO_SERVER_HELP}`;
  announce(line);
  return new Error(line, { cause });
}

export interface DevServerOptions {
  /** SQLite file for the server's own state; in-memory when omitted. */
  dbFile?: string;
  /** gRPC port on 127.0.0.1. @default a free port */
  port?: number;
  /** Search attributes to register at start-up. */
  searchAttributes?: DevServerConfig['searchAttributes'];
  /** Suggest continue-as-new once a run's history has this many events (short runs then continue). */
  suggestContinueAsNewAt?: number;
}

/** A `TestWorkflowEnvironment` over the Temporal CLI dev server; call `teardown()` when done. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const port = opts.port ?? (await freePort());
  const server: Omit<DevServerConfig, 'type'> = {
    ip: HOST,
    port,
    ui: false,
    ...(opts.dbFile ? { dbFilename: opts.dbFile } : {}),
    ...(opts.searchAttributes ? { searchAttributes: opts.searchAttributes } : {}),
    ...(recordingArgs(opts.suggestContinueAsNewAt).length > 0
      ? { extraArgs: recordingArgs(opts.suggestContinueAsNewAt) }
      : {}),
  };
  const bin = await devBinary();
  if (bin && !opts.searchAttributes) {
    const env = await devServerOverProcess(bin, port, opts);
    announce(`dev server ${await devServerVersion(bin)} from ${bin} on ${env.address}`);
    return recording(env, 'dev server');
  }
  if (bin) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { ...server, executable: { type: 'existing-path', path: bin } },
    });
    announce(`dev server ${await devServerVersion(bin)} from ${bin} on ${env.address}`);
    return recording(env, 'dev server');
  }
  if (inCi()) throw missingServer('CI=true: the Temporal dev server');
  try {
    const env = await TestWorkflowEnvironment.createLocal({ server });
    announce(`dev server (SDK download) on ${env.address}`);
    return recording(env, 'dev server');
  } catch (err) {
    throw missingServer('The Temporal dev server', err);
  }
}

/**
 * The SDK's own launcher gives a server 5 s to answer after spawning it, which the Java test
 * server's JVM misses when every core is busy (a parallel suite, a docker build). So the test
 * server is spawned here, given `READY_TIMEOUT_MS` like the dev server, and the environment is then
 * made over it with time skipping on. `TestWorkflowEnvironment.create` is the SDK's one constructor
 * for that (`createTimeSkipping` calls it with its own launcher; `createFromExistingServer` calls it
 * with time skipping off); it is private in the typings, hence the cast. A change of the SDK that
 * breaks it fails every time-skipping suite at once, loudly.
 */
type CreateEnvironment = (opts: {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
}) => Promise<TestWorkflowEnvironment>;

/** A server process of ours, its last output kept for the error when it does not come up. */
function spawnServer(bin: string, args: string[]): { proc: ChildProcess; output: () => string } {
  installExitHook();
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  return { proc, output: () => output };
}

/** The environment's teardown also stops its server: `signal`, then SIGKILL after 15 s. */
function stopsServer(
  env: TestWorkflowEnvironment,
  proc: ChildProcess,
  signal: NodeJS.Signals,
): TestWorkflowEnvironment {
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await teardown();
    } finally {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const forced = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(forced);
      }
    }
  };
  return env;
}

async function timeSkippingOverProcess(bin: string): Promise<TestWorkflowEnvironment> {
  const port = await freePort();
  const address = `${HOST}:${port}`;
  const { proc, output } = spawnServer(bin, [String(port)]);
  const create = (TestWorkflowEnvironment as unknown as { create: CreateEnvironment }).create.bind(
    TestWorkflowEnvironment,
  );
  try {
    await waitUntilServing(proc, address, output, 'time-skipping test server', async (connection) => {
      await connection.workflowService.getSystemInfo({});
    });
    const env = await create({
      server: { type: 'existing' },
      address,
      namespace: 'default',
      supportsTimeSkipping: true,
    });
    return stopsServer(env, proc, 'SIGKILL');
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
}

/**
 * The dev server spawned here rather than by the SDK's launcher, for the same reason as the test
 * server below: the launcher gives it 5 s ("ephemeral server … did not start within 5s"), which a
 * loaded 2-core machine misses; here it gets `READY_TIMEOUT_MS`. The environment is made over it
 * (`createFromExistingServer`), and its teardown stops the process.
 */
async function devServerOverProcess(
  bin: string,
  port: number,
  opts: DevServerOptions,
): Promise<TestWorkflowEnvironment> {
  const address = `${HOST}:${port}`;
  const { proc, output } = spawnServer(bin, [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    '--headless',
    '--namespace',
    'default',
    '--log-level',
    'warn',
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...recordingArgs(opts.suggestContinueAsNewAt),
  ]);
  try {
    await waitUntilServing(proc, address, output);
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
    return stopsServer(env, proc, 'SIGTERM');
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
}

/** A `TestWorkflowEnvironment` over the Java time-skipping test server; call `teardown()` when done. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const bin = await testBinary();
  if (bin) {
    const env = await timeSkippingOverProcess(bin);
    announce(`time-skipping test server from ${bin} on ${env.address}`);
    return recording(env, 'time-skipping server');
  }
  if (inCi()) throw missingServer('CI=true: the Temporal time-skipping test server');
  try {
    const env = await TestWorkflowEnvironment.createTimeSkipping();
    announce(`time-skipping test server (SDK download) on ${env.address}`);
    return recording(env, 'time-skipping server');
  } catch (err) {
    throw missingServer('The Temporal time-skipping test server', err);
  }
}

export interface DevServerProcess {
  /** `127.0.0.1:<port>`, stable across restarts. */
  readonly address: string;
  readonly port: number;
  readonly dbFile: string;
  /** The current server process id, or undefined while stopped. */
  pid(): number | undefined;
  /** Sends `signal` (default SIGTERM) and waits for exit; escalates to SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL: the server gets no chance to flush or shut down cleanly. */
  kill(): Promise<void>;
  /** Stops the server if it is running, starts it again on the same port and db file, and waits until it serves. */
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that dies mid-suite must not leave dev servers holding ports and db files.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Spawns `temporal server start-dev` directly on `dbFile` and waits until it answers on gRPC.
 * Needs a real CLI binary (no SDK download fallback: the SDK does not expose its binary's path).
 */
export async function startDevServerProcess(opts: {
  dbFile: string;
  port?: number;
  uiPort?: number;
}): Promise<DevServerProcess> {
  quietRuntime();
  const bin = await devBinary();
  if (!bin) throw missingServer('The Temporal dev server binary');
  const port = opts.port ?? (await freePort());
  const address = `${HOST}:${port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    '--db-filename',
    opts.dbFile,
    '--log-level',
    'warn',
  ];
  args.push(
    ...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    ...recordingArgs(),
  );
  installExitHook();

  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('exit', () => live.delete(proc));
    await waitUntilServing(proc, address, () => output);
    announce(
      `dev server ${await devServerVersion(bin)} from ${bin} on ${address} (pid ${proc.pid}, db ${opts.dbFile})`,
    );
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // A graceful stop of a serving server (teardown, restart) records its histories first; a
    // SIGKILL is a test's deliberate crash and must not wait for anything.
    if (signal === 'SIGTERM' && recordDir()) await recordFrom(address);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const escalate = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    try {
      await exited;
    } finally {
      clearTimeout(escalate);
    }
  };

  await launch();
  return {
    address,
    port,
    dbFile: opts.dbFile,
    pid: () => child?.pid,
    stop,
    kill: () => stop('SIGKILL'),
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

async function recordFrom(address: string): Promise<void> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 2_000 });
    try {
      await recordHistories(new Client({ connection }), `dev server process on ${address}`);
    } finally {
      await connection.close();
    }
  } catch (err) {
    announce(
      `could not record histories from ${address}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

async function waitUntilServing(
  proc: ChildProcess,
  address: string,
  output: () => string,
  what = 'temporal dev server',
  // Serving gRPC is not enough for the dev server: workflows need the default namespace registered.
  probe: (connection: Connection) => Promise<unknown> = (connection) =>
    connection.workflowService.describeNamespace({ namespace: 'default' }),
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `${what} exited (${proc.exitCode ?? proc.signalCode}) before serving on ${address}:\n${output()}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await probe(connection);
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  proc.kill('SIGKILL');
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(
    `${what} did not serve on ${address} within ${READY_TIMEOUT_MS} ms (${reason}):\n${output()}`,
  );
}
