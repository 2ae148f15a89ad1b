/**
 * MCP servers in the console: `next start` on a real SQLite file and a real git repository whose
 * `.ratchet/config.json` names an MCP server. Settings shows the servers by name, with the
 * variable NAMES and whether each is set, never a value; Chromium's "Approve MCP servers" goes
 * through POST /api/projects/:id/mcp-trust and records the trust the agent activity checks, so the
 * server starts for the next turn (and not before). A branch whose config differs from the default
 * branch is approved on its workspace page, from the worktree's text (the copy the agent checks).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServersForTurn, readMcpConfig } from '../../activities/agents/mcp.js';
import { listScriptTrust } from '../../db/queries/script-trust.js';
import { workspaces } from '../../db/schema.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { addProject, makeHome } from '../support/workspace-harness.js';
import type { Db } from '../../db/client.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

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

  it("a branch's own config is shown and approved on its workspace page, from the worktree's text", async () => {
    const worktree = path.join(repo.worktrees, 'ws-branch-mcp');
    git(repo.repo, 'worktree', 'add', '--quiet', '-b', 'ratchet/ws-branch-mcp', worktree, 'main');
    // The branch adds an argument: a different text, a different hash, not yet approved.
    fs.writeFileSync(
      path.join(worktree, '.ratchet', 'config.json'),
      JSON.stringify({
        mcpServers: {
          probe: {
            command: 'node',
            args: ['probe.mjs', '--branch'],
            env: ['PROBE_API_KEY', 'PROBE_UNSET_VAR'],
          },
          docs: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'DOCS_AUTH' } },
        },
      }),
    );
    const id = 'ws_branchmcp0001';
    db.insert(workspaces)
      .values({
        id,
        projectId,
        title: 'Branch MCP',
        prompt: 'p',
        branch: 'ratchet/ws-branch-mcp',
        baseBranch: 'main',
        worktreePath: worktree,
        status: 'idle',
        agentConfig: { runner: 'script', mode: 'agent', maxTurns: 40 },
        workflowId: `workspace/${id}`,
      })
      .run();
    const env = { PROBE_API_KEY: SECRET, PROBE_UNSET_VAR: 'x', DOCS_AUTH: 'Bearer d' };
    const forTurn = () => mcpServersForTurn({ db, projectId, worktreePath: worktree, mode: 'agent', env });
    const cfg = readMcpConfig(worktree);
    if (cfg.state !== 'ok') throw new Error(cfg.state);
    // The default branch's config is approved (the test above); this branch's is not.
    expect(forTurn().servers).toEqual([]);

    const res = await fetch(`${server.base}/api/workspaces/${id}/mcp-trust`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain(SECRET);
    const view = JSON.parse(body) as {
      state: string;
      sha256: string;
      text: string;
      source: string;
      defaultBranchSha256: string;
    };
    expect(view).toMatchObject({
      state: 'not_approved',
      sha256: cfg.sha256,
      text: cfg.text,
      source: 'ratchet/ws-branch-mcp (worktree):.ratchet/config.json',
    });
    expect(view.defaultBranchSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(view.defaultBranchSha256).not.toBe(cfg.sha256);
    // Settings' endpoint knows only the default branch's text: this hash is refused there.
    const viaProject = await fetch(`${server.base}/api/projects/${projectId}/mcp-trust`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ decision: 'approve', sha256: cfg.sha256 }),
    });
    expect(viaProject.status).toBe(409);
    const stale = await fetch(`${server.base}/api/workspaces/${id}/mcp-trust`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ decision: 'approve', sha256: view.defaultBranchSha256 }),
    });
    expect(stale.status).toBe(409);
    const bad = await fetch(`${server.base}/api/workspaces/${id}/mcp-trust`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ decision: 'approve', sha256: 'nope' }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('sha256');
    const missing = await fetch(`${server.base}/api/workspaces/ws_nosuchws0001/mcp-trust`);
    expect(missing.status).toBe(404);

    const page = await newPage(browser);
    await page.goto(`${server.base}/workspaces/${id}`);
    const card = page.getByTestId('workspace-mcp-servers');
    await card.getByText('not approved: nothing starts').waitFor();
    expect(await page.getByTestId('workspace-mcp').textContent()).toContain(
      'It differs from the config on main.',
    );
    expect(await card.getByTestId('mcp-config-text').textContent()).toBe(cfg.text);
    expect(await card.textContent()).toContain(cfg.sha256);
    expect(await page.content()).not.toContain(SECRET);
    await card.getByRole('button', { name: 'Approve MCP servers' }).click();
    await page.getByTestId('workspace-mcp').waitFor({ state: 'detached' });
    await page.close();

    const rows = listScriptTrust({ db, projectId });
    expect(rows.filter((r) => r.kind === 'mcp' && r.decision === 'approved').map((r) => r.sha256)).toEqual(
      expect.arrayContaining([cfg.sha256, view.defaultBranchSha256]),
    );
    const turn = forTurn();
    expect(turn.notes).toEqual([]);
    expect(turn.servers.map((s) => s.name)).toEqual(['probe', 'docs']);
  });
});
