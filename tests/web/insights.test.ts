/**
 * Insights and Health through the production build: `GET /api/insights` on a small seeded read
 * model equals the figures worked out by hand (tests/support/insights-seed.ts); Chromium sees the
 * charts drawn and the figures change with the period and the project; the Health banner appears
 * while the worker's heartbeat is missing or stale and while the loopback fake GitHub refuses the
 * token, and leaves once both are fixed. Real SQLite, real `next start`, real Chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { heartbeats, pullRequests, projects, workspaces } from '../../db/schema.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';
import { INSIGHTS_EXPECTED, seedInsights } from '../support/insights-seed.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const TOKEN = 'ghp_insights_health_token';
const DAY = 86_400_000;
const PERIOD = 'from=2026-11-01&to=2026-11-07';

let home: string;
let db: Db;
let ids: { alpha: string; beta: string };
let gh: FakeGithub;
let server: ConsoleServer;
let browser: Browser;

/**
 * Recent PRs in alpha (so 7 and 30 days differ, far from the hand-worked week): one opened at noon
 * UTC on each of the 15 days before today, those of even days merged 6 h later (no decision event:
 * the ratchet was off, so the row's update is the merge time).
 */
function seedRecent(now: number) {
  const today = Math.floor(now / DAY) * DAY;
  db.transaction((tx) => {
    for (let i = 1; i <= 15; i++) {
      const ws = `ws_recent_${i}`;
      const openedAt = today - i * DAY + DAY / 2;
      const merged = i % 2 === 0;
      tx.insert(workspaces)
        .values({
          id: ws,
          projectId: ids.alpha,
          title: `Recent ${i}`,
          prompt: 'p',
          branch: `ratchet/recent-${i}`,
          baseBranch: 'main',
          worktreePath: `/tmp/wt/recent-${i}`,
          status: merged ? 'done' : 'pr_open',
          agentConfig: { runner: 'script', mode: 'agent', maxTurns: 40 },
          workflowId: `workspace/${ws}`,
        })
        .run();
      tx.insert(pullRequests)
        .values({
          workspaceId: ws,
          projectId: ids.alpha,
          number: 100 + i,
          url: `https://github.com/octo/alpha/pull/${100 + i}`,
          headBranch: `ratchet/recent-${i}`,
          baseBranch: 'main',
          state: merged ? 'merged' : 'open',
          createdAt: openedAt,
          updatedAt: merged ? openedAt + DAY / 4 : openedAt,
        })
        .run();
    }
  });
}

async function api(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.base}/api/insights${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const figure = (page: Page, id: string) => page.getByTestId(id).locator('.value').textContent();

/** Whether the chart's canvas has drawn pixels (uPlot draws on canvas). */
async function chartDrawn(page: Page, testId: string): Promise<{ width: number; painted: number }> {
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { width: c.width, painted };
    });
}

beforeAll(async () => {
  ensureConsoleBuilt();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-insights-'));
  const file = path.join(home, 'ratchet.db');
  migrateDatabase(file);
  db = openDb(file);
  ids = seedInsights(db, home);
  seedRecent(Date.now());
  // The fake does not know the console's token yet: GET /user answers 401.
  gh = await startFakeGithub({ tokens: ['someone-else'] });
  server = await startConsole({ RATCHET_HOME: home, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await gh?.close();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('GET /api/insights (production build, seeded read model)', () => {
  it('GET /api/insights over every project equals the figures worked out by hand', async () => {
    const { status, body } = await api(`?${PERIOD}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ...INSIGHTS_EXPECTED.all,
      project: null,
      period: { from: '2026-11-01', to: '2026-11-07', days: 7, label: 'custom' },
    });
  });

  it('GET /api/insights for one project counts only its PRs, fixes and spend', async () => {
    const alpha = await api(`?${PERIOD}&project=${ids.alpha}`);
    expect(alpha.status).toBe(200);
    expect(alpha.body).toMatchObject({
      ...INSIGHTS_EXPECTED.alpha,
      project: { id: ids.alpha, name: 'alpha' },
    });
    const beta = await api(`?${PERIOD}&project=${ids.beta}`);
    expect(beta.body).toMatchObject({ ...INSIGHTS_EXPECTED.beta, project: { id: ids.beta, name: 'beta' } });
  });

  it('GET /api/insights with days counts whole UTC days ending today', async () => {
    const { body } = await api(`?days=7&project=${ids.alpha}`);
    // Today and the 6 days before: recent PRs opened 1 … 6 days ago, merged on days 2, 4 and 6.
    expect(body).toMatchObject({ prsOpened: 6, prsMerged: 3, period: { days: 7, label: '7' } });
    expect((body.daily as unknown[]).length).toBe(7);
  });

  it.each([
    ['?days=14', 'days'],
    ['?from=2026-11-01', 'to'],
    ['?from=2026-11-01&to=2026-02-30', 'to'],
    ['?from=2026-11-05&to=2026-11-01', 'to'],
    ['?project=', 'project'],
  ])('GET /api/insights%s answers 422 naming %s', async (query, field) => {
    const { status, body } = await api(query);
    expect(status).toBe(422);
    const fields = (body.error as { fields: Array<{ path: string }> }).fields.map((f) => f.path);
    expect(fields).toContain(field);
  });

  it('GET /api/insights refuses an unknown parameter by name, and an unknown project with 404', async () => {
    const unknown = await api('?since=2026-01-01');
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.body)).toContain('since');
    const missing = await api('?project=prj_nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { type: 'ProjectNotFound' } });
  });
});

describe('/insights in Chromium', () => {
  it('draws both charts and changes the figures with the period and the project', async () => {
    const page = await newPage(browser);
    try {
      await page.goto(`${server.base}/insights?${PERIOD}`);
      expect(await figure(page, 'fig-opened')).toBe('5');
      expect(await figure(page, 'fig-merged')).toBe('3');
      expect(await figure(page, 'fig-usd-pr')).toBe('$3.00');
      expect(await figure(page, 'fig-time-merged')).toBe('24.0 h');
      await expect.poll(() => chartDrawn(page, 'chart-prs')).toMatchObject({ width: expect.any(Number) });
      for (const id of ['chart-prs', 'chart-spend']) {
        const drawn = await chartDrawn(page, id);
        expect(drawn.width).toBeGreaterThan(300);
        expect(drawn.painted).toBeGreaterThan(500);
      }
      await expect.poll(() => page.getByTestId('failing-checks').locator('tbody tr').count()).toBe(3);

      // The project picker keeps the dates.
      await page.getByLabel('Project').selectOption({ label: 'beta' });
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/project=/);
      expect(await figure(page, 'fig-opened')).toBe('2');
      expect(await figure(page, 'fig-merged')).toBe('0');

      await page.getByLabel('Project').selectOption({ label: 'alpha' });
      await page.getByRole('button', { name: 'Show' }).click();
      await expect.poll(() => figure(page, 'fig-opened')).toBe('3');

      // The period links keep the project: 7 days, then 30, each as the API computes it.
      for (const days of ['7', '30']) {
        await page.getByTestId(`period-${days}`).click();
        await page.waitForURL(new RegExp(`days=${days}`));
        const { body } = await api(`?days=${days}&project=${ids.alpha}`);
        await expect.poll(() => figure(page, 'fig-opened')).toBe(String(body.prsOpened));
        expect(await figure(page, 'fig-merged')).toBe(String(body.prsMerged));
        expect((await chartDrawn(page, 'chart-prs')).painted).toBeGreaterThan(500);
      }
      expect(await figure(page, 'fig-opened')).not.toBe('3');
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'insights.png'), fullPage: true });

      // A bad date in the URL is said on the page, naming the field.
      await page.goto(`${server.base}/insights?from=2026-11-01&to=nope`);
      await expect.poll(() => page.getByRole('alert').filter({ hasText: 'to:' }).count()).toBe(1);
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('Health banner and page', () => {
  const items = (page: Page) =>
    page
      .getByTestId('health-banner')
      .locator('li')
      .evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-part')}: ${li.textContent}`));
  const beat = (at: number) =>
    db
      .insert(heartbeats)
      .values({ process: 'worker', pid: 4242, at })
      .onConflictDoUpdate({ target: heartbeats.process, set: { at } })
      .run();

  it('shows the worker and GitHub while they are down, with what to do, and clears when fixed', async () => {
    const page = await newPage(browser);
    let keepBeating: ReturnType<typeof setInterval> | undefined;
    try {
      await page.goto(`${server.base}/`);
      await expect
        .poll(() => items(page), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^worker: The worker has never written a heartbeat.*npm start/),
            expect.stringMatching(
              /^github: GitHub refuses the token from the environment \(401 .*Create a new token/,
            ),
          ]),
        );
      // Temporal is not configured in this console: said too, with what to do.
      expect((await items(page)).some((i) => i.startsWith('temporal: Temporal is not configured'))).toBe(
        true,
      );
      expect(gh.requests.some((r) => r.path === '/user' && r.status === 401)).toBe(true);

      // A heartbeat a minute old: stopped or hung.
      beat(Date.now() - 60_000);
      await expect
        .poll(() => items(page), { timeout: 40_000, interval: 1000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^worker: The worker's last heartbeat was \d+ s ago \(pid 4242\)/),
          ]),
        );

      // The nav's Health link opens the page, which lists every part.
      await page.getByRole('link', { name: 'Health', exact: true }).click();
      await page.waitForURL(/\/health$/);
      expect(
        await page.getByTestId('health-parts').locator('tr[data-part="github"] td').first().textContent(),
      ).toBe('down');

      // Fixed: the worker beats again and GitHub accepts the token (a fine-grained one: no scopes header).
      beat(Date.now());
      keepBeating = setInterval(() => beat(Date.now()), 2000);
      gh.allowToken(TOKEN);
      await expect
        .poll(async () => (await items(page)).filter((i) => /^(worker|github):/.test(i)), {
          timeout: 45_000,
          interval: 1000,
        })
        .toEqual([]);
      await page.reload();
      const github = page.getByTestId('health-parts').locator('tr[data-part="github"]');
      expect(await github.locator('td').first().textContent()).toBe('ok');
      expect(await github.textContent()).toMatch(/valid, user .*fine-grained token/);
      const worker = page.getByTestId('health-parts').locator('tr[data-part="worker"]');
      expect(await worker.locator('td').first().textContent()).toBe('ok');
    } finally {
      if (keepBeating) clearInterval(keepBeating);
      await page.close();
    }
  }, 150_000);

  it('GET /api/health keeps its parts and adds the problems list', async () => {
    const res = await fetch(`${server.base}/api/health`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(503);
    expect(body).toMatchObject({
      github: { auth: 'token', valid: true, scopes: null },
      worker: { heartbeat: { pid: 4242 } },
      runner: { ok: true },
    });
    expect((body.problems as Array<{ part: string }>).map((p) => p.part)).toEqual(['temporal']);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    // Projects still list (the seeded ones).
    expect(db.select().from(projects).all().length).toBe(2);
  });
});
