/**
 * MCP servers per project: the `mcpServers` block of a repository's `.ratchet/config.json`, its
 * trust key, and the rules every runner shares. Pure: the activity reads the file, the worker's
 * environment and the trust table, and hands the resolved servers to the runner.
 *
 * - A server is `stdio` (command, args, the NAMES of environment variables it receives) or `http`
 *   (url, headers whose values are NAMES of environment variables). Values are looked up in the
 *   worker's environment at turn time and given only to the server that names them: the config
 *   file, the database and the console hold names, never values.
 * - Nothing starts before the person approved the exact normalised text (`mcpConfigText`) for the
 *   project: a `script_trust` row of kind `mcp` keyed by its sha256.
 * - Tools are exposed to a model as `mcp__<server>__<tool>`. Plan mode: the built-in tool loop
 *   exposes only tools the server marks `annotations.readOnlyHint: true`; the CLI runners
 *   (claude-code, acp), whose own MCP clients cannot be filtered by annotation, get no servers.
 */
import { z } from 'zod';
import type { AgentMode } from './agent.js';
import { formatZodIssues } from './config.js';

/** The trust kind MCP configs are recorded under in `script_trust`. */
export const MCP_TRUST_KIND = 'mcp' as const;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
/** Server names become part of tool names (`mcp__<server>__<tool>`): no `__`, no spaces. */
export const mcpServerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/, 'must be letters, digits, - or single _')
  .max(32, 'must be at most 32 characters');

const stdioServer = z
  .object({
    type: z.literal('stdio').default('stdio'),
    command: z.string().min(1, 'must name the server command'),
    args: z.array(z.string()).max(64).default([]),
    /** Names of worker environment variables this server receives (values never in the file). */
    env: z.array(envName).max(32).default([]),
  })
  .strict();
const httpServer = z
  .object({
    type: z.literal('http'),
    url: z
      .string()
      .url('must be a URL')
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    /** Header name → NAME of the environment variable holding its value. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), envName).default({}),
  })
  .strict();

export const mcpServerSchema = z.union([httpServer, stdioServer]);
export type McpServerConfig = z.infer<typeof mcpServerSchema>;

export const mcpServersSchema = z
  .record(mcpServerNameSchema, mcpServerSchema)
  .refine((s) => Object.keys(s).length <= 16, 'at most 16 MCP servers');
export type McpServersConfig = z.infer<typeof mcpServersSchema>;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * The exact text a person approves: the parsed config (defaults filled in) with sorted keys,
 * two-space JSON. Reformatting the file does not ask again; any change of meaning does.
 */
export function mcpConfigText(servers: McpServersConfig): string {
  return JSON.stringify(sortKeys(servers), null, 2);
}

/** A server ready to start, with its secret values: lives only in the agent activity's memory. */
export type ResolvedMcpServer =
  | { name: string; type: 'stdio'; command: string; args: string[]; env: Record<string, string> }
  | { name: string; type: 'http'; url: string; headers: Record<string, string> };

/**
 * Looks up each server's named variables in `env`. A server missing one is left out and named
 * (with the variable NAME) in `problems`, so the turn runs without it instead of failing.
 */
export function resolveMcpServers(
  servers: McpServersConfig,
  env: Readonly<Record<string, string | undefined>>,
): { servers: ResolvedMcpServer[]; problems: string[] } {
  const out: ResolvedMcpServer[] = [];
  const problems: string[] = [];
  for (const [name, cfg] of Object.entries(servers)) {
    const names = cfg.type === 'http' ? Object.values(cfg.headers) : cfg.env;
    const missing = names.filter((n) => !env[n]);
    if (missing.length) {
      problems.push(`MCP server "${name}" not started: ${missing.join(', ')} not set on the worker`);
      continue;
    }
    if (cfg.type === 'http')
      out.push({
        name,
        type: 'http',
        url: cfg.url,
        headers: Object.fromEntries(Object.entries(cfg.headers).map(([h, n]) => [h, env[n]!])),
      });
    else
      out.push({
        name,
        type: 'stdio',
        command: cfg.command,
        args: cfg.args,
        env: Object.fromEntries(cfg.env.map((n) => [n, env[n]!])),
      });
  }
  return { servers: out, problems };
}

/** Tool names providers accept: `^[A-Za-z0-9_-]{1,64}$` (OpenAI's limit, the stricter one). */
export function mcpToolName(server: string, tool: string): string {
  const safe = tool.replace(/[^A-Za-z0-9_-]/g, '_');
  return `mcp__${server}__${safe}`.slice(0, 64);
}

/** Whether a tool may be offered in `mode`: plan mode only takes tools marked read-only. */
export function mcpToolAllowed(
  mode: AgentMode,
  annotations: { readOnlyHint?: boolean } | undefined,
): boolean {
  return mode === 'agent' || annotations?.readOnlyHint === true;
}

/** What the console shows of one server: names only (the variable NAMES, never values). */
export interface McpServerSummary {
  name: string;
  type: 'stdio' | 'http';
  /** Command or URL, as written in the file. */
  target: string;
  envNames: string[];
}

export function summariseMcpServers(servers: McpServersConfig): McpServerSummary[] {
  return Object.entries(servers).map(([name, cfg]) =>
    cfg.type === 'http'
      ? { name, type: 'http', target: cfg.url, envNames: Object.values(cfg.headers) }
      : { name, type: 'stdio', target: [cfg.command, ...cfg.args].join(' '), envNames: cfg.env },
  );
}

export type McpConfigParse =
  | { state: 'none' }
  | { state: 'invalid'; error: string }
  /** `text` is what is approved and hashed (`mcpConfigText`). */
  | { state: 'ok'; servers: McpServersConfig; text: string };

const fileShape = z.object({ mcpServers: z.unknown().optional() }).passthrough();

/**
 * The `mcpServers` block of a `.ratchet/config.json` text (null: no file). A file without the
 * block, or with an empty one, has none; a bad block is `invalid` with every bad field named.
 */
export function parseMcpConfigFile(raw: string | null): McpConfigParse {
  if (raw === null) return { state: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { state: 'invalid', error: `.ratchet/config.json is not valid JSON: ${(err as Error).message}` };
  }
  const file = fileShape.safeParse(json);
  if (!file.success || file.data.mcpServers === undefined) return { state: 'none' };
  const parsed = mcpServersSchema.safeParse(file.data.mcpServers);
  if (!parsed.success)
    return { state: 'invalid', error: formatZodIssues(parsed.error, '.ratchet/config.json mcpServers') };
  if (Object.keys(parsed.data).length === 0) return { state: 'none' };
  return { state: 'ok', servers: parsed.data, text: mcpConfigText(parsed.data) };
}
