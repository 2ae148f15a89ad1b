/**
 * The 405 for methods a WHATWG `Request` cannot carry (see web/instrumentation.ts). Installed on
 * `http.Server.prototype.emit` so it also covers the server `next start` created before the hook
 * ran; installing twice is a no-op.
 */
import http from 'node:http';
import { STRICT_CSP, SECURITY_HEADERS } from '../../core/web-guard.js';
import { matchRoute } from './route-table.js';

/** Methods undici's `Request` refuses (fetch spec "forbidden method"). */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

const marker = Symbol.for('ratchet.forbiddenMethodGuard');

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  let pathname = '/';
  try {
    pathname = new URL(req.url ?? '/', 'http://console.invalid').pathname;
  } catch {
    // A request line Node accepted but URL cannot parse: no route, the default Allow.
  }
  const allow = (matchRoute(pathname.replace(/(.)\/+$/, '$1'))?.allow ?? ['GET', 'HEAD', 'OPTIONS']).join(
    ', ',
  );
  const body = JSON.stringify({
    error: { type: 'MethodNotAllowed', message: `${pathname} answers ${allow}, not ${req.method ?? ''}.` },
  });
  res.writeHead(405, {
    ...SECURITY_HEADERS,
    'content-security-policy': STRICT_CSP,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    allow,
    connection: 'close',
  });
  res.end(body);
  // The body (if any) is not read: close instead of draining it.
  req.resume();
}

export function installForbiddenMethodGuard(): void {
  const proto = http.Server.prototype as http.Server & { [marker]?: true };
  if (proto[marker]) return;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (FORBIDDEN_METHODS.has((req.method ?? '').toUpperCase())) {
        answer(req, res);
        return true;
      }
    }
    return (emit as (event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as typeof proto.emit;
  proto[marker] = true;
}
