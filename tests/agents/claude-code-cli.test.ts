/** The Claude Code CLI's permission recipe, environment policy and per-run accounting. */
import { describe, expect, it } from 'vitest';
import {
  API_KEY_FD_VARIABLE,
  claudeCodeArgs,
  claudeCodeEnv,
} from '../../activities/agents/claude-code-cli.js';
import {
  lineSchema,
  newLedger,
  rowsForLine,
  rowsForStreamEvent,
  runCostUsd,
  type ResultLine,
} from '../../activities/agents/claude-code-stream.js';

const result = (sessionId: string, total: number): ResultLine =>
  lineSchema.parse({
    type: 'result',
    subtype: 'success',
    is_error: false,
    session_id: sessionId,
    total_cost_usd: total,
  }) as ResultLine;

describe('claudeCodeArgs', () => {
  it('never pre-allows a bare Write, Edit or Bash, and reads only user settings', () => {
    for (const mode of ['agent', 'plan'] as const) {
      const args = claudeCodeArgs({ model: 'm', maxTurns: 3, mode });
      const allowed = args[args.indexOf('--allowedTools') + 1]?.split(',') ?? [];
      expect(
        allowed.filter((t) => ['Write', 'Edit', 'MultiEdit', 'Bash', 'NotebookEdit'].includes(t)),
      ).toEqual([]);
      expect(args).toEqual(expect.arrayContaining(['--setting-sources', 'user', '--strict-mcp-config']));
      expect(args[args.indexOf('--permission-mode') + 1]).toBe(mode === 'plan' ? 'plan' : 'acceptEdits');
    }
  });

  it('gives plan mode no Bash rules and agent mode the configured ones', () => {
    const plan = claudeCodeArgs({ model: 'm', maxTurns: 3, mode: 'plan' });
    expect(plan[plan.indexOf('--allowedTools') + 1]).not.toContain('Bash(');
    const agent = claudeCodeArgs({ model: 'm', maxTurns: 3, mode: 'agent', bashRules: ['Bash(make test)'] });
    expect(agent[agent.indexOf('--allowedTools') + 1]?.split(',')).toContain('Bash(make test)');
  });
});

describe('claudeCodeEnv', () => {
  const parent = {
    PATH: '/bin',
    HOME: '/home/u',
    ANTHROPIC_API_KEY: 'sk-ant-secret-000000',
    ANTHROPIC_AUTH_TOKEN: 'tok-secret-000000',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-000000',
    GITHUB_TOKEN: 'ghp_secret0000000000000000',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_USE_BEDROCK: '1',
    CLAUDE_CODE_USE_VERTEX: '',
    AWS_REGION: 'eu-west-1',
    ANTHROPIC_MODEL: 'claude-opus-4-1',
    CLAUDE_CODE_MAX_OUTPUT_TOKENS: '8000',
    VERTEX_REGION_CLAUDE_SONNET: 'us-east5',
  };

  it("passes the CLI's own switches and no credential", () => {
    const env = claudeCodeEnv({ parentEnv: parent, baseURL: 'http://127.0.0.1:1', apiKeyFd: 4 });
    expect(env).toMatchObject({
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      ANTHROPIC_MODEL: 'claude-opus-4-1',
      CLAUDE_CODE_MAX_OUTPUT_TOKENS: '8000',
      VERTEX_REGION_CLAUDE_SONNET: 'us-east5',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      [API_KEY_FD_VARIABLE]: '4',
    });
    expect(env).not.toHaveProperty('CLAUDE_CODE_USE_VERTEX');
    for (const name of [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_AUTH_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN',
    ]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(Object.values(env).join('\n')).not.toMatch(/secret/);
  });

  it('names no key fd when there is no key (a subscription login in the user config)', () => {
    expect(claudeCodeEnv({ parentEnv: parent })).not.toHaveProperty(API_KEY_FD_VARIABLE);
  });
});

describe('runCostUsd', () => {
  it('is the total on a session with no recorded result', () => {
    expect(runCostUsd(result('s1', 0.5), new Map())).toBe(0.5);
  });
  it('subtracts the last recorded cumulative total of the same CLI session after --resume', () => {
    expect(runCostUsd(result('s1', 0.5), new Map([['s1', 0.2]]))).toBeCloseTo(0.3, 12);
    expect(runCostUsd(result('s2', 0.5), new Map([['s1', 0.2]]))).toBe(0.5);
  });
  it('takes the total as the run alone when it is below the baseline (the CLI did not carry the cost over)', () => {
    expect(runCostUsd(result('s1', 0.1), new Map([['s1', 0.2]]))).toBe(0.1);
  });
});

describe('rowsForLine', () => {
  it('records a message snapshot once and lets the result row carry the difference to the run figures', () => {
    const ledger = newLedger([], new Map());
    const assistant = (content: unknown[]) =>
      lineSchema.parse({
        type: 'assistant',
        message: {
          id: 'msg_1',
          model: 'claude-sonnet-4-6',
          content,
          usage: { input_tokens: 1000, output_tokens: 1 },
        },
      });
    const a = rowsForLine(assistant([{ type: 'text', text: 'hi' }]), ledger, undefined, 'claude-sonnet-4-6');
    const b = rowsForLine(
      assistant([{ type: 'tool_use', id: 't1', name: 'Read', input: {} }]),
      ledger,
      undefined,
      'claude-sonnet-4-6',
    );
    expect(a[0]?.usage).toMatchObject({ inputTokens: 1000, outputTokens: 1 });
    expect(b.some((r) => r.usage)).toBe(false);
    const end = lineSchema.parse({
      type: 'result',
      subtype: 'success',
      is_error: false,
      session_id: 's1',
      total_cost_usd: 0.00525,
      usage: { input_tokens: 1000, output_tokens: 150 },
    });
    const [row] = rowsForLine(end, ledger, undefined, 'claude-sonnet-4-6');
    expect(row?.usage).toMatchObject({ inputTokens: 0, outputTokens: 149 });
    expect((a[0]?.costUsd ?? 0) + (row?.costUsd ?? 0)).toBeCloseTo(0.00525, 12);
    expect(ledger.cumulativeBySession.get('s1')).toBe(0.00525);
  });
});

describe('rowsForStreamEvent', () => {
  const M = 'claude-sonnet-4-6';
  const ev = (event: unknown) => ({ type: 'stream_event', event });
  const assistant = lineSchema.parse({
    type: 'assistant',
    message: {
      id: 'msg_1',
      model: M,
      content: [{ type: 'text', text: 'hi' }],
      usage: { input_tokens: 1000, output_tokens: 1 },
    },
  });

  it('records the final output count of a message at its message_delta, so a run killed before its result keeps it', () => {
    const ledger = newLedger([], new Map());
    expect(
      rowsForStreamEvent(
        ev({ type: 'message_start', message: { id: 'msg_1', model: M } }),
        ledger,
        undefined,
        M,
      ),
    ).toEqual([]);
    const [a] = rowsForLine(assistant, ledger, undefined, M);
    expect(a?.usage).toMatchObject({ outputTokens: 1 });
    const [u] = rowsForStreamEvent(
      ev({ type: 'message_delta', usage: { output_tokens: 150 } }),
      ledger,
      undefined,
      M,
    );
    expect(u).toMatchObject({
      role: 'system',
      content: { kind: 'cli_usage', messageId: 'msg_1', outputTokens: 150 },
      usage: { inputTokens: 0, outputTokens: 149 },
    });
    expect(u?.costUsd).toBeCloseTo((149 * 15) / 1e6, 12);
    // The result row then adds only what is left: the rows sum to the CLI's figures.
    const end = lineSchema.parse({
      type: 'result',
      subtype: 'success',
      is_error: false,
      session_id: 's1',
      total_cost_usd: 0.00525,
      usage: { input_tokens: 1000, output_tokens: 150 },
    });
    const [row] = rowsForLine(end, ledger, undefined, M);
    expect(row?.usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect((a?.costUsd ?? 0) + (u?.costUsd ?? 0) + (row?.costUsd ?? 0)).toBeCloseTo(0.00525, 12);
  });

  it('lets the assistant row carry a final count that came first, and ignores other events and repeats', () => {
    const ledger = newLedger([], new Map());
    rowsForStreamEvent(
      ev({ type: 'message_start', message: { id: 'msg_1', model: M } }),
      ledger,
      undefined,
      M,
    );
    expect(
      rowsForStreamEvent(ev({ type: 'message_delta', usage: { output_tokens: 40 } }), ledger, undefined, M),
    ).toEqual([]);
    const [a] = rowsForLine(assistant, ledger, undefined, M);
    expect(a?.usage).toMatchObject({ inputTokens: 1000, outputTokens: 40 });
    expect(a?.content).not.toHaveProperty('usageIsEstimate');
    expect(
      rowsForStreamEvent(ev({ type: 'message_delta', usage: { output_tokens: 40 } }), ledger, undefined, M),
    ).toEqual([]);
    expect(
      rowsForStreamEvent(
        ev({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } }),
        ledger,
        undefined,
        M,
      ),
    ).toEqual([]);
    expect(rowsForStreamEvent({ type: 'assistant' }, ledger, undefined, M)).toEqual([]);
  });

  it('passes --include-partial-messages to the CLI', () => {
    expect(claudeCodeArgs({ model: M, maxTurns: 3, mode: 'agent' })).toContain('--include-partial-messages');
  });
});
