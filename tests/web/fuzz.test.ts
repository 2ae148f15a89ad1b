/**
 * Property-based fuzz of every page and route of the console (issue 9): fast-check generates at
 * least 1,000 requests per route (methods, content types, bodies, path params, query strings,
 * Origin / Sec-Fetch-Site / Host headers) and sends them to the production build, running with a
 * real SQLite file, a real Temporal dev server and the real worker (so `/api/health` is honestly
 * 200). Every answer must be below 500, carry no stack trace or source path, and come within 1 s.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../db/migrate.js';
import { ROUTES } from '../../web/lib/route-table.js';
import { startDevServer } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { ensureConsoleBuilt, startConsole, type ConsoleServer } from '../support/console-harness.js';
import { rawRequest, type RawAnswer } from './raw-http.js';

const RUNS_PER_ROUTE = 1000;
/** Routes fuzzed at once; each sends one request at a time. */
const CONCURRENCY = 2;
const TASK_QUEUE = 'ratchet-fuzz-test';
const WEBHOOK_SECRET = 'webhook-secret-for-the-fuzz-suite';
const SECRETS = {
  ANTHROPIC_API_KEY: 'sk-ant-fuzz-secret-0123456789',
  OPENAI_API_KEY: 'sk-openai-fuzz-secret-0123456789',
  GITHUB_TOKEN: 'ghp_fuzzsecret0123456789abcdef',
};

let home: string;
let env: TestWorkflowEnvironment;
let worker: WorkerProcess;
let server: ConsoleServer;
let agent: http.Agent;

beforeAll(async () => {
  ensureConsoleBuilt();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-fuzz-'));
  migrateDatabase(path.join(home, 'ratchet.db'));
  env = await startDevServer();
  const shared = { RATCHET_HOME: home, TEMPORAL_ADDRESS: env.address, RATCHET_TASK_QUEUE: TASK_QUEUE };
  worker = await startWorkerProcess({ ...shared, RATCHET_LOG_LEVEL: 'warn' });
  // Secrets the console holds: no answer may contain any of them.
  server = await startConsole(
    // GITHUB_API_URL: /api/health checks the token with GET /user; here it meets a closed loopback
    // port (the fuzz token must never reach the real GitHub).
    { ...shared, ...SECRETS, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, GITHUB_API_URL: 'http://127.0.0.1:9' },
    { readyPath: '/api/health' },
  );
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
  // Warm-up, not measured: the first request to each route loads its code (about a second on a
  // busy machine), which the 1 s bound is not about.
  for (const r of ROUTES) {
    for (const method of r.methods) {
      await rawRequest(server.port, {
        method,
        path: r.pattern.replace('[id]', 'ws_0000000000'),
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
    }
  }
}, 300_000);

afterAll(async () => {
  agent?.destroy();
  await server?.stop();
  await worker?.stop();
  await env?.teardown();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

// ---- generators ------------------------------------------------------------------------------

/** Text with the characters that break things: controls, NUL, quotes, escapes, unicode, long runs. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u001b[31m',
    '%',
    '%zz',
    '../..',
    '/etc/passwd',
    '<script>x</script>',
    '{{7*7}}',
    '--upload-pack=x',
    '\u202e',
    'x'.repeat(5000),
  ),
);
const scalar = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e-320, -1, 0, 0.01, 1e308),
);
/** Objects shaped like the real bodies (known field names, wild values), and arbitrary JSON. */
const FIELDS = [
  'path',
  'worktreeDir',
  'projectId',
  'title',
  'prompt',
  'text',
  'note',
  'reason',
  'budgetUsd',
  'cancel',
  'baseBranch',
  'agent',
  'runner',
  'mode',
  'enabled',
  'key',
  'value',
  'agent.defaults',
  'budget.dailyUsd',
  'budget.workspaceDefaultUsd',
];
const shaped = fc.dictionary(
  fc.constantFrom(...FIELDS),
  fc.oneof(
    scalar,
    fc.dictionary(fc.constantFrom('runner', 'mode', 'model', 'provider', 'maxTurns'), scalar, { maxKeys: 3 }),
  ),
  { maxKeys: 5 },
);
const body = fc.oneof(
  shaped.map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 3 }),
  nasty,
  fc.constantFrom('', '{', '[]', 'null', '{"__proto__":{"x":1}}', '{"path":"/tmp","path":"/"}'),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'APPLICATION/JSON',
  'application/jsonx',
  '',
);
const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'PURGE',
] as const;
/** A path segment as a client could send it: encoded text, a raw bad escape, or an id-like value. */
const segment = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom(
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    '..',
    '.',
    'ws_0000000000',
    'p_1',
    'a'.repeat(300),
    '%2F',
    '%252F',
  ),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom('after', 'token', 'status', 'q', 'tab', 'x'),
      fc.oneof(nasty, fc.integer().map(String)),
      { maxKeys: 3 },
    )
    .map((q) => {
      const s = new URLSearchParams(q).toString();
      return s ? `?${s}` : '';
    }),
  fc.constantFrom('?after=-1', '?after=1e99', '?after=%', '?%', '?token=', '?a=1&a=2'),
);
// Weighted so that most requests pass the front door and reach the handlers' own parsing.
const origin = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, 'same'), weight: 6 },
  { arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://localhost:1'), weight: 1 },
);
const fetchSite = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, 'same-origin', 'none'), weight: 6 },
  { arbitrary: fc.constantFrom('cross-site', 'same-site'), weight: 1 },
);
const hostHeader = fc.oneof(
  { arbitrary: fc.constant('self'), weight: 8 },
  { arbitrary: fc.constantFrom('localhost', 'evil.example', ''), weight: 1 },
);
const methodFor = (pattern: string) => {
  const own = ROUTES.find((r) => r.pattern === pattern)!.methods;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...own), weight: 3 },
    { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
  );
};
const jsonMostly = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 3 },
  { arbitrary: contentType, weight: 1 },
);

const requestFor = (pattern: string) =>
  fc
    .record({
      method: methodFor(pattern),
      id: segment,
      query,
      body: fc.option(body, { nil: undefined }),
      contentType: jsonMostly,
      origin,
      fetchSite,
      host: hostHeader,
      githubEvent: fc.constantFrom(undefined, 'star', 'ping', 'push', 'pull_request', 'organization'),
    })
    .map((r) => ({ ...r, path: pattern.replace('[id]', r.id) + r.query }));

type Generated = ReturnType<typeof requestFor> extends fc.Arbitrary<infer T> ? T : never;

/** What leaks an internal: a V8 stack frame, a source or build path. */
const LEAK =
  /\n\s+at \S|\bat (?:async )?\S+ \(|\.(?:ts|tsx|js|mjs|cjs):\d+|\/work\/|node_modules|web\/\.next|\[root-of-the-server\]/;

async function send(r: Generated): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (r.host !== 'self') headers.host = r.host;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.origin) headers.origin = r.origin === 'same' ? `http://127.0.0.1:${server.port}` : r.origin;
  if (r.fetchSite) headers['sec-fetch-site'] = r.fetchSite;
  if (r.githubEvent) headers['x-github-event'] = r.githubEvent;
  const withBody = !['GET', 'HEAD', 'TRACE'].includes(r.method) && r.body !== undefined;
  return rawRequest(server.port, {
    method: r.method,
    path: r.path,
    headers,
    body: withBody ? r.body : undefined,
    agent,
    timeoutMs: 10_000,
  });
}

// ---- the property ----------------------------------------------------------------------------

interface RouteTally {
  route: string;
  requests: number;
  statuses: Record<number, number>;
  slowestMs: number;
  /** Requests over 1 s that were sent again (and answered within 1 s the second time). */
  repeatedSlow: number;
}

async function fuzzRoute(pattern: string): Promise<RouteTally> {
  const tally: RouteTally = { route: pattern, requests: 0, statuses: {}, slowestMs: 0, repeatedSlow: 0 };
  await fc.assert(
    fc.asyncProperty(requestFor(pattern), async (r) => {
      const res = await send(r);
      tally.requests++;
      tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
      tally.slowestMs = Math.max(tally.slowestMs, res.ms);
      const what = `${r.method} ${r.path} → ${res.status} in ${res.ms.toFixed(0)} ms: ${res.body.slice(0, 300)}`;
      expect(res.status, what).toBeGreaterThanOrEqual(100);
      expect(res.status, what).toBeLessThan(500);
      expect(LEAK.test(res.body), what).toBe(false);
      for (const secret of [...Object.values(SECRETS), WEBHOOK_SECRET])
        expect(res.body.includes(secret), what).toBe(false);
      // Generated markup never comes back unescaped in a page (text is escaped, not interpreted).
      if (String(res.headers['content-type']).startsWith('text/html'))
        expect(res.body.includes('<script>x</script>'), what).toBe(false);
      if (res.ms >= 1000) {
        // One late answer on a loaded machine (two cores shared with Temporal, the worker and other
        // suites) can be a scheduling stall; a slow code path is slow again. So a slow request is
        // sent once more, and the route fails when the repeat is slow too.
        tally.repeatedSlow++;
        const again = await send(r);
        expect(again.ms, `${what}; repeated: ${again.ms.toFixed(0)} ms`).toBeLessThan(1000);
      }
    }),
    { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
  );
  return tally;
}

describe('fuzz', () => {
  it(`every route answers ${RUNS_PER_ROUTE} generated requests below 500, without internals, each within 1 s`, async () => {
    const patterns = ROUTES.map((r) => r.pattern);
    const tallies: RouteTally[] = [];
    const queue = [...patterns];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) tallies.push(await fuzzRoute(p));
      }),
    );
    const lines = tallies
      .sort((a, b) => a.route.localeCompare(b.route))
      .map(
        (t) =>
          `${t.route.padEnd(36)} ${String(t.requests).padStart(5)} requests, slowest ${t.slowestMs.toFixed(0).padStart(4)} ms, ${t.repeatedSlow} repeated, ${JSON.stringify(t.statuses)}`,
      );
    const total = tallies.reduce((n, t) => n + t.requests, 0);
    console.info(
      `[fuzz] ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s\n${lines.join('\n')}`,
    );
    expect(tallies.map((t) => t.route).sort()).toEqual([...patterns].sort());
    for (const t of tallies) expect(t.requests, t.route).toBeGreaterThanOrEqual(RUNS_PER_ROUTE);
    // The server logged no unhandled error while being fuzzed.
    expect(server.log()).not.toMatch(/TypeError|ReferenceError|Unhandled/);
  }, 900_000);
});
