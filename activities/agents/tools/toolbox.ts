/**
 * The provider-neutral toolbox the built-in agent loops (Anthropic, OpenAI) hand to the model.
 * `definitions` are plain JSON Schemas; `execute` parses arguments with zod, confines every path
 * to the worktree, runs commands with an allowlisted environment, redacts secrets from what the
 * model sees, and never throws for a bad call: the model gets `{ ok: false, output }` and can
 * correct itself. It throws only when the caller's signal is aborted.
 */
import fsp from 'node:fs/promises';
import { buildAgentEnv, secretRedactor, type Env } from '../sandbox-env.js';
import { capText, editFileTool, readFileTool, writeFileTool, type ToolResult } from './fs-tools.js';
import { runCommandTool } from './run-command.js';
import {
  READ_ONLY_TOOLS,
  TOOL_DESCRIPTIONS,
  TOOL_NAMES,
  TOOL_SCHEMAS,
  describeZodError,
  inputJsonSchema,
  type ToolName,
} from './schemas.js';
import { grepTool, listFilesTool } from './search-tools.js';

export type { ToolResult } from './fs-tools.js';

export interface ToolDefinition {
  name: ToolName;
  description: string;
  /** JSON Schema (type: object) generated from the zod schema. */
  inputSchema: Record<string, unknown>;
}

export interface ToolboxOptions {
  /** Absolute path of the workspace's git worktree; every path is confined to it. */
  worktree: string;
  /** `plan` offers only read_file, list_files and grep. @default 'agent' */
  mode?: 'agent' | 'plan';
  /** Default run_command limit (the model may ask for a different one). @default 120000 */
  commandTimeoutMs?: number;
  /** Cap on every tool's output, in bytes. @default 30000 */
  outputCapBytes?: number;
  /** The worker's environment; filtered through `buildAgentEnv`, and its secrets redacted from output. */
  env: Env;
  /** Explicit non-secret additions to the command environment (see `buildAgentEnv`). */
  extraEnv?: Env;
  /** Time limit for list_files/grep walks. @default 30000 */
  searchTimeoutMs?: number;
}

export interface ToolContext {
  signal?: AbortSignal;
}

export interface Toolbox {
  definitions: ToolDefinition[];
  execute(name: string, rawArgs: unknown, ctx?: ToolContext): Promise<ToolResult>;
}

function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** Providers send arguments as an object (Anthropic) or a JSON string (OpenAI); accept both. */
function decodeArgs(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (typeof raw !== 'string') return { ok: true, value: raw ?? {} };
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (err) {
    return { ok: false, message: `arguments are not valid JSON (${(err as Error).message})` };
  }
}

export function createToolbox(opts: ToolboxOptions): Toolbox {
  const mode = opts.mode ?? 'agent';
  const commandTimeoutMs = opts.commandTimeoutMs ?? 120_000;
  const capBytes = opts.outputCapBytes ?? 30_000;
  const searchTimeoutMs = opts.searchTimeoutMs ?? 30_000;
  const parentEnv = opts.env;
  const commandEnv = buildAgentEnv(parentEnv, opts.extraEnv);
  const redact = secretRedactor(parentEnv);
  const available = TOOL_NAMES.filter((n) => mode === 'agent' || READ_ONLY_TOOLS.includes(n));
  let rootPromise: Promise<string> | undefined;
  const root = () => (rootPromise ??= fsp.realpath(opts.worktree));

  const definitions: ToolDefinition[] = available.map((name) => ({
    name,
    description: TOOL_DESCRIPTIONS[name],
    inputSchema: inputJsonSchema(name),
  }));

  async function dispatch(
    name: ToolName,
    args: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ToolResult> {
    const worktree = await root();
    const deadline = Date.now() + searchTimeoutMs;
    switch (name) {
      case 'read_file':
        return readFileTool(worktree, TOOL_SCHEMAS.read_file.parse(args), capBytes);
      case 'write_file':
        return writeFileTool(worktree, TOOL_SCHEMAS.write_file.parse(args));
      case 'edit_file':
        return editFileTool(worktree, TOOL_SCHEMAS.edit_file.parse(args));
      case 'list_files':
        return listFilesTool(worktree, TOOL_SCHEMAS.list_files.parse(args), { signal, deadline });
      case 'grep':
        return grepTool(worktree, TOOL_SCHEMAS.grep.parse(args), { signal, deadline });
      case 'run_command': {
        const parsed = TOOL_SCHEMAS.run_command.parse(args);
        return runCommandTool(parsed.command, {
          cwd: worktree,
          env: commandEnv,
          timeoutMs: parsed.timeout_ms ?? commandTimeoutMs,
          capBytes,
          signal,
        });
      }
    }
  }

  async function execute(name: string, rawArgs: unknown, ctx: ToolContext = {}): Promise<ToolResult> {
    ctx.signal?.throwIfAborted();
    if (!isToolName(name))
      return {
        ok: false,
        output: `unknown tool ${JSON.stringify(name)}; available: ${available.join(', ')}`,
      };
    if (!available.includes(name))
      return {
        ok: false,
        output: `tool ${name} is not available in plan mode (read-only); available: ${available.join(', ')}`,
      };
    const decoded = decodeArgs(rawArgs);
    if (!decoded.ok) return { ok: false, output: `invalid arguments for ${name}: ${decoded.message}` };
    const parsed = TOOL_SCHEMAS[name].safeParse(decoded.value);
    if (!parsed.success)
      return { ok: false, output: `invalid arguments for ${name}: ${describeZodError(parsed.error)}` };
    let result: ToolResult;
    try {
      result = await dispatch(name, parsed.data, ctx.signal);
    } catch (err) {
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
      const code = (err as NodeJS.ErrnoException).code;
      result = {
        ok: false,
        output: `${name} failed: ${code ? `${code} ` : ''}${(err as Error).message ?? String(err)}`,
      };
    }
    ctx.signal?.throwIfAborted();
    return { ok: result.ok, output: capText(redact(result.output), capBytes) };
  }

  return { definitions, execute };
}
