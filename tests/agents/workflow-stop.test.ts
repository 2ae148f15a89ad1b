/**
 * Stop through the workflow, in the real worker process, with the scripted ACP agent
 * (tests/support/fake-acp-agent.mjs) sleeping mid-turn: the `stopTurn` update cancels the agent
 * activity, which sends `session/cancel` and kills the agent's process group, so no process is
 * left in the worktree once the workspace is idle. What the agent said stays, the session ends
 * `cancelled`, the timeline says so, and a follow-up runs a new turn that commits the work, its
 * prompt carrying what the stopped turn had said and done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { agentMessages, workspaces } from '../../db/schema.js';
import { archiveSignal, queueMessageSignal, stateQuery, stopTurnUpdate } from '../../workflows/messages.js';
import { git, makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, eventKinds, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import { fakeAcpCalls, processesIn, writeFakeAcpWorkerConfig } from '../support/fake-acp.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let worker: WorkerProcess | null = null;
const taskQueue = `stop-${process.pid}`;
const fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-stop-'));
const scriptFile = path.join(fakeDir, 'script.json');
const stateDir = path.join(fakeDir, 'state');

const calls = () => fakeAcpCalls(stateDir);

const pidAlive = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  ({ db, home } = makeHome());
  writeFakeAcpWorkerConfig(home);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  worker = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    FAKE_ACP_SCRIPT: scriptFile,
    FAKE_ACP_STATE: stateDir,
  });
});

afterAll(async () => {
  await worker?.kill();
  await connection?.close();
  await server?.stop();
});

describe('Stop in the workspace workflow (real worker, scripted ACP agent)', () => {
  it('stopping a sleeping agent cancels it, leaves no process behind, keeps its words, and a follow-up runs', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Write notes.txt, slowly',
      agent: { runner: 'acp', provider: 'fake' },
    });
    fs.writeFileSync(
      scriptFile,
      JSON.stringify({
        steps: [
          { say: 'Writing the notes.' },
          {
            tool: {
              id: 'call_write',
              title: 'write notes',
              kind: 'execute',
              ask: true,
              rawInput: { command: 'sh -c "echo draft > notes.txt"' },
              run: { command: 'sh', args: ['-c', 'echo draft > notes.txt'] },
            },
          },
          { sleep: 600_000 },
          { say: 'Never said: the turn was stopped.' },
          { end: 'end_turn' },
        ],
      }),
    );
    const sessionId = `${spec.workspaceId}-t1-implement`;
    const rows = (id: string) =>
      db.select().from(agentMessages).where(eq(agentMessages.sessionId, id)).orderBy(agentMessages.seq).all();
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 20_000 })],
    });
    await waitFor(
      'the agent to be sleeping after its tool',
      () => rows(sessionId).some((r) => r.role === 'tool_result') && calls().some((c) => c.method === 'tool'),
      120_000,
    );
    const agentPids = processesIn(spec.worktreePath);
    expect(agentPids.length).toBeGreaterThan(0);
    const kept = rows(sessionId).length;

    const started = Date.now();
    const answer = await handle.executeUpdate(stopTurnUpdate, { args: [{ reason: 'taking another way' }] });
    expect(answer).toEqual({ stopped: true, turn: 1, sessionId });
    await waitFor(
      'the workspace to be idle',
      async () => (await handle.query(stateQuery)).status === 'idle',
      60_000,
      50,
    );
    const stopMs = Date.now() - started;
    // Idle only once the activity finished cancelling: the agent's whole group is gone by then.
    expect(processesIn(spec.worktreePath)).toEqual([]);
    expect(agentPids.filter(pidAlive)).toEqual([]);
    expect(calls().filter((c) => c.method === 'session/cancel')).toHaveLength(1);
    console.log(`[stop] update → idle with the agent gone: ${stopMs} ms`);
    expect(stopMs).toBeLessThan(15_000);

    // What was said stays; nothing new was stored after the stop; the session ended cancelled.
    const after = rows(sessionId);
    expect(after.length).toBeGreaterThanOrEqual(kept);
    expect(
      after.filter((r) => r.role === 'assistant').map((r) => (r.content as { text: string }).text),
    ).toEqual(['Writing the notes.']);
    expect(getSession({ db, id: sessionId })).toMatchObject({ status: 'cancelled' });
    expect(getSession({ db, id: sessionId })?.endedAt).toBeGreaterThan(0);
    expect(eventKinds(db, spec.workspaceId)).toContain('agent.stopped');
    // The query answers `idle` as the workflow sets it; the row follows once its activity writes it.
    await waitFor(
      'the workspace row to be idle',
      () => db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get()?.status === 'idle',
      30_000,
      50,
    );
    expect((await handle.query(stateQuery)).turnsDone).toBe(1);
    // Nothing was committed for the stopped turn; the worktree keeps the agent's edit.
    expect(git(repo.remote, 'branch', '--list', spec.branch)).toBe('');
    expect(fs.readFileSync(path.join(spec.worktreePath, 'notes.txt'), 'utf8')).toBe('draft\n');

    // A second Stop has nothing to stop: refused with the reason.
    const again = await handle.executeUpdate(stopTurnUpdate, { args: [{}] }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((again as WorkflowUpdateFailedError).cause?.message)).toMatch(/no agent turn is running/);

    // A follow-up runs a new turn in the same worktree and commits what is there.
    fs.writeFileSync(
      scriptFile,
      JSON.stringify({
        steps: [
          {
            tool: {
              id: 'call_finish',
              title: 'finish notes',
              kind: 'execute',
              ask: true,
              rawInput: { command: 'sh -c "echo done >> notes.txt"' },
              run: { command: 'sh', args: ['-c', 'echo done >> notes.txt'] },
            },
          },
          { say: 'Finished the notes.' },
          { end: 'end_turn' },
        ],
      }),
    );
    await handle.signal(queueMessageSignal, {
      text: 'Finish the notes',
      key: `stop-followup-${spec.workspaceId}`,
    });
    await waitFor(
      'the follow-up turn',
      async () => (await handle.query(stateQuery)).turnsDone === 2,
      120_000,
      250,
    );
    expect(fs.readFileSync(path.join(spec.worktreePath, 'notes.txt'), 'utf8')).toBe('draft\ndone\n');
    expect(remoteCommits(repo.remote, spec.branch)).toHaveLength(1);
    expect(getSession({ db, id: `${spec.workspaceId}-t2-followup` })).toMatchObject({ status: 'completed' });
    expect(getSession({ db, id: sessionId })).toMatchObject({ status: 'cancelled' });
    expect(processesIn(spec.worktreePath)).toEqual([]);

    // The follow-up's prompt carried the stopped turn: that the user stopped it, what it had said
    // and the tool it had run (with its result), fenced; the first turn's prompt carried none of it.
    const prompts = (calls() as Array<{ method: string; text?: string }>)
      .filter((c) => c.method === 'session/prompt')
      .map((c) => c.text ?? '');
    expect(prompts.length).toBeGreaterThanOrEqual(2);
    expect(prompts[0]).not.toContain('The user stopped your previous turn');
    const followUp = prompts.at(-1)!;
    expect(followUp).toContain('Finish the notes');
    expect(followUp).toContain('The user stopped your previous turn before it finished.');
    const open = followUp.indexOf('<untrusted_stopped_turn>');
    const close = followUp.indexOf('</untrusted_stopped_turn>');
    expect(open).toBeGreaterThan(0);
    const record = JSON.parse(followUp.slice(open + '<untrusted_stopped_turn>'.length, close)) as {
      steps: Array<{ said?: string; tool?: string; input?: string; result?: unknown }>;
      omitted: number;
    };
    expect(record.omitted).toBe(0);
    expect(record.steps[0]).toEqual({ said: 'Writing the notes.' });
    expect(record.steps[1]).toMatchObject({ tool: 'write notes', result: { ok: true } });
    expect(record.steps[1]!.input).toContain('echo draft > notes.txt');
    expect(followUp).not.toContain('Never said');

    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  }, 300_000);
});
