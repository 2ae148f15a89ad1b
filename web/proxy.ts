/**
 * In front of every page, route and static file (Next.js 16 proxy, Node.js runtime): the checks of
 * core/web-guard.ts (Host, path, token, method, body size, JSON, same origin), the `?token=` →
 * cookie exchange, the minimal `/api/health` for callers without the token, and the security
 * headers with a fresh CSP nonce per page. Refusals answer here, before any handler runs.
 */
import { NextResponse, type NextRequest } from 'next/server';
import {
  HEALTH_MINIMAL_HEADER,
  SECURITY_HEADERS,
  STRICT_CSP,
  TOKEN_COOKIE,
  guardRequest,
  pageCsp,
  parseAllowedHosts,
  tokenRequired,
  type GuardConfig,
} from '../core/web-guard.js';
import { ensureAuthToken, readAuthToken, tokenMatches } from './lib/auth-token.js';
import { getConfig } from './lib/env.js';
import { matchRoute } from './lib/route-table.js';

interface ProxyState {
  guard: GuardConfig;
  /** Null while no token file exists and none is required. */
  token: () => string | null;
}

const cache = globalThis as unknown as { __ratchetProxy?: ProxyState };

function state(): ProxyState {
  if (cache.__ratchetProxy) return cache.__ratchetProxy;
  const config = getConfig();
  const required = tokenRequired(config.host, config.env.RATCHET_AUTH);
  // Required: make sure it exists now (the supervisor normally wrote it already). Optional: read
  // it when present, so a token sent on loopback is still exchanged for the cookie.
  let token: string | null = required ? ensureAuthToken(config.home) : null;
  const s: ProxyState = {
    guard: {
      boundHost: config.host,
      boundPort: config.port,
      allowedHosts: parseAllowedHosts(config.env.RATCHET_ALLOWED_HOSTS),
      tokenRequired: required,
    },
    token: () => (token ??= readAuthToken(config.home)),
  };
  cache.__ratchetProxy = s;
  return s;
}

const isDev = process.env.NODE_ENV === 'development';

function secure(res: Response, csp: string): Response {
  res.headers.set('content-security-policy', csp);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.headers.set(name, value);
  return res;
}

function bearer(req: NextRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '');
  return m ? m[1]! : null;
}

export function proxy(req: NextRequest): Response {
  const { guard, token } = state();
  const url = req.nextUrl;
  // The raw path as sent (nextUrl.pathname may already be normalised).
  const rawPath = new URL(req.url).pathname;
  const route = matchRoute(url.pathname.replace(/(.)\/+$/, '$1'));
  const expected = token();
  const queryToken = url.searchParams.get('token');
  const valid = (t: string | null | undefined) => expected !== null && tokenMatches(expected, t);
  const fromQuery = (req.method === 'GET' || req.method === 'HEAD') && valid(queryToken);
  const hasValidToken = valid(bearer(req)) || valid(req.cookies.get(TOKEN_COOKIE)?.value) || fromQuery;

  const decision = guardRequest(
    { method: req.method, rawPath, headers: req.headers, hasValidToken, allow: route?.allow ?? null },
    guard,
  );
  if (decision.kind === 'refuse') {
    const res = Response.json(
      { error: { type: decision.type, message: decision.message } },
      { status: decision.status },
    );
    if (decision.allow) res.headers.set('allow', decision.allow);
    return secure(res, STRICT_CSP);
  }
  if (req.method === 'OPTIONS') {
    // No CORS: a preflight from another origin gets no Access-Control-Allow-* and stops there.
    return secure(
      new Response(null, { status: 204, headers: { allow: route!.allow.join(', ') } }),
      STRICT_CSP,
    );
  }
  if (fromQuery) {
    const clean = new URL(req.url);
    clean.searchParams.delete('token');
    const res = NextResponse.redirect(clean, 303);
    res.cookies.set(TOKEN_COOKIE, queryToken!, { httpOnly: true, sameSite: 'strict', path: '/' });
    return secure(res, STRICT_CSP);
  }

  const headers = new Headers(req.headers);
  headers.delete(HEALTH_MINIMAL_HEADER);
  if (route?.pattern === '/api/health' && guard.tokenRequired && !hasValidToken)
    headers.set(HEALTH_MINIMAL_HEADER, '1');
  const isPage = route === null || route.kind === 'page';
  if (!isPage) return secure(NextResponse.next({ request: { headers } }), STRICT_CSP);
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = pageCsp(nonce, { dev: isDev });
  // Next reads the nonce from the request's CSP header and puts it on every script it renders.
  headers.set('content-security-policy', csp);
  headers.set('x-nonce', nonce);
  return secure(NextResponse.next({ request: { headers } }), csp);
}

export const config = {
  // Everything: pages, API routes, Next's static files (a rebinding page must not read those either).
  matcher: '/:path*',
};
