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
  bearerToken,
  guardRequest,
  pageCsp,
} from '../core/web-guard.js';
import { guardState } from './lib/guard-state.js';
import { matchRoute } from './lib/route-table.js';

const isDev = process.env.NODE_ENV === 'development';

function secure(res: Response, csp: string): Response {
  res.headers.set('content-security-policy', csp);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.headers.set(name, value);
  return res;
}

export function proxy(req: NextRequest): Response {
  const { guard, isToken: valid } = guardState();
  const url = req.nextUrl;
  // The raw path as sent (nextUrl.pathname may already be normalised).
  const rawPath = new URL(req.url).pathname;
  const route = matchRoute(url.pathname.replace(/(.)\/+$/, '$1'));
  const queryToken = url.searchParams.get('token');
  const fromQuery = (req.method === 'GET' || req.method === 'HEAD') && valid(queryToken);
  const hasValidToken =
    valid(bearerToken(req.headers.get('authorization'))) ||
    valid(req.cookies.get(TOKEN_COOKIE)?.value) ||
    fromQuery;

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
