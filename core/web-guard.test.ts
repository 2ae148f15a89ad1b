import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  cookieValue,
  guardRequest,
  guardUpgrade,
  isAllowedHost,
  isJsonContentType,
  originHost,
  pageCsp,
  parseAllowedHosts,
  pathDecodes,
  tokenRequired,
  type GuardConfig,
  type RequestFacts,
} from './web-guard.js';

const config: GuardConfig = {
  boundHost: '192.168.1.5',
  boundPort: 3000,
  allowedHosts: ['ratchet.lan', 'box:8080'],
  tokenRequired: false,
};

function facts(
  over: Omit<Partial<RequestFacts>, 'headers'> & { headers?: Record<string, string> } = {},
): RequestFacts {
  const headers = new Map(
    Object.entries({ host: '127.0.0.1:3000', ...over.headers }).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    method: over.method ?? 'GET',
    rawPath: over.rawPath ?? '/api/projects',
    headers: { get: (n) => headers.get(n.toLowerCase()) ?? null },
    hasValidToken: over.hasValidToken ?? false,
    allow: over.allow === undefined ? ['GET', 'HEAD', 'POST', 'OPTIONS'] : over.allow,
  };
}
const statusOf = (f: RequestFacts, c: GuardConfig = config) => {
  const d = guardRequest(f, c);
  return d.kind === 'pass' ? 'pass' : d.status;
};
const json = { 'content-type': 'application/json' };

describe('isAllowedHost', () => {
  it.each<[string | null, boolean]>([
    ['localhost', true],
    ['localhost:1', true],
    ['127.0.0.1:3000', true],
    ['[::1]:9999', true],
    ['192.168.1.5:3000', true],
    ['192.168.1.5:3001', false],
    ['ratchet.lan', true],
    ['ratchet.lan:4000', true],
    ['box:8080', true],
    ['box:8081', false],
    ['evil.example:3000', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io:3000', false],
    ['', false],
    [null, false],
    ['user@localhost', false],
  ])('isAllowedHost %j → %s', (host, ok) => expect(isAllowedHost(host, config)).toBe(ok));
});

describe('guardRequest', () => {
  it.each<[string, RequestFacts, GuardConfig, ReturnType<typeof statusOf>]>([
    [
      'a rebinding Host gets 421 before anything else',
      facts({ headers: { host: 'evil.example:3000' }, rawPath: '/%' }),
      config,
      421,
    ],
    ['a missing Host gets 421', facts({ headers: { host: '' } }), config, 421],
    ['a bad percent-escape gets 400', facts({ rawPath: '/api/workspaces/%' }), config, 400],
    ['no token when required gets 401', facts(), { ...config, tokenRequired: true }, 401],
    ['the token passes', facts({ hasValidToken: true }), { ...config, tokenRequired: true }, 'pass'],
    [
      'health answers without the token (minimal)',
      facts({ rawPath: '/api/health' }),
      { ...config, tokenRequired: true },
      'pass',
    ],
    [
      'the webhook answers without the token (HMAC)',
      facts({ rawPath: '/api/github/webhook', method: 'POST', allow: ['POST'] }),
      { ...config, tokenRequired: true },
      'pass',
    ],
    ['an unanswered method gets 405', facts({ method: 'DELETE', headers: json }), config, 405],
    [
      'a non-GET on an unknown path gets 404',
      facts({ method: 'POST', allow: null, headers: json }),
      config,
      404,
    ],
    ['a GET on an unknown path goes to the not-found page', facts({ allow: null }), config, 'pass'],
    [
      'text/plain POST gets 415',
      facts({ method: 'POST', headers: { 'content-type': 'text/plain' } }),
      config,
      415,
    ],
    ['a POST without Content-Type gets 415', facts({ method: 'POST' }), config, 415],
    [
      'a declared body over 1 MiB gets 413',
      facts({ method: 'POST', headers: { ...json, 'content-length': String(2 ** 21) } }),
      config,
      413,
    ],
    [
      'a foreign Origin gets 403',
      facts({ method: 'POST', headers: { ...json, origin: 'https://evil.example' } }),
      config,
      403,
    ],
    ['Origin null gets 403', facts({ method: 'POST', headers: { ...json, origin: 'null' } }), config, 403],
    [
      'Sec-Fetch-Site cross-site gets 403',
      facts({ method: 'POST', headers: { ...json, 'sec-fetch-site': 'cross-site' } }),
      config,
      403,
    ],
    [
      'Sec-Fetch-Site same-site gets 403',
      facts({ method: 'POST', headers: { ...json, 'sec-fetch-site': 'same-site' } }),
      config,
      403,
    ],
    [
      'the console’s own origin passes',
      facts({ method: 'POST', headers: { ...json, origin: 'http://127.0.0.1:3000' } }),
      config,
      'pass',
    ],
    [
      'Sec-Fetch-Site same-origin passes',
      facts({ method: 'POST', headers: { ...json, 'sec-fetch-site': 'same-origin' } }),
      config,
      'pass',
    ],
    ['curl (neither header) passes', facts({ method: 'POST', headers: json }), config, 'pass'],
    [
      'the webhook keeps its HMAC instead of the JSON rule',
      facts({
        method: 'POST',
        rawPath: '/api/github/webhook',
        allow: ['POST'],
        headers: { 'content-type': 'text/plain' },
      }),
      config,
      'pass',
    ],
  ])('guardRequest: %s', (_name, f, c, expected) => expect(statusOf(f, c)).toBe(expected));

  it('names the refused Host and the allowed methods', () => {
    const d = guardRequest(facts({ headers: { host: 'evil.example' } }), config);
    expect(d).toMatchObject({
      kind: 'refuse',
      type: 'MisdirectedRequest',
      message: expect.stringContaining('evil.example'),
    });
    expect(guardRequest(facts({ method: 'TRACE' }), config)).toMatchObject({
      status: 405,
      allow: 'GET, HEAD, POST, OPTIONS',
    });
  });
});

describe('tokenRequired', () => {
  it.each<[string, 'token' | 'off' | undefined, boolean]>([
    ['127.0.0.1', undefined, false],
    ['localhost', undefined, false],
    ['::1', undefined, false],
    ['127.0.0.1', 'token', true],
    ['0.0.0.0', undefined, true],
    ['0.0.0.0', 'off', true],
    ['::', 'off', true],
    ['192.168.1.5', undefined, true],
  ])('tokenRequired %s with RATCHET_AUTH=%s → %s', (host, auth, required) =>
    expect(tokenRequired(host, auth)).toBe(required),
  );
});

describe('small parsers', () => {
  it.each<[string, string | null]>([
    ['http://127.0.0.1:3000', '127.0.0.1:3000'],
    ['https://evil.example', 'evil.example'],
    ['null', null],
    ['file://', null],
    ['http://a@b', null],
  ])('originHost %s → %s', (o, h) => expect(originHost(o)).toBe(h));

  it.each<[string | null, boolean]>([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/jsonx', false],
    ['text/plain', false],
    [null, false],
  ])('isJsonContentType %s → %s', (t, ok) => expect(isJsonContentType(t)).toBe(ok));

  it.each<[string, boolean]>([
    ['/api/workspaces/ws_1', true],
    ['/api/workspaces/a%20b', true],
    ['/api/workspaces/%', false],
    ['/api/workspaces/%zz', false],
    ['/x/%E0%A4%A', false],
  ])('pathDecodes %s → %s', (p, ok) => expect(pathDecodes(p)).toBe(ok));

  it('parseAllowedHosts lower-cases and drops blanks', () => {
    expect(parseAllowedHosts(' Ratchet.LAN, ,box:8080 ')).toEqual(['ratchet.lan', 'box:8080']);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });

  it('pageCsp allows only the nonce’s scripts and forbids framing', () => {
    const csp = pageCsp('abc');
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The one 'unsafe' source is for styles; scripts need the nonce.
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp.replace("style-src 'self' 'unsafe-inline'", '')).not.toContain('unsafe');
  });
});

describe('guardUpgrade', () => {
  const ws = (headers: Record<string, string>, over: Omit<Partial<RequestFacts>, 'headers'> = {}) =>
    facts({ rawPath: '/api/workspaces/ws_1/terminal', allow: ['GET', 'HEAD', 'OPTIONS'], headers, ...over });
  const upgrade = (f: RequestFacts, c: GuardConfig = config) => {
    const d = guardUpgrade(f, c);
    return d.kind === 'pass' ? 'pass' : d.status;
  };
  it.each<[string, RequestFacts, GuardConfig, ReturnType<typeof upgrade>]>([
    ['a same-origin browser socket passes', ws({ origin: 'http://127.0.0.1:3000' }), config, 'pass'],
    ['an allowed name as Origin passes', ws({ origin: 'http://ratchet.lan' }), config, 'pass'],
    ['a socket from another site gets 403', ws({ origin: 'http://evil.example' }), config, 403],
    ['a socket with Origin null gets 403', ws({ origin: 'null' }), config, 403],
    [
      'a cross-site Sec-Fetch-Site without Origin gets 403',
      ws({ 'sec-fetch-site': 'cross-site' }),
      config,
      403,
    ],
    ['a non-browser client (no Origin) passes', ws({}), config, 'pass'],
    [
      'a rebinding Host gets 421 even from its own origin',
      ws({ host: 'evil.example:3000', origin: 'http://evil.example:3000' }),
      config,
      421,
    ],
    [
      'without the token when required: 401, even same-origin',
      ws({ origin: 'http://127.0.0.1:3000' }),
      { ...config, tokenRequired: true },
      401,
    ],
    [
      'with the token when required: passes',
      ws({ origin: 'http://127.0.0.1:3000' }, { hasValidToken: true }),
      { ...config, tokenRequired: true },
      'pass',
    ],
    ['an upgrade that is not a GET gets 405', ws({}, { method: 'POST' }), config, 405],
  ])('%s', (_name, f, c, want) => expect(upgrade(f, c)).toBe(want));
});

describe('cookieValue and bearerToken', () => {
  it.each<[string | null, string, string | null]>([
    ['ratchet_token=abc', 'ratchet_token', 'abc'],
    ['a=1; ratchet_token=x%2By; b=2', 'ratchet_token', 'x+y'],
    ['xratchet_token=no', 'ratchet_token', null],
    ['ratchet_token', 'ratchet_token', null],
    [null, 'ratchet_token', null],
  ])('cookieValue(%j, %j) → %j', (header, name, want) => expect(cookieValue(header, name)).toBe(want));
  it.each<[string | null, string | null]>([
    ['Bearer t0k', 't0k'],
    ['bearer t0k ', 't0k'],
    ['Basic t0k', null],
    ['Bearer a b', null],
    [null, null],
  ])('bearerToken(%j) → %j', (header, want) => expect(bearerToken(header)).toBe(want));
});
