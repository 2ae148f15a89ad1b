/**
 * Every page and route handler of the console with the methods it answers, so the proxy can refuse
 * any other method with 405 and an `Allow` header before Next sees it (Next answers TRACE with a
 * 500). tests/web/route-table.test.ts compares this table with the `export const GET/POST/…` of
 * each web/app route file and the page files, so a new route or method cannot be forgotten here.
 * Pure data and matching; no I/O.
 */

export type RouteKind = 'api' | 'page';
export interface RouteEntry {
  /** Path pattern as in web/app, `[id]` for a dynamic segment. */
  pattern: string;
  kind: RouteKind;
  /** Methods the route file exports (pages: GET). */
  methods: readonly string[];
}

export const ROUTES: readonly RouteEntry[] = [
  { pattern: '/', kind: 'page', methods: ['GET'] },
  { pattern: '/inbox', kind: 'page', methods: ['GET'] },
  { pattern: '/health', kind: 'page', methods: ['GET'] },
  { pattern: '/insights', kind: 'page', methods: ['GET'] },
  { pattern: '/projects', kind: 'page', methods: ['GET'] },
  { pattern: '/projects/[id]', kind: 'page', methods: ['GET'] },
  { pattern: '/settings', kind: 'page', methods: ['GET'] },
  { pattern: '/workspaces/[id]', kind: 'page', methods: ['GET'] },
  { pattern: '/api/board/live', kind: 'api', methods: ['GET'] },
  { pattern: '/api/github/webhook', kind: 'api', methods: ['POST'] },
  { pattern: '/api/health', kind: 'api', methods: ['GET'] },
  { pattern: '/api/insights', kind: 'api', methods: ['GET'] },
  { pattern: '/api/projects', kind: 'api', methods: ['GET', 'POST'] },
  { pattern: '/api/notifications', kind: 'api', methods: ['GET'] },
  { pattern: '/api/notifications/live', kind: 'api', methods: ['GET'] },
  { pattern: '/api/notifications/read', kind: 'api', methods: ['POST'] },
  { pattern: '/api/projects/[id]/issues', kind: 'api', methods: ['GET'] },
  { pattern: '/api/projects/[id]/mcp-trust', kind: 'api', methods: ['GET', 'POST'] },
  // Static segments before `[id]`: the first pattern that matches wins.
  { pattern: '/api/projects/clones', kind: 'api', methods: ['POST'] },
  { pattern: '/api/projects/clones/[id]', kind: 'api', methods: ['GET'] },
  { pattern: '/api/projects/[id]', kind: 'api', methods: ['GET', 'PATCH', 'DELETE'] },
  { pattern: '/api/projects/[id]/poke', kind: 'api', methods: ['POST'] },
  { pattern: '/api/projects/[id]/trust', kind: 'api', methods: ['POST'] },
  { pattern: '/api/settings', kind: 'api', methods: ['GET', 'PATCH'] },
  { pattern: '/api/workspaces', kind: 'api', methods: ['GET', 'POST'] },
  { pattern: '/api/workspaces/[id]', kind: 'api', methods: ['GET'] },
  { pattern: '/api/workspaces/[id]/approve-plan', kind: 'api', methods: ['POST'] },
  { pattern: '/api/workspaces/[id]/archive', kind: 'api', methods: ['POST'] },
  { pattern: '/api/workspaces/[id]/budget', kind: 'api', methods: ['POST'] },
  { pattern: '/api/workspaces/[id]/diff', kind: 'api', methods: ['GET'] },
  { pattern: '/api/workspaces/[id]/events', kind: 'api', methods: ['GET'] },
  { pattern: '/api/workspaces/[id]/live', kind: 'api', methods: ['GET'] },
  { pattern: '/api/workspaces/[id]/mcp-trust', kind: 'api', methods: ['GET', 'POST'] },
  { pattern: '/api/workspaces/[id]/messages', kind: 'api', methods: ['GET', 'POST'] },
  { pattern: '/api/workspaces/[id]/open-pr', kind: 'api', methods: ['POST'] },
  { pattern: '/api/workspaces/[id]/ratchet', kind: 'api', methods: ['GET', 'POST'] },
  { pattern: '/api/workspaces/[id]/run', kind: 'api', methods: ['GET', 'POST', 'DELETE'] },
  { pattern: '/api/workspaces/[id]/run/live', kind: 'api', methods: ['GET'] },
  // Its GET is the WebSocket upgrade (web/server.ts takes it before Next; a plain GET gets 426).
  { pattern: '/api/workspaces/[id]/terminal', kind: 'api', methods: ['GET'] },
  { pattern: '/api/workspaces/[id]/stop', kind: 'api', methods: ['POST'] },
  { pattern: '/api/workspaces/[id]/trust', kind: 'api', methods: ['POST'] },
];

/** Next's own files (scripts, CSS, fonts) and the icon: read-only. */
const STATIC_PREFIXES = ['/_next/'];

export interface RouteMatch {
  kind: RouteKind | 'static';
  pattern: string;
  /** The `Allow` header: the exported methods, HEAD wherever GET is, and OPTIONS. */
  allow: string[];
}

function allowOf(methods: readonly string[]): string[] {
  const out = [...methods];
  if (out.includes('GET') && !out.includes('HEAD')) out.splice(out.indexOf('GET') + 1, 0, 'HEAD');
  if (!out.includes('OPTIONS')) out.push('OPTIONS');
  return out;
}

function matches(pattern: string, segments: string[]): boolean {
  const want = pattern.split('/').filter(Boolean);
  if (want.length !== segments.length) return false;
  return want.every((w, i) =>
    w.startsWith('[') && w.endsWith(']') ? segments[i] !== '' : w === segments[i],
  );
}

/** The route a (decoded or raw) path belongs to; null for paths no page or route answers. */
export function matchRoute(pathname: string): RouteMatch | null {
  if (STATIC_PREFIXES.some((p) => pathname.startsWith(p)) || pathname === '/favicon.ico') {
    return { kind: 'static', pattern: pathname, allow: ['GET', 'HEAD', 'OPTIONS'] };
  }
  const segments = pathname.split('/').filter(Boolean);
  for (const r of ROUTES)
    if (matches(r.pattern, segments)) return { kind: r.kind, pattern: r.pattern, allow: allowOf(r.methods) };
  return null;
}
