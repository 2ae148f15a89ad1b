/**
 * `npm test` runs this first (the `pretest` script): everything the suites need from outside npm is
 * found, or provisioned once into the cache, or named in one line saying how to get it.
 *
 *   Chromium            the console suites drive /usr/bin/chromium with playwright-core
 *   Temporal dev server the Temporal CLI, built once with Go (scripts/temporal-servers.ts)
 *   time-skipping server Java's temporal-test-server, fetched once with Maven, run with java
 *
 * Exits 1 after listing every missing piece, so one run tells the whole story.
 */
import fs from 'node:fs';
import {
  devServerVersion,
  resolveDevServer,
  resolveTestServer,
  TEMPORAL_CLI_MODULE,
  TEMPORAL_CLI_VERSION,
  which,
} from './temporal-servers.js';

/** Where the console suites look for the browser (tests/web/console-harness.ts). */
const CHROMIUM_PATH = '/usr/bin/chromium';

async function main(): Promise<number> {
  const missing: string[] = [];
  const say = (line: string) => process.stdout.write(`[prereqs] ${line}\n`);

  if (fs.existsSync(CHROMIUM_PATH)) say(`chromium ${CHROMIUM_PATH}`);
  else
    missing.push(
      `Chromium: not at ${CHROMIUM_PATH}; install it with \`apt-get install chromium\` (Debian/Ubuntu).`,
    );

  const dev = await resolveDevServer({ log: say });
  if (dev) say(`temporal dev server ${dev} (Server ${await devServerVersion(dev)})`);
  else if (!which('go'))
    missing.push(
      `Temporal CLI: none on PATH or in the cache, and no Go to build it; install Go (\`apt-get install golang\`, go.dev/dl) ` +
        `or the CLI (\`brew install temporal\`), or set RATCHET_TEMPORAL_BIN.`,
    );
  else
    missing.push(
      `Temporal CLI: \`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\` failed (see above).`,
    );

  const test = await resolveTestServer({ log: say });
  if (test) say(`time-skipping test server ${test}`);
  else if (!which('java'))
    missing.push(
      'Time-skipping test server: needs Java 11+; install a JDK (`apt-get install default-jdk-headless maven`).',
    );
  else if (!which('mvn'))
    missing.push(
      'Time-skipping test server: its jars are fetched once with Maven; install it (`apt-get install maven`).',
    );
  else missing.push('Time-skipping test server: the Maven fetch failed (see above).');

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
