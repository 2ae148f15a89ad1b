/**
 * The console's front door (issue 9), against the production build (`next start web`) with
 * Temporal down (TEMPORAL_ADDRESS points at a closed port): every check here answers before a
 * handler would need Temporal. Three consoles: loopback with the token optional, loopback with
 * RATCHET_AUTH=token, and bound to 0.0.0.0 with RATCHET_AUTH=off (which the console ignores there).
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../db/migrate.js';
import { ROUTES } from '../../web/lib/route-table.js';
import { freePort } from '../support/ports.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';
import { rawRequest } from './raw-http.js';

const WEBHOOK_SECRET = 'webhook-secret-for-the-security-suite';
const JSON_TYPE = { 'content-type': 'application/json' };

let homeOpen: string;
let homeForced: string;
let homeLan: string;
let open: ConsoleServer;
let forced: ConsoleServer;
let lan: ConsoleServer;
let browser: Browser;

/** Every route with its `[id]` filled, so each can be asked as it is served. */
const concrete = (pattern: string) => pattern.replace('[id]', 'ws_0000000000');
const MUTATIONS = ROUTES.flatMap((r) =>
  r.methods.filter((m) => m !== 'GET').map((m) => ({ method: m, path: concrete(r.pattern) })),
).filter((m) => m.path !== '/api/github/webhook');

beforeAll(async () => {
  ensureConsoleBuilt();
  const temporalDown = `127.0.0.1:${await freePort()}`;
  const mk = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ratchet-security-${name}-`));
  homeOpen = mk('open');
  homeForced = mk('forced');
  homeLan = mk('lan');
  migrateDatabase(path.join(homeOpen, 'ratchet.db'));
  migrateDatabase(path.join(homeLan, 'ratchet.db'));
  // homeForced has no database on purpose: the webhook test shows ignored events never open one.
  const base = { TEMPORAL_ADDRESS: temporalDown, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET };
  const anyAnswer = (res: Response) => res.status > 0 && res.status < 500;
  [open, forced, lan] = await Promise.all([
    startConsole({ ...base, RATCHET_HOME: homeOpen }),
    startConsole(
      { ...base, RATCHET_HOME: homeForced, RATCHET_AUTH: 'token' },
      { readyPath: '/api/projects', ready: anyAnswer },
    ),
    startConsole(
      { ...base, RATCHET_HOME: homeLan, RATCHET_AUTH: 'off' },
      { host: '0.0.0.0', readyPath: '/api/projects', ready: anyAnswer },
    ),
  ]);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([open?.stop(), forced?.stop(), lan?.stop()]);
  for (const h of [homeOpen, homeForced, homeLan]) if (h) fs.rmSync(h, { recursive: true, force: true });
});

const errorOf = (body: string) =>
  (JSON.parse(body) as { error: { type: string; message: string; fields?: { path: string }[] } }).error;

describe('Host check (DNS rebinding)', () => {
  it('answers 421 to a rebinding Host on pages, API routes and static files, before any handler', async () => {
    for (const p of ['/', '/settings', '/api/projects', '/api/health', '/api/settings', '/favicon.ico']) {
      const res = await rawRequest(open.port, { path: p, headers: { host: `evil.example:${open.port}` } });
      expect(res.status, p).toBe(421);
      expect(errorOf(res.body).message).toContain('evil.example');
    }
    const post = await rawRequest(open.port, {
      method: 'POST',
      path: '/api/projects',
      headers: { host: 'evil.example', ...JSON_TYPE },
      body: '{}',
    });
    expect(post.status).toBe(421);
  });

  it('answers localhost, 127.0.0.1 and [::1] on any port', async () => {
    for (const host of [`localhost:${open.port}`, `127.0.0.1:${open.port}`, '[::1]:9', 'localhost']) {
      expect((await rawRequest(open.port, { path: '/api/projects', headers: { host } })).status, host).toBe(
        200,
      );
    }
  });
});

describe('mutations (CSRF)', () => {
  it('refuses a cross-site text/plain POST with 415 on every mutation route', async () => {
    for (const m of MUTATIONS) {
      const res = await rawRequest(open.port, {
        method: m.method,
        path: m.path,
        headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
        body: '{"path":"/tmp"}',
      });
      expect(res.status, `${m.method} ${m.path}`).toBe(415);
    }
  });

  it('refuses JSON from a foreign Origin, or marked cross-site, with 403', async () => {
    for (const m of MUTATIONS) {
      const foreign = await rawRequest(open.port, {
        method: m.method,
        path: m.path,
        headers: { ...JSON_TYPE, origin: 'https://evil.example' },
        body: '{}',
      });
      expect(foreign.status, `${m.method} ${m.path} Origin`).toBe(403);
      const site = await rawRequest(open.port, {
        method: m.method,
        path: m.path,
        headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' },
        body: '{}',
      });
      expect(site.status, `${m.method} ${m.path} Sec-Fetch-Site`).toBe(403);
    }
    const nullOrigin = await rawRequest(open.port, {
      method: 'POST',
      path: '/api/projects',
      headers: { ...JSON_TYPE, origin: 'null' },
      body: '{}',
    });
    expect(nullOrigin.status).toBe(403);
  });

  it('lets the same origin and non-browser clients through to the handler (422 for an empty body)', async () => {
    for (const headers of [
      { ...JSON_TYPE, origin: `http://127.0.0.1:${open.port}`, 'sec-fetch-site': 'same-origin' },
      { ...JSON_TYPE, 'sec-fetch-site': 'same-origin' },
      JSON_TYPE,
    ]) {
      const res = await rawRequest(open.port, { method: 'POST', path: '/api/projects', headers, body: '{}' });
      expect(res.status).toBe(422);
      expect(errorOf(res.body).fields?.map((f) => f.path)).toContain('path');
    }
  });
});

describe('token', () => {
  const tokenOf = (home: string) => fs.readFileSync(path.join(home, 'auth-token'), 'utf8').trim();

  it('is written once, mode 0600, and required off loopback even with RATCHET_AUTH=off', async () => {
    expect(fs.statSync(path.join(homeLan, 'auth-token')).mode & 0o777).toBe(0o600);
    for (const p of ['/', '/api/projects', '/api/workspaces', '/settings', '/workspaces/ws_0000000000']) {
      const res = await rawRequest(lan.port, { path: p });
      expect(res.status, p).toBe(401);
      expect(res.body).not.toContain(tokenOf(homeLan));
    }
    const post = await rawRequest(lan.port, {
      method: 'POST',
      path: '/api/projects',
      headers: JSON_TYPE,
      body: '{}',
    });
    expect(post.status).toBe(401);
    const wrong = await rawRequest(lan.port, {
      path: '/api/projects',
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    const right = await rawRequest(lan.port, {
      path: '/api/projects',
      headers: { authorization: `Bearer ${tokenOf(homeLan)}` },
    });
    expect(right.status).toBe(200);
  });

  it('is required on loopback with RATCHET_AUTH=token', async () => {
    expect((await rawRequest(forced.port, { path: '/api/projects' })).status).toBe(401);
    expect((await rawRequest(forced.port, { path: '/' })).status).toBe(401);
    // With the token the request gets past the proxy (here to the not-found page: this console's
    // data directory has no database, which the webhook test below relies on).
    const ok = await rawRequest(forced.port, {
      path: '/no-such-page',
      headers: { authorization: `Bearer ${tokenOf(homeForced)}` },
    });
    expect(ok.status).toBe(404);
    expect((await rawRequest(forced.port, { path: '/no-such-page' })).status).toBe(401);
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and redirects to the URL without it', async () => {
    const token = tokenOf(homeLan);
    const res = await rawRequest(lan.port, { path: `/settings?tab=a&token=${encodeURIComponent(token)}` });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!, `http://127.0.0.1:${lan.port}`);
    expect(location.pathname).toBe('/settings');
    expect(location.searchParams.get('tab')).toBe('a');
    expect(location.searchParams.has('token')).toBe(false);
    const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('ratchet_token='))!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    const withCookie = await rawRequest(lan.port, {
      path: '/api/projects',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(withCookie.status).toBe(200);
    const bad = await rawRequest(lan.port, { path: '/settings?token=wrong' });
    expect(bad.status).toBe(401);
  });

  it('GET /api/health answers only { ok } without the token, the full report with it', async () => {
    const bare = await rawRequest(lan.port, { path: '/api/health' });
    expect(bare.status).toBe(503); // Temporal is down
    expect(JSON.parse(bare.body)).toEqual({ ok: false });
    const spoofed = await rawRequest(lan.port, {
      path: '/api/health',
      headers: { 'x-ratchet-health-minimal': '0' },
    });
    expect(JSON.parse(spoofed.body)).toEqual({ ok: false });
    const full = await rawRequest(lan.port, {
      path: '/api/health',
      headers: { authorization: `Bearer ${tokenOf(homeLan)}` },
    });
    expect(JSON.parse(full.body)).toHaveProperty('database.ok', true);
  });

  it('a browser opening the ?token= URL lands on the page without the token, and the page hydrates', async () => {
    const page = await newPage(browser);
    try {
      await page.goto(`http://127.0.0.1:${lan.port}/?token=${encodeURIComponent(tokenOf(homeLan))}`);
      expect(new URL(page.url()).search).toBe('');
      const form = page.getByRole('form', { name: 'Register project' });
      const notRepo = fs.mkdtempSync(path.join(homeLan, 'not-a-repo-'));
      await form.getByLabel('Repository path').fill(notRepo);
      await form.getByRole('button', { name: 'Register' }).click();
      await expect
        .poll(() => page.getByTestId('project-error').textContent())
        .toContain(`${notRepo} is not a git repository`);
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name === 'ratchet_token')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      });
    } finally {
      await page.close();
    }
  });
});

describe('headers', () => {
  it('pages carry a nonce CSP that every script uses, frame-ancestors none, nosniff and same-origin referrers', async () => {
    for (const p of ['/', '/settings', '/workspaces/ws_0000000000']) {
      const res = await rawRequest(open.port, { path: p });
      const csp = String(res.headers['content-security-policy']);
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, p).toBeTruthy();
      expect(csp).toContain("frame-ancestors 'none'");
      // Styles may be inline (the diff view and highlighter inject them); scripts never.
      expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'(;|$)/);
      expect(csp.replace("style-src 'self' 'unsafe-inline'", '')).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const scripts = res.body.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, p).toBeGreaterThan(0);
      for (const s of scripts) expect(s, p).toContain(`nonce="${nonce}"`);
    }
    const second = await rawRequest(open.port, { path: '/' });
    expect(second.headers['content-security-policy']).not.toBe(
      (await rawRequest(open.port, { path: '/' })).headers['content-security-policy'],
    );
    const api = await rawRequest(open.port, { path: '/api/projects' });
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the console hydrates in Chromium with the CSP on, with no violation reported', async () => {
    const page = await newPage(browser);
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    try {
      await page.goto(`${open.base}/`);
      const form = page.getByRole('form', { name: 'Register project' });
      const notRepo = fs.mkdtempSync(path.join(homeOpen, 'not-a-repo-'));
      await form.getByLabel('Repository path').fill(notRepo);
      await form.getByRole('button', { name: 'Register' }).click();
      await expect
        .poll(() => page.getByTestId('project-error').textContent())
        .toContain(`${notRepo} is not a git repository`);
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.waitForURL(/\/settings$/);
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('input at the boundary', () => {
  it('refuses NUL and other control characters with 422 naming the field; keeps \\n and \\t in prompts', async () => {
    const cases: { path: string; body: unknown; field: string }[] = [
      {
        path: '/api/workspaces',
        body: { projectId: 'p1', title: 'fix\u0000it', prompt: 'go' },
        field: 'title',
      },
      {
        path: '/api/workspaces',
        body: { projectId: 'p1', title: 'fix', prompt: 'line\u0000two' },
        field: 'prompt',
      },
      { path: '/api/workspaces', body: { projectId: 'p1', title: 'a\u001bb', prompt: 'go' }, field: 'title' },
      { path: '/api/workspaces/ws_0000000000/messages', body: { text: 'hello\u0000' }, field: 'text' },
      { path: '/api/workspaces/ws_0000000000/approve-plan', body: { note: 'ok\u0007' }, field: 'note' },
      { path: '/api/projects', body: { path: '/tmp/x\u0000y' }, field: 'path' },
      {
        path: '/api/workspaces',
        body: { projectId: 'p1', title: 't'.repeat(201), prompt: 'go' },
        field: 'title',
      },
      { path: '/api/workspaces/ws_0000000000/budget', body: { budgetUsd: 1e-320 }, field: 'budgetUsd' },
      { path: '/api/workspaces/ws_0000000000/budget', body: { budgetUsd: 0.001 }, field: 'budgetUsd' },
    ];
    for (const c of cases) {
      const res = await rawRequest(open.port, {
        method: 'POST',
        path: c.path,
        headers: JSON_TYPE,
        body: JSON.stringify(c.body),
      });
      expect(res.status, `${c.path} ${c.field}`).toBe(422);
      expect(
        errorOf(res.body)
          .fields?.map((f) => f.path)
          .join(' '),
        `${c.path} ${c.field}`,
      ).toContain(c.field);
    }
    // Tab and line breaks are fine in a prompt: the request gets past validation (to the unknown project).
    const multi = await rawRequest(open.port, {
      method: 'POST',
      path: '/api/workspaces',
      headers: JSON_TYPE,
      body: JSON.stringify({ projectId: 'p_missing', title: 'fix', prompt: 'one\n\ttwo\r\nthree' }),
    });
    expect(multi.status).not.toBe(422);
  });

  it('answers 413 to a 100 MB chunked body without holding it (server RSS peak stays bounded)', async () => {
    const hwm = () =>
      Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${open.pid}/status`, 'utf8'))![1]) * 1024;
    const before = hwm();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    chunk[0] = 0x22; // '"': one long JSON string, as a real oversized body would be
    const total = 100 * 1024 * 1024;
    const chunks = (function* () {
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
    })();
    const res = await rawRequest(open.port, {
      method: 'POST',
      path: '/api/projects',
      headers: JSON_TYPE,
      chunks,
      timeoutMs: 60_000,
    });
    expect(res.status).toBe(413);
    expect(errorOf(res.body).type).toBe('PayloadTooLarge');
    const grown = hwm() - before;
    console.info(
      `[security] 100 MB chunked POST: ${res.status} after ${res.ms.toFixed(0)} ms, server peak RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(grown, `peak RSS grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(64 * 2 ** 20);
    // A declared Content-Length over the limit is refused by the proxy without a handler.
    const declared = await rawRequest(open.port, {
      method: 'POST',
      path: '/api/projects',
      headers: JSON_TYPE,
      body: Buffer.alloc(1024 * 1024 + 10, 0x20),
    });
    expect(declared.status).toBe(413);
  });

  it('answers 400 to a malformed percent-escape in every [id] route and page', async () => {
    const withId = ROUTES.filter((r) => r.pattern.includes('[id]'));
    expect(withId.length).toBeGreaterThanOrEqual(9);
    for (const r of withId) {
      for (const bad of ['%', '%zz', 'a%E0%A4%A']) {
        const method = r.methods.includes('GET') ? 'GET' : 'POST';
        const res = await rawRequest(open.port, {
          method,
          path: r.pattern.replace('[id]', bad),
          headers: JSON_TYPE,
          body: method === 'POST' ? '{}' : undefined,
        });
        expect(res.status, `${method} ${r.pattern} ${bad}`).toBe(400);
        expect(errorOf(res.body).type).toBe('BadPath');
      }
    }
  });

  it('answers TRACE with 405 and the route’s Allow, and other unanswered methods too', async () => {
    for (const r of ROUTES) {
      const p = concrete(r.pattern);
      for (const method of ['TRACE']) {
        const res = await rawRequest(open.port, { method, path: p });
        expect(res.status, `${method} ${p}`).toBe(405);
        const allow = String(res.headers.allow).split(/,\s*/);
        for (const m of r.methods) expect(allow, `${method} ${p}`).toContain(m);
        expect(res.body).not.toMatch(/\bat \S+ \(|\.js:\d+/);
      }
      const other = ['PUT', 'DELETE', 'PATCH', 'POST'].find((m) => !r.methods.includes(m))!;
      const res = await rawRequest(open.port, { method: other, path: p, headers: JSON_TYPE, body: '{}' });
      expect(res.status, `${other} ${p}`).toBe(405);
      expect(res.headers.allow).toBeTruthy();
    }
  });
});

describe('webhook', () => {
  const sign = (body: string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;

  it('answers ignored events 202 at once with Temporal down and no database opened', async () => {
    const body = JSON.stringify({ action: 'created', starred_at: null });
    for (const event of ['star', 'organization', 'installation', 'membership', '']) {
      const res = await rawRequest(forced.port, {
        method: 'POST',
        path: '/api/github/webhook',
        headers: { ...JSON_TYPE, 'x-github-event': event, 'x-hub-signature-256': sign(body) },
        body,
      });
      expect(res.status, event).toBe(202);
      expect(JSON.parse(res.body)).toMatchObject({ poked: false });
    }
    // A handled event type whose delivery names no repository is ignored too, not 422.
    const noRepo = JSON.stringify({ action: 'opened', sender: { login: 'x' } });
    const res = await rawRequest(forced.port, {
      method: 'POST',
      path: '/api/github/webhook',
      headers: { ...JSON_TYPE, 'x-github-event': 'pull_request', 'x-hub-signature-256': sign(noRepo) },
      body: noRepo,
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({
      poked: false,
      reason: expect.stringContaining('repository'),
    });
    // Nothing above opened the database (homeForced was never migrated, so opening it would create the file).
    expect(fs.existsSync(path.join(homeForced, 'ratchet.db'))).toBe(false);
    // And the HMAC still applies to the events Ratchet reads.
    const unsigned = await rawRequest(forced.port, {
      method: 'POST',
      path: '/api/github/webhook',
      headers: { ...JSON_TYPE, 'x-github-event': 'pull_request' },
      body: noRepo,
    });
    expect(unsigned.status).toBe(401);
  });
});
