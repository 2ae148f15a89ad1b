/**
 * The console as the browser suites run it: `next build web` once (only when no build exists),
 * web/server.ts (Next's production handler plus the terminal's WebSocket, as `npm start` runs it)
 * on a free port with a minimal environment, and Debian Chromium through playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from './ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEXT_BIN = path.join(ROOT, 'node_modules', '.bin', 'next');
const SERVER = path.join(ROOT, 'web', 'server.ts');
const CHROMIUM = '/usr/bin/chromium';

/**
 * `npm test` builds the console before vitest starts; rebuilding here would pull the build out
 * from under other suites running `next start` in parallel. Builds only when none exists.
 */
export function ensureConsoleBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'web', '.next', 'BUILD_ID'))) return;
  const build = spawnSync(NEXT_BIN, ['build', 'web'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) throw new Error(`next build web failed:\n${build.stdout}\n${build.stderr}`);
}

export interface ConsoleServer {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  /** The server's process id (web/server.ts serves pages, routes and terminals in this process). */
  pid: number;
  /** The last 20 kB of the server's output. */
  log: () => string;
  /** SIGTERM, then waits for the exit. */
  stop: () => Promise<void>;
}

export interface StartConsoleOptions {
  /** @default '/api/projects' */
  readyPath?: string;
  /** When the answer to `readyPath` means "up". @default any 2xx */
  ready?: (res: Response) => boolean;
  timeoutMs?: number;
  /** The address `next start` binds (and RATCHET_HOST); reached through 127.0.0.1. @default '127.0.0.1' */
  host?: string;
}

/**
 * Starts the console (web/server.ts) with `env` on top of a minimal environment (no model or GitHub keys
 * leak in from the developer's shell) and waits until `readyPath` answers 2xx. RATCHET_HOST and
 * RATCHET_PORT name the bound address, as `npm start` passes them, so the Host check knows it.
 */
export async function startConsole(
  env: Record<string, string>,
  {
    readyPath = '/api/projects',
    ready = (res) => res.ok,
    timeoutMs = 60_000,
    host = '127.0.0.1',
  }: StartConsoleOptions = {},
): Promise<ConsoleServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      RATCHET_HOST: host,
      RATCHET_PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (b: Buffer) => {
    log = (log + b.toString('utf8')).slice(-20_000);
  };
  server.stdout?.on('data', collect);
  server.stderr?.on('data', collect);
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the console exited ${server.exitCode}:\n${log}`);
    try {
      if (ready(await fetch(`${base}${readyPath}`))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the console did not answer ${base}${readyPath} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, port, pid: server.pid!, log: () => log, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);
  return page;
}
