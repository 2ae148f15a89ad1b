/**
 * MCP servers for one agent turn (see core/mcp.ts for the rules):
 * - `readMcpConfig` reads `mcpServers` from the worktree's `.ratchet/config.json`;
 * - `mcpServersForTurn` gives the runner the servers this project approved, with their secret
 *   values from the worker's environment (in memory only), or notes why none start;
 * - `connectMcpTools` is the built-in tool loop's MCP client (`@modelcontextprotocol/sdk`): it
 *   starts or connects to each server, lists its tools, offers them as `mcp__<server>__<tool>`
 *   and calls them. A server that fails to start is left out with a note; the turn goes on.
 *   A stdio server runs under the parent-death watchdog in its own process group
 *   (`mcp-stdio.ts`), so a killed worker leaves none of it behind.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AgentMode } from '../../core/agent.js';
import {
  MCP_TRUST_KIND,
  parseMcpConfigFile,
  mcpToolAllowed,
  mcpToolName,
  resolveMcpServers,
  type McpConfigParse,
  type ResolvedMcpServer,
} from '../../core/mcp.js';
import type { Db } from '../../db/client.js';
import { getScriptTrust } from '../../db/queries/script-trust.js';
import { WatchedStdioTransport } from './mcp-stdio.js';
import type { ToolDefinition } from './runner.js';
import { mcpServerEnv } from '../../core/child-env.js';
import { redactSecrets, type Env } from './sandbox-env.js';

export type McpConfigRead =
  Exclude<McpConfigParse, { state: 'ok' }> | (Extract<McpConfigParse, { state: 'ok' }> & { sha256: string });

/** Parses the config text and adds the sha256 of the approved text (the trust key). */
export function parseMcpConfig(raw: string | null): McpConfigRead {
  const cfg = parseMcpConfigFile(raw);
  if (cfg.state !== 'ok') return cfg;
  return { ...cfg, sha256: createHash('sha256').update(cfg.text, 'utf8').digest('hex') };
}

export function readMcpConfig(worktreePath: string): McpConfigRead {
  const file = path.join(worktreePath, '.ratchet', 'config.json');
  return parseMcpConfig(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);
}

export interface McpForTurn {
  servers: ResolvedMcpServer[];
  /** Why a server (or all of them) did not start: shown in the transcript, names only. */
  notes: string[];
}

/** The approved servers of this worktree's config, resolved against the worker's environment. */
export function mcpServersForTurn(opts: {
  db: Db;
  projectId: string;
  worktreePath: string;
  mode: AgentMode;
  env: Env;
}): McpForTurn {
  const cfg = readMcpConfig(opts.worktreePath);
  if (cfg.state === 'none') return { servers: [], notes: [] };
  if (cfg.state === 'invalid') return { servers: [], notes: [`MCP servers not started: ${cfg.error}`] };
  const row = getScriptTrust({
    db: opts.db,
    projectId: opts.projectId,
    kind: MCP_TRUST_KIND,
    sha256: cfg.sha256,
  });
  const names = Object.keys(cfg.servers).join(', ');
  // Nothing from the repository runs before a person approved this exact text.
  if (row?.decision !== 'approved')
    return {
      servers: [],
      notes: [
        `MCP servers not started (${names}): this config (sha256 ${cfg.sha256.slice(0, 12)}…) is ${row ? 'rejected' : 'not approved'} for the project; approve it in Settings`,
      ],
    };
  const resolved = resolveMcpServers(cfg.servers, opts.env);
  return { servers: resolved.servers, notes: resolved.problems };
}

export interface McpToolset {
  definitions: ToolDefinition[];
  has(name: string): boolean;
  execute(
    name: string,
    args: unknown,
    ctx?: { signal?: AbortSignal },
  ): Promise<{ ok: boolean; output: string }>;
  /** Servers that could not be started or listed, with a one-line reason. */
  failures: string[];
  close(): Promise<void>;
}

const MAX_OUTPUT = 32_000;

/** Connects to every server, lists tools (plan mode: read-only ones only). Never throws. */
export async function connectMcpTools(
  servers: readonly ResolvedMcpServer[],
  opts: { mode: AgentMode; cwd: string; env: Env; connectTimeoutMs?: number },
): Promise<McpToolset> {
  const clients: Client[] = [];
  const routes = new Map<string, { client: Client; tool: string; secrets: Env }>();
  const definitions: ToolDefinition[] = [];
  const failures: string[] = [];
  const timeout = opts.connectTimeoutMs ?? 30_000;
  await Promise.all(
    servers.map(async (server) => {
      const client = new Client({ name: 'ratchet', version: '0.1.0' });
      const secrets: Env = server.type === 'stdio' ? server.env : server.headers;
      let stderr = '';
      try {
        const onStderr = (c: string) => {
          stderr = (stderr + c).slice(-2000);
        };
        const transport =
          server.type === 'stdio'
            ? new WatchedStdioTransport({
                command: server.command,
                args: server.args,
                cwd: opts.cwd,
                // The agent's allowlisted environment plus only the variables this server names.
                env: mcpServerEnv(opts.env, server.env),
                onStderr,
              })
            : new StreamableHTTPClientTransport(new URL(server.url), {
                requestInit: { headers: server.headers },
              });
        await client.connect(transport, { timeout });
        clients.push(client);
        const { tools } = await client.listTools(undefined, { timeout });
        for (const t of tools) {
          if (!mcpToolAllowed(opts.mode, t.annotations)) continue;
          const name = mcpToolName(server.name, t.name);
          routes.set(name, { client, tool: t.name, secrets });
          definitions.push({
            name,
            description: `[MCP server ${server.name}] ${t.description ?? t.title ?? t.name}`.slice(0, 1024),
            inputSchema: t.inputSchema as Record<string, unknown>,
          });
        }
      } catch (err) {
        await client.close().catch(() => {});
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        failures.push(
          redactSecrets(
            `MCP server "${server.name}" unavailable: ${(err as Error).message ?? String(err)}${tail ? ` (${tail})` : ''}`,
            { ...opts.env, ...prefixed(secrets) },
          ),
        );
      }
    }),
  );
  return {
    definitions,
    failures,
    has: (name) => routes.has(name),
    async execute(name, args, ctx) {
      const route = routes.get(name);
      if (!route) return { ok: false, output: `Error: no MCP tool named ${name}` };
      const input =
        args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
      const res = await route.client.callTool({ name: route.tool, arguments: input }, undefined, {
        signal: ctx?.signal,
        timeout: 600_000,
      });
      const content = Array.isArray(res.content)
        ? (res.content as Array<{ type: string; text?: string }>)
        : [];
      const text =
        content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content]`)).join('\n') ||
        (res.structuredContent ? JSON.stringify(res.structuredContent) : '');
      // A server that echoes its own key must not put it in the transcript.
      const output = redactSecrets(text, { ...opts.env, ...prefixed(route.secrets) }).slice(0, MAX_OUTPUT);
      return { ok: res.isError !== true, output };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
    },
  };
}

/** Marks every value as a secret for `redactSecrets` (which redacts by secret-looking names). */
function prefixed(values: Env): Env {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`MCP_SECRET_${k}`, v]));
}
