/**
 * The console's server (what `npm start` runs as `web`): Next's production request handler for
 * every page and route (web/proxy.ts guards them), plus the WebSocket upgrade of the workspace
 * terminal (web/terminal-server.ts), which Next's route handlers cannot take. One process, one
 * port, so the terminal shares the console's origin, cookie and CSP `connect-src 'self'`. It also
 * owns the workspaces' run scripts (web/run-script-server.ts), which the routes reach through
 * web/lib/run-script-host.ts.
 *
 *   node --import tsx web/server.ts      (binds RATCHET_HOST:RATCHET_PORT; `next build web` first)
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { getConfig } from './lib/env.js';
import { installRunScriptHost } from './lib/run-script-host.js';
import { createRunScriptServer } from './run-script-server.js';
import { createTerminalServer } from './terminal-server.js';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const { host, port, home } = getConfig();
  // Before anything listens: kill the run scripts a console that died left behind.
  const runs = createRunScriptServer({ recordDir: path.join(home, 'run-scripts') });
  installRunScriptHost(runs);
  // Next attaches its own `upgrade` listener (HMR, rewrites to other hosts; neither is used in
  // production here) to `httpServer`, or else to the server of the first request it handles,
  // where it would take the terminal's sockets too. It gets a server that never listens.
  const app = next({ dev: false, dir: WEB_DIR, hostname: host, port, httpServer: http.createServer() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const terminals = createTerminalServer();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`request failed: ${err instanceof Error ? err.message : String(err)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // Only the terminal upgrades; any other upgrade is refused by the same checks (then 404).
  server.on('upgrade', terminals.handleUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  process.stdout.write(`console listening on ${host}:${port}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    terminals.close();
    runs.close();
    server.close();
    server.closeAllConnections();
    void app.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
