/**
 * `npm test` runs this first (the `pretest` script): everything the suites need from outside npm is
 * found, or provisioned once into the cache, or named in one line saying how to get it.
 *
 *   Chromium             the console suites drive /usr/bin/chromium with playwright-core
 *   Temporal dev server  the Temporal CLI, built once with Go (scripts/temporal-servers.ts)
 *   time-skipping server Java's temporal-test-server, fetched once with Maven, run with java
 *
 * Exits 1 after listing every missing piece, so one run tells the whole story.
 */
import fs from 'node:fs';
import { devServerVersion, provisionServers } from './temporal-servers.js';

/** Where the console suites look for the browser (tests/support/console-harness.ts). */
const CHROMIUM_PATH = '/usr/bin/chromium';

async function main(): Promise<number> {
  const say = (line: string) => process.stdout.write(`[prereqs] ${line}\n`);
  const missing: string[] = [];
  if (fs.existsSync(CHROMIUM_PATH)) say(`chromium ${CHROMIUM_PATH}`);
  else
    missing.push(
      `Chromium: not at ${CHROMIUM_PATH}; install it with \`apt-get install chromium\` (Debian/Ubuntu).`,
    );

  const servers = await provisionServers({ log: say });
  if (servers.dev) say(`temporal dev server ${servers.dev} (Server ${await devServerVersion(servers.dev)})`);
  if (servers.test) say(`time-skipping test server ${servers.test}`);
  missing.push(...servers.missing);

  for (const line of missing) process.stderr.write(`[prereqs] missing: ${line}\n`);
  return missing.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[prereqs] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
