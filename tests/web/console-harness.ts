/**
 * The console as the browser suites run it: `next build web` once (only when no build exists),
 * `next start web` on a free port with a minimal environment, and Debian Chromium through
 * playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../support/ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEXT_BIN = path.join(ROOT, 'node_modules', '.bin', 'next');
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
  /** The last 20 kB of the server's output. */
  log: () => string;
  /** SIGTERM, then waits for the exit. */
  stop: () => Promise<void>;
}

/**
 * Starts `next start web` with `env` on top of a minimal environment (no model or GitHub keys
 * leak in from the developer's shell) and waits until `readyPath` answers 2xx.
 */
export async function startConsole(
  env: Record<string, string>,
  { readyPath = '/api/projects', timeoutMs = 60_000 }: { readyPath?: string; timeoutMs?: number } = {},
): Promise<ConsoleServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(NEXT_BIN, ['start', 'web', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
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
    if (server.exitCode !== null) throw new Error(`next start exited ${server.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${base}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer ${base}${readyPath} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, log: () => log, stop };
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
