/**
 * The board in Chromium against the production build, on a read model written by the bench seeder
 * (bench/seed-read-model.ts, 600 workspaces over 20 projects): filters and search in the URL (back
 * button included), keyboard navigation, paging of Done by cursor, a live update that patches a
 * card without re-rendering the page, and `GET /api/workspaces` with the same filters and paging.
 * The board reads only SQLite, so no Temporal server or worker is started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReadModel } from '../../bench/seed-read-model.js';
import { openDb, type Db } from '../../db/client.js';
import type { BoardPage } from '../../db/queries/board.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage as openPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

let home: string;
let db: Db;
let server: ConsoleServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ensureConsoleBuilt();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-board-console-'));
  await seedReadModel(path.join(home, 'ratchet.db'), {
    workspaces: 600,
    events: 6_000,
    messages: 3_000,
    projects: 20,
  });
  db = openDb(path.join(home, 'ratchet.db'));
  server = await startConsole({ RATCHET_HOME: home });
  base = server.base;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

const newPage = (): Promise<Page> => openPage(browser);
const api = async (qs: string) => {
  const res = await fetch(`${base}/api/workspaces${qs}`);
  return {
    status: res.status,
    body: (await res.json()) as BoardPage & { error?: { fields: Array<{ path: string }> } },
  };
};
const cardIds = (page: Page, column: string) =>
  page
    .locator(`[data-column="${column}"] [data-testid="workspace-card"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));
const filters = (page: Page) => page.getByRole('search', { name: 'Board filters' });
const waitLive = (page: Page) =>
  page.waitForSelector('[data-testid="board"][data-live="true"]', { timeout: 20_000 });

describe('board', () => {
  it('filters by search and project through the URL, restores them with Back, and navigates by keyboard', async () => {
    const page = await newPage();
    try {
      await page.goto(base);
      await waitLive(page);
      // `/` focuses the search; Enter puts the search in the URL.
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search');
      await page.keyboard.type('auth');
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === 'auth');
      await waitLive(page);
      const titles = await page.locator('[data-testid="workspace-card"] .ws-title').allTextContents();
      expect(titles.length).toBeGreaterThan(0);
      for (const t of titles) expect(t.toLowerCase()).toContain('auth');
      const want = (await api('?q=auth')).body.columns.map((c) => c.total);
      expect(await page.getByTestId('column-total').allTextContents()).toEqual(want.map(String));

      // The project filter narrows further; both stay in the URL.
      await filters(page).getByLabel('Project', { exact: true }).selectOption('prj_seed_03');
      await page.waitForURL(
        (u) => u.searchParams.get('project') === 'prj_seed_03' && u.searchParams.get('q') === 'auth',
      );
      await waitLive(page);
      const filtered = await api('?q=auth&project=prj_seed_03');
      expect(await page.getByTestId('column-total').allTextContents()).toEqual(
        filtered.body.columns.map((c) => String(c.total)),
      );
      for (const p of await page.locator('[data-testid="workspace-card"] .chips .muted').allTextContents())
        expect(p).toBe('project-03');

      // Back restores the previous view: search only, all projects.
      await page.goBack();
      await page.waitForURL((u) => !u.searchParams.has('project') && u.searchParams.get('q') === 'auth');
      await waitLive(page);
      expect(await filters(page).getByLabel('Search', { exact: true }).inputValue()).toBe('auth');
      expect(await filters(page).getByLabel('Project', { exact: true }).inputValue()).toBe('');

      // j/k move the selection in reading order; typing in an input does not.
      const order = [
        ...(await cardIds(page, 'working')),
        ...(await cardIds(page, 'waiting')),
        ...(await cardIds(page, 'done')),
      ];
      expect(order.length).toBeGreaterThan(2);
      const selected = () =>
        page.locator('[data-testid="workspace-card"][data-selected="true"]').getAttribute('data-id');
      await page.keyboard.press('j');
      expect(await selected()).toBe(order[0]);
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await selected()).toBe(order[2]);
      await page.keyboard.press('k');
      expect(await selected()).toBe(order[1]);
      await filters(page).getByLabel('Search', { exact: true }).focus();
      await page.keyboard.press('j');
      expect(await filters(page).getByLabel('Search', { exact: true }).inputValue()).toBe('authj');
      // Esc in the search clears it (and the URL).
      await page.keyboard.press('Escape');
      await page.waitForURL((u) => !u.searchParams.has('q'));
      await waitLive(page);
      expect(await filters(page).getByLabel('Search', { exact: true }).inputValue()).toBe('');

      // Esc outside a field, with nothing selected, clears every filter.
      await page.goto(`${base}/?project=prj_seed_03&needsMe=1&column=waiting`);
      await waitLive(page);
      await page.keyboard.press('Escape');
      await page.waitForURL(`${base}/`);
      await waitLive(page);

      // `n` jumps to the new-workspace form.
      await page.keyboard.press('n');
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(
        'title',
      );
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

      // Enter opens the selected workspace.
      await page.keyboard.press('j');
      const first = await selected();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/workspaces/${first}`);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('pages Done by cursor: every card once, newest first, while live columns show their first cards and "N more"', async () => {
    const page = await newPage();
    try {
      await page.goto(`${base}/?limit=40`);
      await waitLive(page);
      const all = (await api('?column=done&limit=200')).body.columns[0]!;
      const total = Number(
        await page.locator('[data-column="done"] [data-testid="column-total"]').textContent(),
      );
      expect(total).toBe(all.total);
      expect(total).toBeGreaterThan(80);
      // Live columns: bounded, with a link to the rest.
      const working = await cardIds(page, 'working');
      expect(working.length).toBeLessThanOrEqual(40);
      const workingTotal = Number(
        await page.locator('[data-column="working"] [data-testid="column-total"]').textContent(),
      );
      if (workingTotal > 40)
        expect(await page.locator('[data-column="working"] [data-testid="more"]').textContent()).toBe(
          `${workingTotal - 40} more`,
        );
      const seen: string[] = [];
      for (let guard = 0; guard < 20; guard++) {
        const ids = await cardIds(page, 'done');
        expect(ids.length).toBeLessThanOrEqual(40);
        seen.push(...ids);
        const older = page.locator('[data-column="done"] [data-testid="older"]');
        if ((await older.count()) === 0) break;
        const before = page.url();
        await older.click();
        await page.waitForURL((u) => u.toString() !== before && u.searchParams.has('cursor'));
        await waitLive(page);
      }
      expect(new Set(seen).size).toBe(seen.length);
      const everyDone: string[] = [];
      let cursor = '';
      for (let guard = 0; guard < 20; guard++) {
        const pageOf = (await api(`?column=done&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body
          .columns[0]!;
        everyDone.push(...pageOf.cards.map((c) => c.id));
        if (!pageOf.nextCursor) break;
        cursor = pageOf.nextCursor;
      }
      expect(seen).toEqual(everyDone);
      expect(seen.length).toBe(total);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('patches a card when its row changes, through the live channel, without re-rendering the page', async () => {
    const page = await newPage();
    try {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(`${r.resourceType()} ${r.url()}`));
      await page.goto(base);
      await waitLive(page);
      const [id] = await cardIds(page, 'working');
      expect(id).toBeTruthy();
      const waitingBefore = Number(
        await page.locator('[data-column="waiting"] [data-testid="column-total"]').textContent(),
      );
      // A marker on the page and on the column elements: a reload or re-render would lose them.
      await page.evaluate(() => {
        (window as unknown as { __boardMarker: number }).__boardMarker = 42;
        document.querySelector('[data-column="done"]')!.setAttribute('data-marker', 'kept');
      });
      const settled = requests.length;
      db.$client
        .prepare(
          `UPDATE workspaces SET status = 'failed', last_error = 'live boom', updated_at = ? WHERE id = ?`,
        )
        .run(Date.now(), id);
      const card = page.locator(`[data-column="waiting"] [data-id="${id}"]`);
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('.reason').textContent()).toBe('Failed: live boom');
      expect(await page.locator(`[data-column="working"] [data-id="${id}"]`).count()).toBe(0);
      expect(
        Number(await page.locator('[data-column="waiting"] [data-testid="column-total"]').textContent()),
      ).toBe(waitingBefore + 1);
      expect(await page.evaluate(() => (window as unknown as { __boardMarker?: number }).__boardMarker)).toBe(
        42,
      );
      expect(await page.locator('[data-column="done"]').getAttribute('data-marker')).toBe('kept');
      // Nothing was fetched for it: no document, no server-component payload, no API call. (The
      // health banner's own poll of /api/health, every 15 s, is not about the board.)
      expect(requests.slice(settled).filter((r) => !r.endsWith('/api/health'))).toEqual([]);
      await page.screenshot({ path: path.resolve('docs/screenshots/board.png') });
    } finally {
      await page.close();
    }
  }, 60_000);

  it('GET /api/workspaces pages and filters like the board, and refuses a bad parameter with 422 naming it', async () => {
    const all = await api('');
    expect(all.status).toBe(200);
    expect(all.body.columns.map((c) => c.column)).toEqual(['working', 'waiting', 'done']);
    for (const c of all.body.columns) expect(c.cards.length).toBeLessThanOrEqual(25);
    const card = all.body.columns.find((c) => c.column === 'done')!.cards[0]!;
    expect(card).toMatchObject({
      column: 'done',
      prNumber: expect.any(Number),
      spentUsd: expect.any(Number),
    });
    const archived = await api('?view=archived&limit=5');
    expect(archived.body.columns.map((c) => c.column)).toEqual(['archived']);
    expect(archived.body.columns[0]!.cards.every((c) => c.archivedAt !== null)).toBe(true);
    for (const [qs, field] of [
      ['?column=doing', 'column'],
      ['?limit=1000', 'limit'],
      ['?cursor=tomorrow', 'cursor'],
      ['?needsMe=maybe', 'needsMe'],
    ] as const) {
      const bad = await api(qs);
      expect(bad.status, qs).toBe(422);
      expect(bad.body.error!.fields.map((f) => f.path)).toContain(field);
    }
    const bad = await fetch(`${base}/api/board/live?column=doing`);
    expect(bad.status).toBe(422);
  });
});
