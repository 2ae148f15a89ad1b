/**
 * How the Claude Code CLI is started: its arguments (the permission recipe) and its environment.
 *
 * Permissions. The CLI runs its own tools, so confinement is the CLI's permission system, set so
 * that nothing in the worktree can widen it:
 * - `--setting-sources user`: a repository's `.claude/settings*.json` (which the agent itself can
 *   write) is never read, so it cannot allow `Write(/**)` or bare `Bash`.
 * - `--strict-mcp-config`: a repository's `.mcp.json` starts no servers; the project's approved
 *   MCP servers (core/mcp.ts) come in by `--mcp-config <file>` (mode 0600, in a private temp
 *   directory, removed once the CLI has started them), and in agent mode `mcp__<server>` is
 *   pre-allowed for each. Plan mode gets no MCP servers.
 * - Agent mode is `--permission-mode acceptEdits` with only read tools and per-command Bash rules
 *   pre-allowed. acceptEdits accepts Write/Edit inside the working directory only; a write or a
 *   Bash output redirection outside it needs approval, which `-p` cannot give, so it is refused
 *   and the refusal comes back to the model as an error tool_result (checked against 2.1.328).
 *   Bare `Write`/`Edit`/`Bash` entries are never passed: they accept any absolute path.
 * - Plan mode is `--permission-mode plan` with read tools only.
 * Commands that run project code (`npm test`, `npm run …`) are trusted as the project's scripts
 * are; the CLI's path checks cover its own tools and the redirections it can see.
 *
 * Environment. core/child-env.ts's `claude-code` profile: the agent allowlist plus the CLI's own
 * documented, non-secret switches from the worker's environment. The API key is NOT put in the environment: the CLI
 * reads it from a pipe (`CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR`), so the shells its Bash tool
 * starts never see it (with the key in its environment they do: `env` in a Bash tool call prints
 * it), and it is in no argv, log or prompt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentConfig } from '../../core/agent.js';
import type { ResolvedMcpServer } from '../../core/mcp.js';
import { claudeCodeEnv as childEnvOfClaudeCode, type Env } from '../../core/child-env.js';

/** Tools pre-allowed in every mode: they only read. */
export const CLAUDE_CODE_READ_TOOLS = ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite'];

/**
 * Bash commands pre-allowed in agent mode (prefix rules). Anything else is refused, as is any
 * redirection outside the worktree whatever the command.
 */
export const CLAUDE_CODE_BASH_RULES = [
  'Bash(npm:*)',
  'Bash(pnpm:*)',
  'Bash(yarn:*)',
  'Bash(git status:*)',
  'Bash(git diff:*)',
  'Bash(git log:*)',
  'Bash(git show:*)',
  'Bash(ls:*)',
  'Bash(cat:*)',
  'Bash(head:*)',
  'Bash(tail:*)',
  'Bash(wc:*)',
  'Bash(grep:*)',
  'Bash(echo:*)',
  'Bash(mkdir:*)',
  'Bash(pwd)',
];

/** The CLI's own configuration variables passed through (core/child-env.ts `claude-code` profile). */
export { CLAUDE_CODE_SWITCHES } from '../../core/child-env.js';

/** The variable naming the fd the CLI reads its API key from. */
export const API_KEY_FD_VARIABLE = 'CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR';

export interface CliArgsInput {
  model: string;
  maxTurns: number;
  mode: AgentConfig['mode'];
  systemPrompt?: string;
  resumeId?: string;
  /** @default CLAUDE_CODE_BASH_RULES */
  bashRules?: readonly string[];
  /** A `--mcp-config` file and the server names in it (agent mode only). */
  mcp?: { file: string; servers: readonly string[] };
}

export function claudeCodeArgs(input: CliArgsInput): string[] {
  const args = [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    // Token deltas for the console's live tail, and each message's final usage (claude-code-stream.ts).
    '--include-partial-messages',
    '--model',
    input.model,
    '--max-turns',
    String(input.maxTurns),
  ];
  args.push('--setting-sources', 'user', '--strict-mcp-config');
  const mcp = input.mode === 'plan' ? undefined : input.mcp;
  if (mcp?.servers.length) args.push('--mcp-config', mcp.file);
  if (input.systemPrompt) args.push('--append-system-prompt', input.systemPrompt);
  const allowed =
    input.mode === 'plan'
      ? CLAUDE_CODE_READ_TOOLS
      : [
          ...CLAUDE_CODE_READ_TOOLS,
          ...(input.bashRules ?? CLAUDE_CODE_BASH_RULES),
          ...(mcp?.servers ?? []).map((s) => `mcp__${s}`),
        ];
  args.push(
    '--permission-mode',
    input.mode === 'plan' ? 'plan' : 'acceptEdits',
    '--allowedTools',
    allowed.join(','),
  );
  if (input.resumeId) args.push('--resume', input.resumeId);
  return args;
}

/**
 * The CLI's environment: the sandbox allowlist, the CLI's switches, `ANTHROPIC_BASE_URL`, and (when
 * a key is given) the name of the fd the key arrives on.
 */
export function claudeCodeEnv(opts: {
  parentEnv: Env;
  extraEnv?: Env;
  baseURL?: string;
  apiKeyFd?: number;
}): Record<string, string> {
  const env = childEnvOfClaudeCode(opts.parentEnv, opts.extraEnv);
  if (opts.baseURL) env.ANTHROPIC_BASE_URL = opts.baseURL;
  if (opts.apiKeyFd !== undefined) env[API_KEY_FD_VARIABLE] = String(opts.apiKeyFd);
  return env;
}

/**
 * Writes the CLI's `--mcp-config` file (it holds the servers' secret values) into a fresh private
 * directory: the directory is 0700, the file 0600. `remove` is idempotent.
 */
export function writeMcpConfigFile(servers: readonly ResolvedMcpServer[]): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-mcp-'));
  const file = path.join(dir, 'mcp.json');
  const mcpServers = Object.fromEntries(
    servers.map((s) => [
      s.name,
      s.type === 'stdio'
        ? { type: 'stdio', command: s.command, args: s.args, env: s.env }
        : { type: 'http', url: s.url, headers: s.headers },
    ]),
  );
  fs.writeFileSync(file, JSON.stringify({ mcpServers }), { mode: 0o600, flag: 'wx' });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
