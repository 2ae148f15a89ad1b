/**
 * Builders for the fake `claude` CLI's script: documented stream-json lines (system init,
 * assistant messages with content blocks and usage, user tool_result messages, the final result)
 * and the steps the fake plays between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory holding the fake `claude` executable; put it first on PATH. */
export const FAKE_CLAUDE_DIR = path.dirname(fileURLToPath(import.meta.url));

export type FakeClaudeStep =
  | { emit: Record<string, unknown> }
  | { write: { path: string; content: string } }
  | { append: { path: string; line: string } }
  | { sleepMs: number }
  | { truncate: string }
  | { exit: number };

export interface FakeClaudeInvocation {
  index: number;
  argv: string[];
  stdin: string;
  cwd: string;
  envKeys: string[];
  exhausted: boolean;
}

const usage = (
  u: Partial<
    Record<
      'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens',
      number
    >
  > = {},
) => ({
  input_tokens: u.input_tokens ?? 100,
  cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
  cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
  output_tokens: u.output_tokens ?? 20,
  service_tier: 'standard',
});

export const stream = {
  init: (sessionId: string, model = 'claude-sonnet-4-6') => ({
    type: 'system',
    subtype: 'init',
    cwd: '/fake',
    session_id: sessionId,
    tools: ['Bash', 'Edit', 'Read', 'Write'],
    mcp_servers: [],
    model,
    permissionMode: 'acceptEdits',
    apiKeySource: 'ANTHROPIC_API_KEY',
  }),
  assistant: (
    sessionId: string,
    messageId: string,
    content: Array<
      | { type: 'text'; text: string }
      | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
    >,
    u?: Parameters<typeof usage>[0],
  ) => ({
    type: 'assistant',
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content,
      stop_reason: null,
      stop_sequence: null,
      usage: usage(u),
    },
    parent_tool_use_id: null,
    session_id: sessionId,
  }),
  toolResult: (sessionId: string, toolUseId: string, content: string, isError = false) => ({
    type: 'user',
    message: {
      role: 'user',
      content: [{ tool_use_id: toolUseId, type: 'tool_result', content, is_error: isError }],
    },
    parent_tool_use_id: null,
    session_id: sessionId,
  }),
  result: (
    sessionId: string,
    text: string,
    opts: { subtype?: string; isError?: boolean; totalCostUsd?: number; numTurns?: number } = {},
  ) => ({
    type: 'result',
    subtype: opts.subtype ?? 'success',
    is_error: opts.isError ?? false,
    duration_ms: 1200,
    duration_api_ms: 1000,
    num_turns: opts.numTurns ?? 2,
    result: text,
    session_id: sessionId,
    total_cost_usd: opts.totalCostUsd ?? 0.01,
    usage: usage(),
    permission_denials: [],
  }),
};

/** Writes a script and returns the env entries the fake reads, plus a reader for its invocation log. */
export function writeFakeClaudeScript(dir: string, runs: Array<{ steps: FakeClaudeStep[] }>) {
  const scriptFile = path.join(dir, 'fake-claude-script.json');
  const logFile = path.join(dir, 'fake-claude-log.jsonl');
  fs.writeFileSync(scriptFile, JSON.stringify({ runs }));
  fs.rmSync(`${scriptFile}.state`, { force: true });
  fs.rmSync(logFile, { force: true });
  return {
    env: { FAKE_CLAUDE_SCRIPT: scriptFile, FAKE_CLAUDE_LOG: logFile },
    invocations: (): FakeClaudeInvocation[] =>
      fs.existsSync(logFile)
        ? fs
            .readFileSync(logFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FakeClaudeInvocation)
        : [],
  };
}
