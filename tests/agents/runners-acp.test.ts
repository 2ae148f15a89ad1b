/**
 * The acp runner against a scripted ACP agent built on the SDK's agent side
 * (tests/support/fake-acp-agent.mjs), speaking the real protocol over stdio: streamed chunks,
 * tool calls run through the client's confined terminal and fs, permission asks answered by the
 * mode, a crash mid-stream resumed by `session/load` or by the replayed transcript, cancellation
 * and budget stops. Real SQLite, real git worktree, real processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { AcpAgentConfig } from '../../core/acp.js';
import { createAcpRunner } from '../../activities/agents/acp-runner.js';
import { makeHarness, waitFor, type Harness } from '../support/runners-harness.js';
import { fakeAcpAgentConfig } from '../support/fake-acp.js';

const GH = 'ghp_shouldNeverReachTheAgent000000000000';

type Step = Record<string, unknown>;

function setup(script: (worktree: string) => Step[], opts: { loadSession?: boolean } = {}) {
  const h = makeHarness();
  const steps = script(h.worktree);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-fake-acp-'));
  const scriptFile = path.join(dir, 'script.json');
  fs.writeFileSync(scriptFile, JSON.stringify({ loadSession: opts.loadSession ?? false, steps }));
  const state = path.join(dir, 'state');
  const agent: AcpAgentConfig = fakeAcpAgentConfig();
  const runner = createAcpRunner({
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      FAKE_ACP_SCRIPT: scriptFile,
      FAKE_ACP_STATE: state,
      GITHUB_TOKEN: GH,
    },
    agents: { fake: agent },
    defaultAgent: 'fake',
    heartbeatMs: 50,
    cancelGraceMs: 2000,
  });
  const calls = () =>
    fs.existsSync(path.join(state, 'calls.log'))
      ? fs
          .readFileSync(path.join(state, 'calls.log'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown> & { method: string })
      : [];
  return {
    h,
    runner,
    calls,
    state,
    request: (mode: 'agent' | 'plan' = 'agent') => h.request({ runner: 'acp', mode }),
  };
}

const kinds = (h: Harness) =>
  h.rows().map((r) => (r.role === 'system' ? `system:${(r.content as { kind: string }).kind}` : r.role));
const sys = (h: Harness, kind: string) =>
  h.rows().filter((r) => r.role === 'system' && (r.content as { kind: string }).kind === kind);

const appendOnce = (worktree: string) => ({
  tool: {
    id: 'call_once',
    title: 'append once',
    kind: 'execute',
    ask: true,
    rawInput: { command: 'sh -c "echo once >> count.txt"' },
    locations: [{ path: path.join(worktree, 'count.txt') }],
    run: { command: 'sh', args: ['-c', 'echo once >> count.txt'] },
  },
});

describe('acp runner against a scripted ACP agent', () => {
  it('streams chunks, thoughts, plans and a tool call into transcript rows with the reported tokens and dollars', async () => {
    const { h, runner, calls, request } = setup((wt) => [
      { think: 'Planning.' },
      { plan: [{ content: 'append a line', priority: 'high', status: 'pending' }] },
      { say: 'I will append a line.', chunks: 4 },
      appendOnce(wt),
      { usage: { costUsd: 0.0125, input: 1200, output: 80 } },
      { say: 'Done: appended.', chunks: 3 },
      { usage: { costUsd: 0.0075, input: 300, output: 20 } },
      { end: 'end_turn' },
    ]);
    const result = await runner.run(request(), h.context());
    expect(result).toMatchObject({ status: 'completed', summary: 'Done: appended.' });
    expect(kinds(h)).toEqual([
      'user',
      'system:acp_process',
      'system:acp_session',
      'system:acp_thought',
      'system:acp_plan',
      'assistant',
      'tool_call',
      'system:acp_permission',
      'tool_result',
      'system:acp_cost',
      'system:acp_cost',
      'assistant',
      'system:acp_result',
    ]);
    const rows = h.rows();
    expect(rows.find((r) => r.role === 'assistant')?.content).toEqual({ text: 'I will append a line.' });
    expect(rows.find((r) => r.role === 'tool_call')).toMatchObject({
      toolCallId: 'call_once',
      toolName: 'append once',
    });
    expect(rows.find((r) => r.role === 'tool_result')?.content).toEqual({ ok: true, output: 'exit 0' });
    expect(h.read('count.txt')).toBe('once\n');
    // Cumulative session cost 0.0125 then 0.02: the rows carry the deltas; tokens from the prompt response.
    expect(sys(h, 'acp_cost').map((r) => r.costUsd)).toEqual([0.0125, expect.closeTo(0.0075, 12)]);
    expect(result.costUsd).toBeCloseTo(0.02, 12);
    expect(result.usage).toMatchObject({ inputTokens: 1500, outputTokens: 100 });
    // Agent mode selects the configured mode id; the permission answer is allow_once, never allow_always.
    expect(calls().find((c) => c.method === 'session/set_mode')).toMatchObject({ modeId: 'default' });
    expect(calls().find((c) => c.method === 'permission')).toMatchObject({
      outcome: { outcome: 'selected', optionId: 'once' },
    });
    // The client advertised fs and terminal; the agent process got no secret it was not given.
    expect(calls()[0]).toMatchObject({
      method: 'initialize',
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
    });
    const prompt = calls().find((c) => c.method === 'session/prompt');
    expect(prompt?.text).toContain('You are a careful coding agent.');
  });

  it('plan mode refuses writes and commands: the permission ask is rejected and the client refuses fs writes', async () => {
    const { h, runner, calls, request } = setup((wt) => [
      appendOnce(wt),
      {
        tool: {
          id: 'w1',
          title: 'write a.txt',
          kind: 'edit',
          write: { path: path.join(wt, 'a.txt'), content: 'x' },
        },
      },
      {
        tool: {
          id: 'r1',
          title: 'read README',
          kind: 'read',
          ask: true,
          read: { path: path.join(wt, 'README.md') },
          locations: [{ path: path.join(wt, 'README.md') }],
        },
      },
      { say: 'Planned.' },
      { end: 'end_turn' },
    ]);
    const result = await runner.run(request('plan'), h.context());
    expect(result.status).toBe('completed');
    expect(calls().find((c) => c.method === 'session/set_mode')).toMatchObject({ modeId: 'plan' });
    expect(fs.existsSync(path.join(h.worktree, 'count.txt'))).toBe(false);
    expect(fs.existsSync(path.join(h.worktree, 'a.txt'))).toBe(false);
    const results = h.rows().filter((r) => r.role === 'tool_result');
    expect(results.map((r) => [r.toolCallId, (r.content as { ok: boolean }).ok])).toEqual([
      ['call_once', false],
      ['w1', false],
      ['r1', true],
    ]);
    expect(String((results[1]?.content as { output: string }).output)).toContain('plan mode is read-only');
    expect(sys(h, 'acp_permission').map((r) => (r.content as { allow: boolean }).allow)).toEqual([
      false,
      true,
    ]);
  });

  it('agent mode refuses paths outside the worktree: an fs write, an edit ask and a command redirect', async () => {
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-outside-')), 'escape.txt');
    const { h, runner, request } = setup((wt) => [
      { tool: { id: 'w_out', title: 'write outside', kind: 'edit', write: { path: outside, content: 'x' } } },
      {
        tool: {
          id: 'e_out',
          title: 'edit outside',
          kind: 'edit',
          ask: true,
          rawInput: { file_path: outside },
          write: { path: 'inside-but-refused.txt', content: 'x' },
        },
      },
      {
        tool: {
          id: 'x_out',
          title: 'redirect',
          kind: 'execute',
          ask: true,
          rawInput: { command: `echo x > ${outside}` },
          run: { command: 'sh', args: ['-c', `echo x > ${outside}`] },
        },
      },
      {
        tool: {
          id: 'link',
          title: 'write through .git',
          kind: 'edit',
          write: { path: path.join(wt, '.git', 'x'), content: 'x' },
        },
      },
      { end: 'end_turn' },
    ]);
    await runner.run(request(), h.context());
    expect(fs.existsSync(outside)).toBe(false);
    expect(
      h
        .rows()
        .filter((r) => r.role === 'tool_result')
        .map((r) => (r.content as { ok: boolean }).ok),
    ).toEqual([false, false, false, false]);
    const reasons = sys(h, 'acp_permission').map((r) => (r.content as { reason: string }).reason);
    expect(reasons[0]).toContain('outside the worktree');
    expect(reasons[1]).toContain('outside the worktree');
  });

  it('a crash mid-stream is a retryable failure; the retry loads the session and the tool call is not run again', async () => {
    const { h, runner, calls, request } = setup(
      (wt) => [
        { say: 'Appending.' },
        appendOnce(wt),
        { say: 'Half way' },
        { crash: true },
        { say: 'Finished.' },
        { end: 'end_turn' },
      ],
      { loadSession: true },
    );
    const err = await runner.run(request(), h.context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(false);
    expect((err as ApplicationFailure).message).toContain('exited with code 3');
    // What streamed before the crash is kept, the unfinished message included.
    expect(
      h
        .rows()
        .filter((r) => r.role === 'assistant')
        .map((r) => (r.content as { text: string }).text),
    ).toEqual(['Appending.', 'Half way']);

    const result = await runner.run(request(), h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'Finished.' });
    expect(h.read('count.txt')).toBe('once\n');
    expect(calls().filter((c) => c.method === 'tool')).toHaveLength(1);
    expect(calls().filter((c) => c.method === 'session/load')).toEqual([
      expect.objectContaining({ found: true }),
    ]);
    // The replayed history was not recorded again: one tool_call and one tool_result.
    expect(
      h
        .rows()
        .filter((r) => r.toolCallId === 'call_once')
        .map((r) => r.role),
    ).toEqual(['tool_call', 'tool_result']);
    expect(sys(h, 'acp_session')).toHaveLength(1);
    expect(
      calls()
        .filter((c) => c.method === 'session/prompt')
        .at(-1)?.text,
    ).toContain('Your previous run was interrupted');
  });

  it('an agent without session/load gets the transcript replayed as context and does not rerun the tool', async () => {
    const { h, runner, calls, request } = setup((wt) => [
      appendOnce(wt),
      { crash: true },
      { say: 'Finished.' },
      { end: 'end_turn' },
    ]);
    await expect(runner.run(request(), h.context())).rejects.toBeInstanceOf(ApplicationFailure);
    const result = await runner.run(request(), h.context({ attempt: 2 }));
    expect(result.status).toBe('completed');
    expect(h.read('count.txt')).toBe('once\n');
    expect(calls().filter((c) => c.method === 'session/load')).toEqual([]);
    const replay = String(
      calls()
        .filter((c) => c.method === 'session/prompt')
        .at(-1)?.text,
    );
    expect(replay).toContain('<previous_attempt>');
    expect(replay).toContain('tool call call_once append once');
    expect(replay).toContain('do not run any of them again');
    expect(sys(h, 'acp_session')).toHaveLength(2);
  });

  it('activity cancellation sends session/cancel and the agent stops', async () => {
    const { h, runner, calls, request } = setup(() => [
      { say: 'Working.' },
      { sleep: 30_000 },
      { say: 'never' },
      { end: 'end_turn' },
    ]);
    const ac = new AbortController();
    const run = runner.run(request(), h.context({ signal: ac.signal }));
    await waitFor(() =>
      h.rows().some((r) => r.role === 'system' && (r.content as { kind: string }).kind === 'acp_session'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const reason = new Error('cancelled by test');
    ac.abort(reason);
    const started = Date.now();
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls().some((c) => c.method === 'session/cancel')).toBe(true);
    expect(sys(h, 'acp_result').map((r) => (r.content as { stopReason: string }).stopReason)).toEqual([
      'cancelled',
    ]);
  });

  it('a turn the agent ends as cancelled unasked is a retryable failure, not a finished task', async () => {
    const { h, runner, calls, request } = setup(() => [{ say: 'Starting.' }, { end: 'cancelled' }]);
    const err = await runner.run(request(), h.context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect((err as ApplicationFailure).message).toContain('cancelled without being asked to');
    expect(calls().some((c) => c.method === 'session/cancel')).toBe(false);
    expect(sys(h, 'acp_result').map((r) => (r.content as { stopReason: string }).stopReason)).toEqual([
      'cancelled',
    ]);
  });

  it('a reported cost past the budget cancels the turn and waits for approval', async () => {
    const { h, runner, calls, request } = setup(() => [
      { usage: { costUsd: 0.5, input: 10, output: 1 } },
      { sleep: 30_000 },
      { end: 'end_turn' },
    ]);
    h.budgetCapUsd = 0.25;
    const result = await runner.run(request(), h.context());
    expect(result.status).toBe('awaiting_budget');
    expect(calls().some((c) => c.method === 'session/cancel')).toBe(true);
    expect(result.costUsd).toBeCloseTo(0.5, 12);
  });

  it('an unknown or missing agent fails as ConfigInvalid without retrying', async () => {
    const { h, request } = setup(() => []);
    const runner = createAcpRunner({
      env: { PATH: '/nonexistent' },
      agents: {
        ghost: { command: 'no-such-acp-agent', args: [], passEnv: [], modes: {}, systemPrompt: 'inline' },
      },
    });
    const missing = await runner
      .run({ ...request(), config: { ...request().config, provider: 'ghost' } }, h.context())
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ type: 'ConfigInvalid', nonRetryable: true });
    const unknown = await runner
      .run({ ...request(), config: { ...request().config, provider: 'nope' } }, h.context())
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ type: 'ConfigInvalid', nonRetryable: true });
  });
});
