/**
 * Agent Client Protocol agents: the presets Ratchet knows, the config-file entry for any other
 * agent, and the pure decisions the `acp` runner makes (which permission option answers a
 * request, how a transcript is replayed as context). No I/O: the runner passes a path predicate.
 */
import { z } from 'zod';
import type { AgentMode } from './agent.js';

/** An ACP agent started as a subprocess: its command line and what it is allowed to receive. */
export const acpAgentSchema = z
  .object({
    /** Executable (looked up on PATH) and its arguments. */
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /**
     * Names of variables passed through from the worker's environment beyond the sandbox
     * allowlist: the agent's own settings and the one credential it needs (named, never a family).
     */
    passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
    /** Variables set for the agent: its own switches, never a secret (the config file is plain). */
    setEnv: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    /**
     * The agent's `execute` permission asks carry the exact command line as their title and no
     * `rawInput` (Gemini CLI: the shell tool's display title is its `command` parameter). Without
     * this, such an ask is refused as "command not shown".
     */
    commandInTitle: z.boolean().optional(),
    /**
     * Offer the agent Ratchet's confined `fs/*` methods. @default true. Off for Gemini CLI 0.61:
     * it rejects a client's JSON-RPC error as a plain object its ENOENT check cannot read, so with
     * client files on, writing a new file fails ("Error checking existing file: Resource not
     * found"). Its own file tools stay inside the workspace, and every write still asks first.
     */
    clientFs: z.boolean().optional(),
    /** Session mode ids to select with `session/set_mode` when the agent advertises them. */
    modes: z.object({ agent: z.string().min(1).optional(), plan: z.string().min(1).optional() }).default({}),
    /** How the system prompt reaches the agent: `_meta.systemPrompt.append` or a leading text block. */
    systemPrompt: z.enum(['meta', 'inline']).default('inline'),
    /** `_meta` sent with `session/new` and `session/load` (agent-specific options). */
    sessionMeta: z.record(z.string(), z.unknown()).optional(),
    /** Label recorded as the session's provider. @default the agent's name */
    provider: z.string().min(1).optional(),
  })
  .strict();
export type AcpAgentConfig = z.output<typeof acpAgentSchema>;

/** The config file's `agents.acp` map: agent name to command line (overrides a preset). */
export const acpAgentsSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), acpAgentSchema);

/**
 * The ACP agents Ratchet ships presets for. Each is offered only when its command is installed.
 * - `claude`: Claude Code through `@zed-industries/claude-agent-acp` (the Claude Agent SDK). Only
 *   the user's own settings are read (a repository's `.claude/settings.json` could pre-allow
 *   writes anywhere); reports tokens per turn and cumulative dollars.
 * - `codex`: Codex through `@zed-industries/codex-acp`.
 * - `gemini`: Gemini CLI's ACP mode (`gemini --acp`). The worktree is not trusted
 *   (`GEMINI_CLI_TRUST_WORKSPACE=false`), so a repository's `.gemini/settings.json`, `.env` and
 *   MCP servers are ignored, as Claude Code's project settings are; reports tokens per turn in the
 *   prompt response's `_meta.quota`, no dollars.
 */
export const ACP_PRESETS: Record<string, AcpAgentConfig> = {
  claude: {
    command: 'claude-agent-acp',
    args: [],
    passEnv: [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CONFIG_DIR',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
      'DISABLE_TELEMETRY',
      'DISABLE_ERROR_REPORTING',
      'DISABLE_AUTOUPDATER',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX',
      'AWS_REGION',
      'AWS_PROFILE',
      'ANTHROPIC_MODEL',
      'CLAUDE_CODE_EXECUTABLE',
    ],
    modes: { agent: 'default', plan: 'plan' },
    systemPrompt: 'meta',
    sessionMeta: { claudeCode: { options: { settingSources: ['user'] } } },
    provider: 'anthropic',
  },
  codex: {
    command: 'codex-acp',
    args: [],
    passEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'CODEX_HOME'],
    modes: { agent: 'auto', plan: 'read-only' },
    systemPrompt: 'inline',
    provider: 'openai',
  },
  gemini: {
    command: 'gemini',
    args: ['--acp'],
    passEnv: [
      'GEMINI_API_KEY',
      'GOOGLE_API_KEY',
      'GOOGLE_GEMINI_BASE_URL',
      'GEMINI_MODEL',
      'GOOGLE_GENAI_USE_VERTEXAI',
      'GOOGLE_CLOUD_PROJECT',
      'GOOGLE_CLOUD_LOCATION',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'GEMINI_CLI_HOME',
    ],
    setEnv: { GEMINI_CLI_TRUST_WORKSPACE: 'false' },
    commandInTitle: true,
    clientFs: false,
    modes: { agent: 'default', plan: 'plan' },
    systemPrompt: 'inline',
    provider: 'google',
  },
};

/** Presets merged with the config file's agents (the file wins). */
export function acpAgents(configured: Record<string, AcpAgentConfig> = {}): Record<string, AcpAgentConfig> {
  return { ...ACP_PRESETS, ...configured };
}

/** The ACP tool kinds (ToolKind in the protocol schema). */
export type AcpToolKind =
  'read' | 'edit' | 'delete' | 'move' | 'search' | 'execute' | 'think' | 'fetch' | 'switch_mode' | 'other';

export interface PermissionAsk {
  kind: AcpToolKind | null;
  /** Absolute paths the call touches: the request's `locations` plus path-like raw input fields. */
  paths: string[];
  /** The command line, for `execute` calls. */
  command: string | null;
  options: { optionId: string; kind: 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always' }[];
  /** True when a tool call with this id already has a recorded result (a replayed call). */
  alreadyRan: boolean;
}

export type PermissionDecision = { allow: boolean; optionId: string | null; reason: string };

const READ_KINDS: readonly (AcpToolKind | null)[] = ['read', 'search', 'think'];
const WRITE_KINDS: readonly (AcpToolKind | null)[] = ['edit', 'delete', 'move'];

/** Absolute-looking words of a command line: `/x`, `~/x`, `$HOME/x`, and `..` escapes. */
export function commandPaths(command: string): { paths: string[]; opaque: boolean } {
  const words = command.split(/[\s;|&()<>'"=`]+/).filter(Boolean);
  const paths = words.filter((w) => w.startsWith('/'));
  // Home and variables expand to places the check cannot see: treat them as outside.
  const opaque = words.some((w) => w.startsWith('~') || /\$\{?HOME\b/.test(w) || /(^|\/)\.\.(\/|$)/.test(w));
  return { paths, opaque };
}

/** Device files a command may redirect to without leaving the worktree. */
const HARMLESS_PATHS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/zero', '/dev/urandom']);

/**
 * Answers a `session/request_permission` by the workspace mode. Plan mode allows reading only.
 * Agent mode allows reads, edits and commands whose every path is inside the worktree; a command
 * naming a path outside it (a redirect to `/tmp/x`, a `cd ~`) is refused. `allow_always` is never
 * chosen, so the agent asks again next time instead of remembering a blanket rule; a call that
 * already ran in an earlier attempt is refused so it cannot run twice.
 */
export function decidePermission(
  ask: PermissionAsk,
  mode: AgentMode,
  inside: (absPath: string) => boolean,
): PermissionDecision {
  const pick = (allow: boolean, reason: string): PermissionDecision => {
    const kinds = allow ? ['allow_once'] : ['reject_once', 'reject_always'];
    const option = kinds.map((k) => ask.options.find((o) => o.kind === k)).find(Boolean);
    // No fitting option (an agent offering only allow_always): refuse rather than widen.
    if (!option)
      return { allow: false, optionId: null, reason: allow ? `${reason}; no allow_once option` : reason };
    return { allow, optionId: option.optionId, reason };
  };
  if (ask.alreadyRan) return pick(false, 'this tool call already ran in an earlier attempt');
  const outside = ask.paths.filter((p) => !HARMLESS_PATHS.has(p) && !inside(p));
  if (outside.length) return pick(false, `outside the worktree: ${outside.join(', ')}`);
  if (READ_KINDS.includes(ask.kind)) return pick(true, 'read-only');
  if (mode === 'plan') return pick(false, 'plan mode is read-only');
  if (WRITE_KINDS.includes(ask.kind)) {
    return ask.paths.length ? pick(true, 'inside the worktree') : pick(false, 'edit without a path');
  }
  if (ask.kind === 'execute') {
    if (ask.command === null) return pick(false, 'command not shown');
    const { paths, opaque } = commandPaths(ask.command);
    if (opaque) return pick(false, 'command names a path the check cannot resolve (~, $HOME or ..)');
    const out = paths.filter((p) => !HARMLESS_PATHS.has(p) && !inside(p) && !isSystemRead(p));
    if (out.length) return pick(false, `command names paths outside the worktree: ${out.join(', ')}`);
    return pick(true, 'command inside the worktree');
  }
  if (ask.kind === 'fetch') return pick(true, 'network read');
  // switch_mode (leaving plan mode) and unknown kinds.
  return pick(false, `tool kind ${ask.kind ?? 'unknown'} is not allowed`);
}

/** Program paths a command may name (`/usr/bin/env node`), never as a redirect target. */
function isSystemRead(p: string): boolean {
  return /^\/(usr\/)?(s?bin|lib|libexec)\//.test(p);
}

/**
 * The command an `execute` ask shows without `rawInput`, for an agent whose titles are the exact
 * command line (`commandInTitle`), and the directory it runs in when the ask names one: Gemini CLI
 * explains a shell call as `[in <dir_path>] (<description>)`, relative to the worktree.
 */
export function titledCommand(
  title: string | null | undefined,
  texts: readonly string[],
  worktree: string,
): { command: string | null; dirs: string[] } {
  const dirs = texts.flatMap((t) => {
    const m = /^\[in (.+?)\](?= \(| \[background\]|$)/.exec(t.trim());
    if (!m?.[1]) return [];
    const d = m[1];
    return [d.startsWith('/') ? d : `${worktree.replace(/\/+$/, '')}/${d}`];
  });
  return { command: title?.trim() ? title : null, dirs };
}

/** Raw-input fields that carry a path in the common agents' tool inputs. */
export const PATH_FIELDS = [
  'path',
  'file_path',
  'filePath',
  'notebook_path',
  'abs_path',
  'cwd',
  'destination',
  'source',
];

/** One earlier row of the transcript, as replayed context. */
export interface ReplayRow {
  role: string;
  text?: string;
  toolName?: string | null;
  toolCallId?: string | null;
  input?: unknown;
  output?: string;
  ok?: boolean;
}

/**
 * The context that starts a new agent session when the old one cannot be loaded: what was said
 * and which tool calls already ran (with their results), and the instruction not to run them again.
 */
export function replayContext(rows: readonly ReplayRow[], maxChars = 20_000): string {
  const lines: string[] = [];
  for (const r of rows) {
    if (r.role === 'assistant' && r.text) lines.push(`assistant: ${r.text}`);
    if (r.role === 'tool_call')
      lines.push(`tool call ${r.toolCallId ?? ''} ${r.toolName ?? ''}: ${JSON.stringify(r.input ?? null)}`);
    if (r.role === 'tool_result')
      lines.push(`tool result ${r.toolCallId ?? ''} (${r.ok ? 'ok' : 'failed'}): ${r.output ?? ''}`);
  }
  let body = lines.join('\n');
  if (body.length > maxChars) body = `…${body.slice(body.length - maxChars)}`;
  return [
    'An earlier attempt at this task was interrupted. Its transcript follows. Every tool call listed',
    'there already ran and its effects are in the worktree: do not run any of them again. Check the',
    'worktree, then continue the task from where it stopped.',
    '<previous_attempt>',
    body || '(nothing was recorded)',
    '</previous_attempt>',
  ].join('\n');
}
