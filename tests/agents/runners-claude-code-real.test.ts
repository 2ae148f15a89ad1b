/**
 * The Claude Code runner against the REAL Claude Code CLI (the registry package's native binary,
 * 2.1.328), pointed at the loopback fake Anthropic Messages API by ANTHROPIC_BASE_URL, with a
 * throwaway HOME and the CLI's nonessential traffic and telemetry switched off (otherwise it
 * calls HEAD /api/hello and resolves outside names). Every tool call here is run by the CLI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClaudeCodeRunner,
  isClaudeCliAvailable,
  type ClaudeCodeRunnerDeps,
} from '../../activities/agents/claude-code-runner.js';
import { createLiveSink } from '../../activities/agents/live.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { listLiveDeltasAfter, maxLiveDeltaId } from '../../db/queries/live-deltas.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { makeHarness, roles, waitFor, type Harness } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLAUDE = path.join(ROOT, 'node_modules/.bin/claude');
const HOST = path.join(ROOT, 'tests/support/claude-code-host.ts');
const KEY = 'sk-ant-real-cli-test-key-0001';
const GH = 'ghp_shouldNeverReachTheCli0000000000';

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

/** A harness, the fake API playing `script(worktree)`, and a runner aimed at both. */
async function setup(
  script: (worktree: string) => FakeAnthropicTurn[],
  extra: Partial<ClaudeCodeRunnerDeps> & { env?: Record<string, string> } = {},
) {
  const h = makeHarness();
  const fake = await startFakeAnthropic(script(h.worktree));
  fakes.push(fake);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-claude-home-'));
  const deps: ClaudeCodeRunnerDeps = {
    apiKey: KEY,
    baseURL: fake.url,
    claudeBin: CLAUDE,
    heartbeatMs: 100,
    ...extra,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      GITHUB_TOKEN: GH,
      ...extra.env,
    },
  };
  return { h, fake, deps, runner: createClaudeCodeRunner(deps) };
}

/** Sonnet 4.6 list prices per million tokens: input 3, output 15, cache read 0.3, cache write 3.75. */
const sonnet = (u: { input: number; output: number; cacheRead?: number; cacheWrite?: number }) =>
  (u.input * 3 + u.output * 15 + (u.cacheRead ?? 0) * 0.3 + (u.cacheWrite ?? 0) * 3.75) / 1e6;

const systemRows = (h: Harness, kind: string) =>
  h.rows().flatMap((r) => (r.role === 'system' && (r.content as { kind?: string }).kind === kind ? [r] : []));

/** Live processes whose working directory is `dir` (the CLI and its watchdog run in the worktree). */
function processesIn(dir: string): number[] {
  const real = fs.realpathSync(dir);
  return fs.readdirSync('/proc').flatMap((e) => {
    if (!/^[0-9]+$/.test(e)) return [];
    try {
      const state = fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.[0];
      return state !== 'Z' && fs.readlinkSync(`/proc/${e}/cwd`) === real ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}

describe('claude-code runner with the real CLI', () => {
  it('records exactly the tokens the API sent and the dollars the CLI reported, across a --resume retry', async () => {
    const { h, fake, runner } = await setup(
      (wt) => [
        {
          type: 'reply',
          text: 'Creating hello.txt.',
          toolCalls: [
            {
              id: 'toolu_w1',
              name: 'Write',
              input: { file_path: path.join(wt, 'hello.txt'), content: 'hi\n' },
            },
          ],
          usage: {
            input_tokens: 1200,
            output_tokens: 150,
            cache_read_input_tokens: 300,
            cache_creation_input_tokens: 40,
          },
        },
        { type: 'error', status: 401, errorType: 'authentication_error', message: 'scripted refusal' },
        {
          type: 'reply',
          text: 'Done: hello.txt exists.',
          usage: { input_tokens: 2000, output_tokens: 80, cache_read_input_tokens: 500 },
        },
        // The CLI retries API errors itself unless told not to; Temporal owns retries here.
      ],
      { env: { CLAUDE_CODE_MAX_RETRIES: '0' } },
    );

    const first = await runner.run(h.request({ runner: 'claude-code' }), h.context()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(h.read('hello.txt')).toBe('hi\n');
    const firstCost = sonnet({ input: 1200, output: 150, cacheRead: 300, cacheWrite: 40 });
    // The CLI's figure for run 1, and the session's after it, are the API's tokens at list price.
    expect((systemRows(h, 'cli_result')[0]?.content as { totalCostUsd: number }).totalCostUsd).toBeCloseTo(
      firstCost,
      12,
    );
    expect(getSession({ db: h.db, id: h.sessionId })?.costUsd).toBeCloseTo(firstCost, 12);

    const result = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'Done: hello.txt exists.' });
    fake.assertDone();
    expect(fake.requests.map((r) => r.headers['x-api-key'])).toEqual([KEY, KEY, KEY]);
    const [, , resumed] = fake.requests;
    expect(JSON.stringify(resumed?.body)).toContain('toolu_w1');

    const results = systemRows(h, 'cli_result').map(
      (r) => r.content as { totalCostUsd: number; runCostUsd: number },
    );
    expect(results).toHaveLength(2);
    const secondCost = sonnet({ input: 2000, output: 80, cacheRead: 500 });
    // After --resume the CLI reports the session's cumulative cost; the runner adds only the new run.
    expect(results[1]?.totalCostUsd).toBeCloseTo(firstCost + secondCost, 12);
    expect(results[1]?.runCostUsd).toBeCloseTo(secondCost, 12);
    const session = getSession({ db: h.db, id: h.sessionId });
    expect(session).toMatchObject({
      inputTokens: 3200,
      outputTokens: 230,
      cacheReadTokens: 800,
      cacheWriteTokens: 40,
    });
    expect(session?.costUsd).toBeCloseTo(results[1]!.totalCostUsd, 12);
    expect(result.costUsd).toBeCloseTo(firstCost + secondCost, 12);
    const rowSum = h.rows().reduce((s, r) => s + r.costUsd, 0);
    expect(rowSum).toBeCloseTo(firstCost + secondCost, 12);
  }, 120_000);

  it('refuses a Write and a Bash redirect outside the worktree even when the repository allows them, and the key stays out of tool shells', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-outside-'));
    const { h, fake, runner } = await setup(
      (wt) => [
        {
          type: 'reply',
          toolCalls: [
            {
              id: 'toolu_out_w',
              name: 'Write',
              input: { file_path: path.join(outside, 'w.txt'), content: 'escaped\n' },
            },
            {
              id: 'toolu_out_b',
              name: 'Bash',
              input: {
                command: `echo escaped > ${path.join(outside, 'b.txt')}`,
                description: 'redirect outside',
              },
            },
            {
              id: 'toolu_in_w',
              name: 'Write',
              input: { file_path: path.join(wt, 'inside.txt'), content: 'inside\n' },
            },
            {
              id: 'toolu_env',
              name: 'Bash',
              input: { command: 'env > env.txt', description: 'environment' },
            },
          ],
        },
        { type: 'reply', text: 'Two writes were refused.' },
      ],
      { bashRules: ['Bash(echo:*)', 'Bash(env)'] },
    );
    // What the agent could have written on an earlier turn to widen its own permissions.
    fs.mkdirSync(path.join(h.worktree, '.claude'));
    fs.writeFileSync(
      path.join(h.worktree, '.claude/settings.json'),
      JSON.stringify({ permissions: { allow: ['Write', 'Edit', 'Bash', 'Write(/**)', 'Bash(*)'] } }),
    );

    const result = await runner.run(h.request({ runner: 'claude-code' }), h.context());
    expect(result.status).toBe('completed');
    fake.assertDone();
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(h.read('inside.txt')).toBe('inside\n');
    const results = new Map(
      h
        .rows()
        .flatMap((r) =>
          r.role === 'tool_result' ? [[r.toolCallId, r.content as { ok: boolean; output: string }]] : [],
        ),
    );
    expect(results.get('toolu_out_w')).toMatchObject({ ok: false });
    expect(results.get('toolu_out_w')?.output).toMatch(/permission/i);
    expect(results.get('toolu_out_b')).toMatchObject({ ok: false });
    expect(results.get('toolu_out_b')?.output).toMatch(/outside the working directories/);
    expect(results.get('toolu_in_w')).toMatchObject({ ok: true });
    const denials = (
      systemRows(h, 'cli_result')[0]?.content as { permissionDenials: Array<{ toolUseId: string }> }
    ).permissionDenials;
    expect(denials.map((d) => d.toolUseId).sort()).toEqual(['toolu_out_b', 'toolu_out_w']);

    // The key reached the API (header) but not the environment of the CLI's shells.
    expect(fake.requests[0]?.headers['x-api-key']).toBe(KEY);
    const env = h.read('env.txt');
    expect(env).toContain('CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1');
    expect(env).not.toContain(KEY);
    expect(env).not.toContain(GH);
  }, 120_000);

  it('plan mode refuses a write inside the worktree', async () => {
    const { h, fake, runner } = await setup((wt) => [
      {
        type: 'reply',
        toolCalls: [
          {
            id: 'toolu_plan_w',
            name: 'Write',
            input: { file_path: path.join(wt, 'plan.txt'), content: 'no\n' },
          },
        ],
      },
      { type: 'reply', text: 'Plan: write plan.txt.' },
    ]);
    const result = await runner.run(h.request({ runner: 'claude-code', mode: 'plan' }), h.context());
    expect(result.status).toBe('completed');
    fake.assertDone();
    expect(fs.existsSync(path.join(h.worktree, 'plan.txt'))).toBe(false);
    expect(h.rows().find((r) => r.role === 'tool_result')?.content).toMatchObject({ ok: false });
  }, 120_000);

  it("reports each stream-json event to the console's live tail and ends every stream it opened", async () => {
    const { h, fake, runner } = await setup(() => [{ type: 'reply', text: 'Nothing to change.' }]);
    const workspaceId = `w_${h.sessionId.slice(2)}`;
    const live = createLiveSink({ db: h.db, workspaceId, sessionId: h.sessionId, attempt: 1 });
    const result = await runner.run(h.request({ runner: 'claude-code' }), { ...h.context(), live });
    live.flush();
    expect(result.status).toBe('completed');
    fake.assertDone();
    const deltas = listLiveDeltasAfter({
      db: h.db,
      workspaceId,
      after: 0,
      upTo: maxLiveDeltaId({ db: h.db }),
    });
    const events = deltas.flatMap((d) => {
      const e = d.data as { type?: string; subtype?: string } | null;
      return d.kind === 'cli_event' && e?.type ? [e.subtype ? `${e.type}/${e.subtype}` : e.type] : [];
    });
    expect(events[0]).toBe('system/init');
    expect(events).toContain('assistant');
    expect(events.at(-1)).toBe('result/success');
    // Every stream ends (after its rows), so no tail outlives the run in the console.
    const streams = new Set(deltas.map((d) => d.stream));
    for (const s of streams) expect(deltas.filter((d) => d.stream === s).at(-1)?.kind).toBe('end');
  }, 120_000);

  /**
   * Runs attempt 1 in a host process, SIGKILLs it while the model call that returns
   * `echo once >> count.txt` is in flight (answered 4 s later, when only a surviving CLI could take
   * it), optionally kills the watchdog too, then runs attempt 2 here and waits past the delayed answer.
   */
  async function killMidCallThenRetry(opts: { alsoKillWatchdog: boolean }) {
    const append = {
      id: 'toolu_once',
      name: 'Bash',
      input: { command: 'echo once >> count.txt', description: 'append once' },
    };
    const { h, fake, deps, runner } = await setup(() => [
      { type: 'reply', text: 'Appending.', toolCalls: [append], delayMs: 4000 },
      { type: 'reply', text: 'Appending.', toolCalls: [append] },
      { type: 'reply', text: 'Appended once.' },
    ]);
    const request = h.request({ runner: 'claude-code' }, 'Append "once" to count.txt');
    const host = spawn(process.execPath, ['--import', 'tsx', HOST], {
      cwd: ROOT,
      env: { ...process.env, RATCHET_CLAUDE_HOST: JSON.stringify({ dbFile: h.dbFile, request, deps }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    host.stdout.on('data', (c: Buffer) => (out += c.toString()));
    host.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((r) => host.once('exit', r));
    await waitFor(() => fake.requests.length === 1 && systemRows(h, 'cli_init').length === 1, 60_000).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}; host output:\n${out}`);
      },
    );
    const group = systemRows(h, 'cli_process')[0]?.content as { pgid: number };
    expect(processesIn(h.worktree).length).toBeGreaterThan(0);
    // The watchdog leads the group; without it nothing notices the worker's death.
    if (opts.alsoKillWatchdog) process.kill(group.pgid, 'SIGKILL');
    host.kill('SIGKILL');
    await exited;
    const survivorsBeforeRetry = opts.alsoKillWatchdog ? processesIn(h.worktree) : [];
    if (!opts.alsoKillWatchdog) await waitFor(() => processesIn(h.worktree).length === 0, 5000);

    const result = await runner.run(request, h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'Appended once.' });
    // Past the moment the delayed answer went out: nobody was left to take it and run the tool.
    await new Promise((r) => setTimeout(r, 4500));
    expect(h.read('count.txt')).toBe('once\n');
    expect(fake.requests).toHaveLength(3);
    fake.assertDone();
    expect(processesIn(h.worktree)).toEqual([]);
    // One tool call and one result, whatever the retry had to do first: under load the killed CLI
    // may not have saved its session, and the retry records that and starts a new one (more system
    // rows after the reset).
    expect(roles(h.rows())).toMatch(
      // Each message's final output count (`cli_usage`) lands when the CLI forwards its message_delta.
      /^user system system reset( system){2,} assistant tool_call( system)? tool_result( system)? assistant( system){1,2}$/,
    );
    return { survivorsBeforeRetry };
  }

  it('a worker SIGKILLed while the model call for a tool is in flight leaves no CLI behind, and the resumed turn runs the tool once', async () => {
    await killMidCallThenRetry({ alsoKillWatchdog: false });
  }, 120_000);

  it('a CLI that outlived its worker and its watchdog is killed by the retry before --resume', async () => {
    const { survivorsBeforeRetry } = await killMidCallThenRetry({ alsoKillWatchdog: true });
    expect(survivorsBeforeRetry.length).toBeGreaterThan(0);
  }, 120_000);

  it('stops the CLI when the budget runs out mid-run and continues after approval (its CLI session, or a new one if the stopped CLI had not saved it)', async () => {
    const { h, fake, runner } = await setup(
      () => [
        // Input tokens alone (the estimate on the assistant line) cost 0.30, over the 0.10 cap.
        {
          type: 'reply',
          text: 'Expensive thought.',
          toolCalls: [
            { id: 'toolu_slow', name: 'Bash', input: { command: 'sleep 60', description: 'slow' } },
          ],
          usage: { input_tokens: 100_000, output_tokens: 1000 },
        },
        { type: 'reply', text: 'Finished after approval.', usage: { input_tokens: 1000, output_tokens: 10 } },
      ],
      { bashRules: ['Bash(sleep:*)'] },
    );
    h.budgetCapUsd = 0.1;
    const started = Date.now();
    const first = await runner.run(h.request({ runner: 'claude-code' }), h.context());
    expect(first.status).toBe('awaiting_budget');
    // Stopped while its tool runs, not after: the `sleep 60` never finished.
    expect(Date.now() - started).toBeLessThan(45_000);
    await waitFor(() => processesIn(h.worktree).length === 0, 5000);
    expect(fake.requests).toHaveLength(1);
    h.budgetCapUsd = 10;
    const second = await runner.run(h.request({ runner: 'claude-code' }), h.context());
    expect(second).toMatchObject({ status: 'completed', summary: 'Finished after approval.' });
    fake.assertDone();
    // The stopped run never reported a result. Its input side is on its assistant row; its output
    // is the API's final count if the CLI forwarded the message_delta before it was killed
    // (partial messages), else the placeholder. The resumed run adds its own figure.
    const stopped = getSession({ db: h.db, id: h.sessionId });
    expect([1 + 10, 1000 + 10]).toContain(stopped?.outputTokens);
    const stoppedCost = sonnet({ input: 100_000, output: (stopped?.outputTokens ?? 0) - 10 });
    expect(second.costUsd).toBeCloseTo(stoppedCost + sonnet({ input: 1000, output: 10 }), 12);
  }, 120_000);

  it('a run stopped (activity cancelled) during its next model call kills the CLI group and keeps the final output count and the streamed tokens', async () => {
    const { h, fake, runner } = await setup(() => [
      {
        type: 'reply',
        text: 'Listing the files before I answer.',
        chunkSize: 4,
        toolCalls: [{ id: 'toolu_ls', name: 'Bash', input: { command: 'ls', description: 'list' } }],
        usage: { input_tokens: 2000, output_tokens: 150 },
      },
      // The next model call never finishes: only a Stop ends this run.
      { type: 'hang' },
    ]);
    const workspaceId = `w_${h.sessionId.slice(2)}`;
    const live = createLiveSink({ db: h.db, workspaceId, sessionId: h.sessionId, attempt: 1 });
    const stop = new AbortController();
    const outcome = runner
      .run(h.request({ runner: 'claude-code' }), { ...h.context({ signal: stop.signal }), live })
      .then(
        () => null,
        (e: unknown) => e,
      );
    await waitFor(() => fake.requests.length === 2 && h.rows().some((r) => r.role === 'tool_result'), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(processesIn(h.worktree).length).toBeGreaterThan(0);
    const started = Date.now();
    stop.abort(new Error('stopped from the console'));
    expect(await outcome).toBeInstanceOf(Error);
    live.flush();
    await waitFor(() => processesIn(h.worktree).length === 0, 5000);
    console.log(`[stop] claude-code abort → CLI group gone: ${Date.now() - started} ms`);
    expect(systemRows(h, 'cli_result')).toHaveLength(0);
    // The API's final count (150), not the placeholder 1, though no result line ever came.
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({ inputTokens: 2000, outputTokens: 150 });
    expect(h.rows().reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo(
      sonnet({ input: 2000, output: 150 }),
      12,
    );
    expect(systemRows(h, 'cli_usage').map((r) => r.content)).toEqual([
      expect.objectContaining({ kind: 'cli_usage', outputTokens: 150 }),
    ]);
    // Token deltas from the CLI's stream events reached the live tail, several per message.
    const text = listLiveDeltasAfter({ db: h.db, workspaceId, after: 0, upTo: maxLiveDeltaId({ db: h.db }) })
      .filter((d) => d.kind === 'text')
      .map((d) => (d.data as { text: string }).text);
    expect(text.length).toBeGreaterThan(2);
    expect(text.join('')).toContain('Listing the files before I answer.');
  }, 120_000);

  it('starts a new CLI session when the recorded one cannot be resumed (killed before the CLI saved it)', async () => {
    const { h, fake, runner } = await setup(() => [{ type: 'reply', text: 'Started afresh.' }]);
    h.transcript.append({ role: 'user', content: { text: 'Create hello.txt' } });
    // What a CLI killed in its first moments leaves: an init line for a session it never wrote.
    h.transcript.append({
      role: 'system',
      content: {
        kind: 'cli_init',
        cliSessionId: '0b0b0b0b-1111-4222-8333-444444444444',
        model: 'claude-sonnet-4-6',
      },
    });
    const result = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'Started afresh.' });
    fake.assertDone();
    expect(systemRows(h, 'cli_resume_lost').map((r) => r.content)).toEqual([
      { kind: 'cli_resume_lost', cliSessionId: '0b0b0b0b-1111-4222-8333-444444444444' },
    ]);
    // The new session got the task again, with a warning that part of it may be done.
    const body = JSON.stringify(fake.requests[0]?.body);
    expect(body).toContain('Create hello.txt');
    expect(body).toContain('may already hold part of the work');
  }, 120_000);

  it('fails non-retryably when the CLI is missing, and health reports availability', async () => {
    const h = makeHarness();
    const runner = createClaudeCodeRunner({ env: { PATH: '/nonexistent' }, apiKey: 'k' });
    const failure = await runner.run(h.request({ runner: 'claude-code' }), h.context()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ConfigInvalid', nonRetryable: true });
    expect(await isClaudeCliAvailable({ env: { PATH: '/nonexistent' } })).toBe(false);
    expect(
      await isClaudeCliAvailable({ env: { PATH: process.env.PATH, HOME: os.tmpdir() }, claudeBin: CLAUDE }),
    ).toBe(true);
  }, 60_000);
});
