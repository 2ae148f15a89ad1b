/**
 * Runs once when the console's server starts (Next.js instrumentation hook, Node.js runtime).
 *
 * CONNECT, TRACE and TRACK are "forbidden methods" for the WHATWG `Request` that Next builds for
 * web/proxy.ts and every route handler, so such a request threw before any of our code ran and
 * Next answered 500 (issue 9). The HTTP server's `request` event is the last place before that:
 * these methods are answered here with 405 and the `Allow` header of the route table, and every
 * other request goes on to Next unchanged.
 *
 * It also loads the configuration (web/lib/env.ts), so a bad variable or config file stops the
 * console at start-up with every offending field named, instead of failing its first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getConfig } = await import('./lib/env.js');
  try {
    getConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const { installForbiddenMethodGuard } = await import('./lib/forbidden-methods.js');
  installForbiddenMethodGuard();
}
