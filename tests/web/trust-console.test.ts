/**
 * The trust card end to end: a real workspace workflow (in-process worker, real activities, real
 * git) waits in `awaiting_trust`; `next start` on the same SQLite file shows the exact script on
 * the workspace page, and Chromium's click on "Approve and run" goes through
 * POST /api/workspaces/:id/trust to the workflow, after which the setup script runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptSha256 } from '../../activities/setup.js';
import { workflowIds } from '../../core/ids.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { makeRepo } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import { addProject, input, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const temporal = useInProcessTemporal({ name: 'trust-console' });
let server: ConsoleServer;
let browser: Browser;
let markers: string;

beforeAll(async () => {
  ensureConsoleBuilt();
  markers = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-trust-console-'));
  server = await startConsole({
    RATCHET_HOME: temporal.home,
    TEMPORAL_ADDRESS: temporal.env.address,
    RATCHET_TASK_QUEUE: temporal.taskQueue,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (markers) fs.rmSync(markers, { recursive: true, force: true });
});

describe('trust card', () => {
  it('shows the exact setup script, escaped, and Approve runs it', async () => {
    const marker = path.join(markers, 'approved-in-browser');
    // Markup in the script must arrive as text (the no-XSS guarantee), not as elements.
    const script = `echo "<img src=x onerror=alert(1)> setting up"\ntouch '${marker}'`;
    const repo = makeRepo({ setup: script });
    const spec = specFor(repo, addProject(temporal.db, repo), { title: 'Trust in the browser' });
    const handle = await temporal.env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue: temporal.taskQueue,
      args: [input(spec)],
    });
    await temporal.withWorker(async () => {
      await waitFor(
        'awaiting_trust',
        () => getWorkspaceById({ db: temporal.db, id: spec.workspaceId })?.status === 'awaiting_trust',
      );
      const page = await newPage(browser);
      try {
        await page.goto(`${server.base}/workspaces/${spec.workspaceId}`);
        const card = page.getByTestId('trust-card');
        await card.waitFor();
        expect(await page.getByTestId('trust-script').textContent()).toBe(script);
        expect(await card.textContent()).toContain(scriptSha256(script));
        expect(await card.locator('img').count()).toBe(0);
        expect(fs.existsSync(marker)).toBe(false);

        // The API decides only the console's way: a zod-parsed body, and only the pending sha256.
        const post = (body: unknown) =>
          fetch(`${server.base}/api/workspaces/${spec.workspaceId}/trust`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const bad = await post({ decision: 'maybe', sha256: scriptSha256(script) });
        expect(bad.status).toBe(422);
        expect(
          ((await bad.json()) as { error: { fields: Array<{ path: string }> } }).error.fields[0]?.path,
        ).toBe('decision');
        const other = await post({ decision: 'approve', sha256: scriptSha256('echo something else') });
        expect(other.status).toBe(409);
        expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(
          /does not match the setup script/,
        );
        expect(fs.existsSync(marker)).toBe(false);

        await card.getByRole('button', { name: 'Approve and run' }).click();
        await waitFor('the approved setup ran', () => fs.existsSync(marker), 30_000);
        await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
        // Once decided, the card is gone (the page refreshes after the answer).
        await page.reload();
        await page.getByText('Trust in the browser').first().waitFor();
        expect(await page.getByTestId('trust-card').count()).toBe(0);
      } finally {
        await page.close();
      }
      await handle.signal(archiveSignal);
      await handle.result();
    });
  });
});
