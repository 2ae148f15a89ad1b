/**
 * The console's front door, as pure decisions over a request's facts (method, path, headers): the
 * Host check against DNS rebinding, the same-origin and JSON rules for mutations against CSRF, the
 * token rule off loopback, malformed paths and the body-size pre-check. web/proxy.ts gathers the
 * facts, asks `guardRequest`, and carries out the answer. README "Security" is the threat model.
 */

/** Largest request body any route reads (1 MiB); `readJson` enforces it again while streaming. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The cookie the console sets after `?token=` (HttpOnly, SameSite=Strict, Path=/). */
export const TOKEN_COOKIE = 'ratchet_token';

/**
 * Request header set by web/proxy.ts only (any incoming value is dropped there): `/api/health` then
 * answers `{ ok }` alone, for container health checks and callers without the token.
 */
export const HEALTH_MINIMAL_HEADER = 'x-ratchet-health-minimal';

/** Headers on every answer: nothing sniffed, nothing framed, no referrer leaves the console. */
export const SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

/** JSON, static files and refusals: nothing to run, nothing to frame. */
export const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Pages: scripts only with this request's nonce (Next stamps it on every script it renders, and
 * `'strict-dynamic'` lets those load their chunks), styles from the console or inline (see
 * below), nothing framed.
 * @param dev  `next dev` also needs eval (React Refresh) and its HMR websocket
 */
export function pageCsp(nonce: string, { dev = false }: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Inline styles are allowed: the diff view and the highlighter inject <style> elements and style
    // attributes without a nonce. CSS cannot run script, and what it could load is still bounded by
    // img-src, font-src and connect-src; model text never reaches the page as raw HTML (sanitised).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Methods that change state: they need a JSON body and a same-origin caller. */
export const MUTATING_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;

/** The one route that keeps its own authentication (an HMAC over the body) instead of ours. */
export const WEBHOOK_PATH = '/api/github/webhook';

export interface GuardConfig {
  /** The address the console is bound to (RATCHET_HOST), e.g. `127.0.0.1`, `0.0.0.0`, `192.168.1.5`. */
  boundHost: string;
  boundPort: number;
  /** Extra host names (RATCHET_ALLOWED_HOSTS), each `name` (any port) or `name:port`. */
  allowedHosts: readonly string[];
  /** True when every request must carry the token (see `tokenRequired`). */
  tokenRequired: boolean;
}

export interface RequestFacts {
  method: string;
  /** The raw path as sent, still percent-encoded. */
  rawPath: string;
  headers: { get(name: string): string | null };
  /** True when the request carries the right token (Bearer header or cookie). */
  hasValidToken: boolean;
  /** The methods the matched route answers (its `Allow` header); null when no route has this path. */
  allow: readonly string[] | null;
}

export type GuardRefusal = {
  kind: 'refuse';
  status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 421;
  type:
    | 'BadPath'
    | 'Unauthorized'
    | 'CrossOrigin'
    | 'NotFound'
    | 'MethodNotAllowed'
    | 'PayloadTooLarge'
    | 'UnsupportedMediaType'
    | 'MisdirectedRequest';
  message: string;
  /** Set on 405: the methods the route answers. */
  allow?: string;
};
export type GuardDecision = { kind: 'pass' } | GuardRefusal;

const refuse = (
  status: GuardRefusal['status'],
  type: GuardRefusal['type'],
  message: string,
  allow?: string,
): GuardRefusal => ({ kind: 'refuse', status, type, message, ...(allow ? { allow } : {}) });

/** True for names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The token is required off loopback (0.0.0.0 and :: count as off: they listen on every
 * interface) and whenever RATCHET_AUTH=token; RATCHET_AUTH=off only counts on loopback.
 */
export function tokenRequired(boundHost: string, auth: 'token' | 'off' | undefined): boolean {
  if (auth === 'token') return true;
  return !isLoopbackHost(boundHost);
}

/** Splits a Host header (or URL host) into a lower-case name and a port; null when malformed. */
export function parseHostHeader(value: string): { name: string; port: string | null } | null {
  const v = value.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return null;
  return { name: m[1]!, port: m[2] ?? null };
}

const bracketed = (name: string) => (name.includes(':') && !name.startsWith('[') ? `[${name}]` : name);

/**
 * Allowed Host values: the bound address with its port, `localhost`, `127.0.0.1` and `[::1]` on any
 * port, and each RATCHET_ALLOWED_HOSTS entry (`name` on any port, `name:port` on that port only).
 */
export function isAllowedHost(
  value: string | null,
  config: Pick<GuardConfig, 'boundHost' | 'boundPort' | 'allowedHosts'>,
): boolean {
  if (!value) return false;
  const host = parseHostHeader(value);
  if (!host) return false;
  if (['localhost', '127.0.0.1', '[::1]'].includes(host.name)) return true;
  if (host.name === bracketed(config.boundHost.toLowerCase()) && host.port === String(config.boundPort))
    return true;
  for (const entry of config.allowedHosts) {
    const allowed = parseHostHeader(entry);
    if (!allowed || allowed.name !== host.name) continue;
    if (allowed.port === null || allowed.port === host.port) return true;
  }
  return false;
}

/** Parses RATCHET_ALLOWED_HOSTS (comma-separated; blanks ignored). */
export function parseAllowedHosts(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => (s.includes(':') && !s.startsWith('[') && s.split(':').length > 2 ? `[${s}]` : s));
}

/** The host part of an `Origin` header, or null for `null`, a malformed value or a non-http(s) scheme. */
export function originHost(origin: string): string | null {
  const m = /^https?:\/\/([^/?#@]+)$/i.exec(origin.trim());
  return m ? m[1]! : null;
}

/** True when the media type is `application/json` (parameters such as charset allowed). */
export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** True when every `/`-separated segment of the raw path percent-decodes (Next throws a 500 otherwise). */
export function pathDecodes(rawPath: string): boolean {
  for (const segment of rawPath.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Decides a request in this order: Host (421), path (400), token (401, except the minimal health
 * answer and the webhook), method (405 with Allow; 404 for other methods on unknown paths), then
 * for mutations: size (413), JSON (415), same origin (403).
 */
export function guardRequest(req: RequestFacts, config: GuardConfig): GuardDecision {
  const host = req.headers.get('host');
  if (!isAllowedHost(host, config)) {
    return refuse(
      421,
      'MisdirectedRequest',
      `Host ${JSON.stringify(host ?? '')} is not this console's address; add it to RATCHET_ALLOWED_HOSTS if you reach Ratchet by that name.`,
    );
  }
  if (!pathDecodes(req.rawPath)) return refuse(400, 'BadPath', 'The path has a malformed percent-escape.');
  const path = req.rawPath.split('?')[0]!;
  const isWebhook = path === WEBHOOK_PATH;
  if (config.tokenRequired && !req.hasValidToken && !isWebhook && path !== '/api/health') {
    return refuse(
      401,
      'Unauthorized',
      'This console needs its token: open the URL from the `ready` line of `npm start`, or send `Authorization: Bearer <token>` ($RATCHET_HOME/auth-token).',
    );
  }
  const method = req.method.toUpperCase();
  if (req.allow === null) {
    if (method === 'GET' || method === 'HEAD') return { kind: 'pass' };
    return refuse(404, 'NotFound', `Nothing answers ${path}.`);
  }
  if (!req.allow.includes(method)) {
    const allow = req.allow.join(', ');
    return refuse(405, 'MethodNotAllowed', `${path} answers ${allow}, not ${method}.`, allow);
  }
  if (!(MUTATING_METHODS as readonly string[]).includes(method)) return { kind: 'pass' };
  const length = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(length) && length > MAX_BODY_BYTES) {
    return refuse(413, 'PayloadTooLarge', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (isWebhook) return { kind: 'pass' };
  if (!isJsonContentType(req.headers.get('content-type'))) {
    return refuse(
      415,
      'UnsupportedMediaType',
      'Send the body as JSON with `Content-Type: application/json`.',
    );
  }
  return sameOrigin(req.headers, config);
}

/**
 * The same-origin rule for mutations and WebSocket upgrades: an `Origin` must name an allowed
 * host; without one, `Sec-Fetch-Site` (when sent) must be `same-origin` or `none`. A request with
 * neither is a non-browser client (curl, scripts; browsers always send Origin on a WebSocket).
 */
export function sameOrigin(
  headers: RequestFacts['headers'],
  config: Pick<GuardConfig, 'boundHost' | 'boundPort' | 'allowedHosts'>,
): GuardDecision {
  const origin = headers.get('origin');
  if (origin !== null) {
    const from = originHost(origin);
    if (!from || !isAllowedHost(from, config)) {
      return refuse(403, 'CrossOrigin', `Origin ${JSON.stringify(origin)} may not change this console.`);
    }
    return { kind: 'pass' };
  }
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return refuse(403, 'CrossOrigin', `A ${site} request may not change this console.`);
  }
  return { kind: 'pass' };
}

/**
 * A WebSocket upgrade (the workspace terminal): every check of `guardRequest` for its GET (Host,
 * path, token, method), then the same-origin rule of mutations, since a socket that types into a
 * shell changes more than any POST (cross-site WebSocket hijacking).
 */
export function guardUpgrade(req: RequestFacts, config: GuardConfig): GuardDecision {
  const first = guardRequest(req, config);
  if (first.kind === 'refuse') return first;
  return sameOrigin(req.headers, config);
}

/** The value of cookie `name` in a `Cookie` header, or null (for callers without Next's parser). */
export function cookieValue(header: string | null | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}
