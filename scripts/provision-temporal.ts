/**
 * `npm run provision`: makes sure both real Temporal servers are available (building or fetching
 * them into the cache on first run) and prints their paths, one per line:
 *
 *   dev-server <path to temporal CLI> (Server <version>)
 *   test-server <path to time-skipping launcher>
 *
 * Exits non-zero with one line per missing server saying how to get it.
 */
import { devServerVersion, provisionServers } from './temporal-servers.js';

async function main(): Promise<number> {
  const { dev, test, missing } = await provisionServers();
  if (dev) process.stdout.write(`dev-server ${dev} (Server ${await devServerVersion(dev)})\n`);
  if (test) process.stdout.write(`test-server ${test}\n`);
  for (const line of missing) process.stderr.write(`missing: ${line}\n`);
  return missing.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
