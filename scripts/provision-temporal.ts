/**
 * `npm run provision`: makes sure both real Temporal servers are available (building or fetching
 * them into the cache on first run) and prints their paths, one per line:
 *
 *   dev-server <path to temporal CLI> (Server <version>)
 *   test-server <path to time-skipping launcher>
 *
 * Exits non-zero with one line saying how to get a server when either cannot be provisioned.
 */
import { devServerVersion, NO_SERVER_HELP, resolveDevServer, resolveTestServer } from './temporal-servers.js';

async function main(): Promise<number> {
  const dev = await resolveDevServer();
  const test = await resolveTestServer();
  if (dev) process.stdout.write(`dev-server ${dev} (Server ${await devServerVersion(dev)})\n`);
  if (test) process.stdout.write(`test-server ${test}\n`);
  if (dev && test) return 0;
  const missing = [dev ? null : 'dev server (temporal CLI)', test ? null : 'time-skipping test server (needs java, plus mvn on first run)']
    .filter((m) => m !== null)
    .join(' and ');
  process.stderr.write(`Could not provision the ${missing}. ${NO_SERVER_HELP}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)} ${NO_SERVER_HELP}\n`);
    process.exit(1);
  },
);
