/**
 * A turn that finished but whose result never reached Temporal (the worker died in between) is
 * retried. The retry answers from the stored transcript instead of running the turn again: the
 * kill matrix saw the turn's last assistant message written twice without this. Real SQLite, real
 * git worktree, the script runner, the activity run through the SDK's mock activity environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgentActivities, type RunAgentTurnInput } from '../../activities/agents/activities.js';
import type { AgentTurnResult } from '../../core/agent.js';
import { createScriptRunner } from '../../activities/agents/script-runner.js';
import { openDb } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { listMessages } from '../../db/queries/agent-messages.js';
import { setSessionStatus } from '../../db/queries/agent-sessions.js';
import { seedWorkspace } from '../support/ratchet-harness.js';
import { git, makeRepo } from '../support/git.js';
import { addProject, specFor } from '../support/workspace-harness.js';

const repo = makeRepo({ prefix: 'ratchet-turn-retry-' });
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

function setUp(name: string) {
  const dbFile = path.join(repo.root, `${name}.db`);
  migrateDatabase(dbFile);
  const db = openDb(dbFile);
  const spec = specFor(repo, addProject(db, repo), { prompt: 'Note the greeting' });
  seedWorkspace(db, { id: spec.workspaceId, projectId: spec.projectId, branch: spec.branch });
  git(repo.repo, 'worktree', 'add', '--quiet', '-b', spec.branch, spec.worktreePath, 'main');
  const activities = createAgentActivities({ db, runners: { script: createScriptRunner() }, env: {} });
  const input: RunAgentTurnInput = {
    spec,
    turn: 1,
    purpose: 'implement',
    prompt: spec.prompt,
    sessionId: `${spec.workspaceId}-t1-implement`,
    mode: 'agent',
  };
  const rows = () => listMessages({ db, sessionId: input.sessionId });
  const notes = () => fs.readFileSync(path.join(spec.worktreePath, 'RATCHET_NOTES.md'), 'utf8');
  return { db, activities, input, rows, notes };
}

type AgentActivities = ReturnType<typeof createAgentActivities>;

/** One attempt of the activity, with the SDK's activity context (info.attempt, heartbeats). */
function runTurn(
  activities: AgentActivities,
  input: RunAgentTurnInput,
  attempt: number,
): Promise<AgentTurnResult> {
  return new MockActivityEnvironment({ attempt }).run(activities.runAgentTurn, input);
}

describe('an agent turn retried after it finished', () => {
  it('answers from the transcript: no message written twice, no step applied twice', async () => {
    const { activities, input, rows, notes } = setUp('finished');
    const first = await runTurn(activities, input, 1);
    expect(first.status).toBe('completed');
    const stored = rows();
    const notesAfterFirst = notes();
    expect(stored.filter((r) => r.role === 'assistant')).toHaveLength(1);

    const retried = await runTurn(activities, input, 2);
    expect(retried).toMatchObject({
      sessionId: first.sessionId,
      status: 'completed',
      summary: first.summary,
      costUsd: first.costUsd,
      usage: first.usage,
    });
    expect(rows()).toEqual(stored);
    expect(notes()).toBe(notesAfterFirst);
  });

  it('still runs a session that did not complete (a failed attempt is retried for real)', async () => {
    const { db, activities, input, rows } = setUp('failed');
    await runTurn(activities, input, 1);
    setSessionStatus({ db, id: input.sessionId, status: 'failed', error: 'provider exploded' });
    const before = rows().length;
    const retried = await runTurn(activities, input, 2);
    expect(retried.status).toBe('completed');
    expect(rows().length).toBeGreaterThan(before);
  });
});
