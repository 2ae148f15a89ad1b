/**
 * MCP servers in the console: `next start` on a real SQLite file and a real git repository whose
 * `.ratchet/config.json` names an MCP server. Settings shows the servers by name, with the
 * variable NAMES and whether each is set, never a value; Chromium's "Approve MCP servers" goes
 * through POST /api/projects/:id/mcp-trust and records the trust the agent activity checks, so the
 * server starts for the next turn (and not before).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServersForTurn } from '../../activities/agents/mcp.js';
import { listScriptTrust } from '../../db/queries/script-trust.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { addProject, makeHome } from '../support/workspace-harness.js';
import type { Db } from '../../db/client.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from './console-harness.js';

const SECRET = 'probe-console-secret-value-987654321';
let server: ConsoleServer;
let browser: Browser;
let db: Db;
let repo: TestRepo;
let projectId: string;

beforeAll(async () => {
  ensureConsoleBuilt();
  const home = makeHome('ratchet-mcp-console-');
  db = home.db;
  repo = makeRepo({ prefix: 'ratchet-mcp-console-repo-' });
  fs.mkdirSync(path.join(repo.repo, '.ratchet'));
  fs.writeFileSync(
    path.join(repo.repo, '.ratchet', 'config.json'),
    JSON.stringify({
      mcpServers: {
        probe: { command: 'node', args: ['probe.mjs'], env: ['PROBE_API_KEY', 'PROBE_UNSET_VAR'] },
        docs: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'DOCS_AUTH' } },
      },
    }),
  );
  git(repo.repo, 'add', '-A');
  git(repo.repo, 'commit', '--quiet', '-m', 'mcp servers');
  projectId = addProject(db, repo);
  server = await startConsole({
    RATCHET_HOME: home.home,
    PROBE_API_KEY: SECRET,
    DOCS_AUTH: `Bearer ${SECRET}`,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const json = { 'content-type': 'application/json' };

describe('MCP servers in the console', () => {
  it('GET names servers and variables, never values; bad or stale answers are refused', async () => {
    const res = await fetch(`${server.base}/api/projects/${projectId}/mcp-trust`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    const view = JSON.parse(text) as {
      state: string;
      sha256: string;
      servers: Array<{ name: string; type: string; envNames: string[]; envSet: Record<string, boolean> }>;
    };
    expect(view.state).toBe('not_approved');
    // In the file's order.
    expect(view.servers.map((s) => [s.name, s.type, s.envNames, s.envSet])).toEqual([
      [
        'probe',
        'stdio',
        ['PROBE_API_KEY', 'PROBE_UNSET_VAR'],
        { PROBE_API_KEY: true, PROBE_UNSET_VAR: false },
      ],
      ['docs', 'http', ['DOCS_AUTH'], { DOCS_AUTH: true }],
    ]);

    const bad = await fetch(`${server.base}/api/projects/${projectId}/mcp-trust`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ decision: 'maybe', sha256: view.sha256 }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('decision');
    const stale = await fetch(`${server.base}/api/projects/${projectId}/mcp-trust`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ decision: 'approve', sha256: 'a'.repeat(64) }),
    });
    expect(stale.status).toBe(409);
    expect(listScriptTrust({ db, projectId })).toEqual([]);
  });

  it('Settings shows the servers and their state; Approve records the trust the agent activity checks', async () => {
    const worktree = path.join(repo.worktrees, 'ws-mcp');
    git(repo.repo, 'worktree', 'add', '--quiet', '-b', 'ratchet/ws-mcp', worktree, 'main');
    const env = { PROBE_API_KEY: SECRET, PROBE_UNSET_VAR: 'x', DOCS_AUTH: 'Bearer d' };
    expect(mcpServersForTurn({ db, projectId, worktreePath: worktree, mode: 'agent', env }).servers).toEqual(
      [],
    );

    const page = await newPage(browser);
    await page.goto(`${server.base}/settings`);
    const card = page.getByTestId(`mcp-${projectId}`);
    await card.getByText('not approved: nothing starts').waitFor();
    expect(await card.locator('th').allTextContents()).toEqual(['probe', 'docs']);
    expect(await card.textContent()).toContain('PROBE_UNSET_VAR (not set)');
    expect(await page.content()).not.toContain(SECRET);
    await card.getByRole('button', { name: 'Approve MCP servers' }).click();
    await card.getByText('approved: started for every agent turn').waitFor();
    expect(await card.getByTestId('mcp-config-text').count()).toBe(0);
    await page.close();

    const rows = listScriptTrust({ db, projectId });
    expect(rows.map((r) => [r.kind, r.decision])).toEqual([['mcp', 'approved']]);
    const turn = mcpServersForTurn({ db, projectId, worktreePath: worktree, mode: 'agent', env });
    expect(turn.notes).toEqual([]);
    expect(turn.servers.map((s) => s.name)).toEqual(['probe', 'docs']);
  });
});
