/**
 * Finds, or provisions once into a cache outside the repo, the two real Temporal servers the test
 * suites run against: the Temporal CLI dev server and the Java time-skipping test server.
 *
 * Nothing here goes through a shell: every subprocess is `execFile` with an argument array.
 * Provisioned files are written to a temporary name and renamed into place, so two processes
 * provisioning at once never see a half-written binary.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseEnv as parseRatchetEnv, type Env } from '../core/config.js';

const execFileAsync = promisify(execFile);

/** The last Temporal CLI tag that can be built with `go install` (later tags use `replace` directives). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** The Java SDK release whose `temporal-test-server` artifact backs the time-skipping server. */
export const TEST_SERVER_VERSION = '1.38.0';

/** The one line printed when no server can be found, provisioned or downloaded. */
export const NO_SERVER_HELP =
  `No Temporal server available. Install one: \`brew install temporal\`, ` +
  `\`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\`, or \`docker compose up temporal\` ` +
  `(or set RATCHET_TEMPORAL_BIN / RATCHET_TEMPORAL_TEST_SERVER to existing executables).`;

/** What this module reads of the environment: three overrides from the one config schema, and PATH. */
type ServerEnv = Pick<Env, 'RATCHET_TEMPORAL_BIN' | 'RATCHET_TEMPORAL_TEST_SERVER' | 'RATCHET_CACHE_DIR'> & {
  PATH: string | undefined;
};

/** Thrown when an override variable points at something that is not an executable file. */
export class ServerOverrideError extends Error {
  readonly type = 'ServerOverrideInvalid';
  constructor(
    readonly variable: string,
    readonly value: string,
  ) {
    super(`${variable}=${value} is not an executable file.`);
    this.name = 'ServerOverrideError';
  }
}

export interface ResolveOptions {
  /** Environment to read overrides from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress sink. @default writes the line to stderr */
  log?: (line: string) => void;
  /** Whether a missing server may be built/fetched (go install, mvn). @default true */
  provision?: boolean;
}

function parseEnv(env: NodeJS.ProcessEnv): ServerEnv {
  const { RATCHET_TEMPORAL_BIN, RATCHET_TEMPORAL_TEST_SERVER, RATCHET_CACHE_DIR } = parseRatchetEnv(env);
  return {
    RATCHET_TEMPORAL_BIN,
    RATCHET_TEMPORAL_TEST_SERVER,
    RATCHET_CACHE_DIR,
    PATH: env.PATH || undefined,
  };
}

const stderrLog = (line: string): void => {
  process.stderr.write(`[temporal] ${line}\n`);
};

/** `RATCHET_CACHE_DIR`, else `~/.cache/ratchet`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(parseEnv(env).RATCHET_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'ratchet'));
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of `name` on PATH, or null. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = (parseEnv(env).PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function override(
  variable: 'RATCHET_TEMPORAL_BIN' | 'RATCHET_TEMPORAL_TEST_SERVER',
  env: ServerEnv,
): string | null {
  const value = env[variable];
  if (value === undefined) return null;
  const resolved = path.resolve(value);
  if (!isExecutable(resolved)) throw new ServerOverrideError(variable, value);
  return resolved;
}

/**
 * Path to a `temporal` CLI binary: `RATCHET_TEMPORAL_BIN`, a `temporal` on PATH, the cached build,
 * else a fresh `go install` into the cache when Go is available; null when none of these works.
 */
export async function resolveDevServer(opts: ResolveOptions = {}): Promise<string | null> {
  const rawEnv = opts.env ?? process.env;
  const env = parseEnv(rawEnv);
  const log = opts.log ?? stderrLog;
  const fromEnv = override('RATCHET_TEMPORAL_BIN', env);
  if (fromEnv) return fromEnv;
  const onPath = which('temporal', rawEnv);
  if (onPath) return onPath;
  const binDir = path.join(cacheDir(rawEnv), 'bin');
  const cached = path.join(binDir, 'temporal');
  if (isExecutable(cached)) return cached;
  if (opts.provision === false) return null;
  const go = which('go', rawEnv);
  if (!go) return null;

  // Build into a private GOBIN, then rename: a concurrent caller sees either nothing or the whole binary.
  fs.mkdirSync(binDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(binDir, '.go-install-'));
  log(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} (first run only: it downloads and compiles ` +
      `about 400 Go packages, 3–8 minutes on 2 cores; later starts reuse ${cached})`,
  );
  try {
    // `-v` prints each package as it is compiled: the progress lines count them.
    await runWithProgress(go, ['install', '-v', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...rawEnv, GOBIN: staging, CGO_ENABLED: rawEnv.CGO_ENABLED ?? '0' },
      log,
      what: 'building the Temporal CLI',
      unit: 'packages compiled',
      counts: (line) => /^[\w.-]+(\/[\w.@~+-]+)*$/.test(line),
    });
    fs.renameSync(path.join(staging, 'temporal'), cached);
    log(`built ${cached}`);
    return cached;
  } catch (err) {
    log(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed: ${errorText(err)}`);
    return null;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Path to an executable launcher taking `<port>` that runs the Java time-skipping test server:
 * `RATCHET_TEMPORAL_TEST_SERVER`, the cached launcher, else (with Java) a launcher over the cached
 * jars, fetching them with Maven first if needed; null when none of these works.
 */
export async function resolveTestServer(opts: ResolveOptions = {}): Promise<string | null> {
  const rawEnv = opts.env ?? process.env;
  const env = parseEnv(rawEnv);
  const log = opts.log ?? stderrLog;
  const fromEnv = override('RATCHET_TEMPORAL_TEST_SERVER', env);
  if (fromEnv) return fromEnv;
  const cache = cacheDir(rawEnv);
  const launcher = path.join(cache, 'bin', 'temporal-test-server');
  if (isExecutable(launcher)) return launcher;
  if (opts.provision === false) return null;
  const java = which('java', rawEnv);
  if (!java) return null;

  const libDir = path.join(cache, `temporal-test-server-${TEST_SERVER_VERSION}`, 'lib');
  if (!hasTestServerJars(libDir)) {
    const mvn = which('mvn', rawEnv);
    if (!mvn) return null;
    if (!(await fetchTestServerJars(mvn, libDir, rawEnv, log))) return null;
  }
  writeLauncher(launcher, libDir);
  log(`wrote ${launcher}`);
  return launcher;
}

function hasTestServerJars(libDir: string): boolean {
  return fs.existsSync(path.join(libDir, `temporal-test-server-${TEST_SERVER_VERSION}.jar`));
}

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.ratchet</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

async function fetchTestServerJars(
  mvn: string,
  libDir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<boolean> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-test-server-pom-'));
  const parent = path.dirname(libDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, '.lib-'));
  log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with ${mvn} (first run only)`);
  try {
    fs.writeFileSync(path.join(work, 'pom.xml'), POM);
    await runWithProgress(
      mvn,
      [
        '-B',
        '--no-transfer-progress',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${staging}`,
      ],
      {
        cwd: work,
        env,
        log,
        what: 'fetching the time-skipping test server',
        unit: 'jars copied',
        counts: (line) => /Copying .*\.jar/.test(line),
      },
    );
    if (!hasTestServerJars(staging))
      throw new Error(`maven finished but ${staging} has no temporal-test-server jar`);
    try {
      fs.renameSync(staging, libDir);
    } catch (err) {
      // Another process got there first; its copy is as good as ours.
      if (!hasTestServerJars(libDir)) throw err;
    }
    log(`fetched jars into ${libDir}`);
    return true;
  } catch (err) {
    log(`maven fetch of the test server failed: ${errorText(err)}`);
    return false;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

interface ProgressOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  log: (line: string) => void;
  /** What is going on, for the progress line: "building the Temporal CLI". */
  what: string;
  /** What `counts` counts: "packages compiled". */
  unit: string;
  /** Which output lines are a unit of progress. */
  counts: (line: string) => boolean;
  /** How often a progress line is printed. @default 15_000 */
  everyMs?: number;
}

/**
 * Runs a long provisioning command (no shell) and prints a progress line every `everyMs` while it
 * runs, so a first start never sits silent for minutes. Rejects with the last lines of its output
 * when it exits non-zero.
 */
export function runWithProgress(cmd: string, args: string[], opts: ProgressOptions): Promise<void> {
  const started = Date.now();
  let count = 0;
  const tail: string[] = [];
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.trim();
        if (line === '') continue;
        if (opts.counts(line)) count++;
        tail.push(line);
        if (tail.length > 8) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const secs = Math.round((Date.now() - started) / 1000);
      const clock = `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s`;
      opts.log(`still ${opts.what}: ${clock}, ${count} ${opts.unit}`);
    }, opts.everyMs ?? 15_000);
    child.once('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearInterval(timer);
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${cmd} ${args.join(' ')} ${how}: ${tail.slice(-5).join(' | ')}`));
    });
  });
}

/** POSIX single-quote a string so the launcher is correct for any directory name. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function writeLauncher(launcher: string, libDir: string): void {
  fs.mkdirSync(path.dirname(launcher), { recursive: true });
  const script = `#!/bin/sh\n# Temporal time-skipping test server ${TEST_SERVER_VERSION}; usage: temporal-test-server <port>\nexec java -cp ${shellQuote(`${libDir}/*`)} io.temporal.testserver.TestServer "$@"\n`;
  const tmp = `${launcher}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, script, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, launcher);
}

export interface ProvisionResult {
  dev: string | null;
  test: string | null;
  /** One line per server that could not be had, saying how to get it. */
  missing: string[];
}

/**
 * Both servers, found or provisioned into the cache (`npm run provision`, and `npm test`'s
 * prerequisites check); what cannot be had is named with the install that would fix it.
 */
export async function provisionServers(opts: ResolveOptions = {}): Promise<ProvisionResult> {
  const env = opts.env ?? process.env;
  const missing: string[] = [];
  const dev = await resolveDevServer(opts);
  if (!dev) {
    missing.push(
      which('go', env)
        ? `Temporal CLI: \`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\` failed (see above).`
        : 'Temporal CLI: none on PATH or in the cache, and no Go to build it; install Go (`apt-get install golang`, ' +
            'go.dev/dl) or the CLI (`brew install temporal`), or set RATCHET_TEMPORAL_BIN.',
    );
  }
  const test = await resolveTestServer(opts);
  if (!test) {
    missing.push(
      !which('java', env)
        ? 'Time-skipping test server: needs Java 11+; install a JDK (`apt-get install default-jdk-headless maven`).'
        : !which('mvn', env)
          ? 'Time-skipping test server: its jars are fetched once with Maven; install it (`apt-get install maven`).'
          : 'Time-skipping test server: the Maven fetch failed (see above).',
    );
  }
  return { dev, test, missing };
}

/** The Temporal Server version inside a CLI binary (`temporal --version` → "Server 1.29.1"), or 'unknown'. */
export async function devServerVersion(bin: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(bin, ['--version'], { timeout: 15_000 });
    return /Server ([0-9][^,)\s]*)/.exec(stdout)?.[1] ?? (stdout.trim() || 'unknown');
  } catch {
    return 'unknown';
  }
}

function errorText(err: unknown): string {
  if (
    err &&
    typeof err === 'object' &&
    'stderr' in err &&
    typeof err.stderr === 'string' &&
    err.stderr.trim() !== ''
  ) {
    return err.stderr.trim().split('\n').slice(-5).join(' | ');
  }
  return err instanceof Error ? err.message : String(err);
}
