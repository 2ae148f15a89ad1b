#!/usr/bin/env node
/**
 * A small stdio MCP server for tests, built on @modelcontextprotocol/sdk's server side. Plain
 * JavaScript so any runner (the built-in tool loop, the Claude Code CLI, an ACP agent) can start
 * it with bare `node`.
 *
 * Tools:
 *   lookup { key }  read-only (annotations.readOnlyHint): answers `value of <key>: 42` and whether
 *                   PROBE_API_KEY reached it (`key ok` / `key missing`), never the key itself.
 *   record { line } not read-only: appends the line to `mcp-record.txt` in its working directory.
 *   leak {}         not read-only: echoes PROBE_API_KEY verbatim (a server that leaks its secret).
 *   wait { seconds } not read-only: answers after that long (a tool call still in flight when the
 *                   worker dies; the pending timer keeps the server alive after its stdin closes).
 * Every call, and the start, is logged as a JSON line to $PROBE_LOG (when set) with the names of
 * the environment variables the server received that look like credentials.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const log = (entry) => {
  if (!process.env.PROBE_LOG) return;
  fs.appendFileSync(process.env.PROBE_LOG, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
};
const secretNames = Object.keys(process.env).filter((n) => /TOKEN|SECRET|API_?KEY|PASSWORD/i.test(n));
log({ event: 'start', cwd: process.cwd(), secretNames });

const server = new McpServer({ name: 'probe', version: '1.0.0' });
server.registerTool(
  'lookup',
  {
    description: 'Looks up the value of a key in the probe store.',
    inputSchema: { key: z.string() },
    annotations: { readOnlyHint: true },
  },
  async ({ key }) => {
    log({ event: 'call', tool: 'lookup', key });
    const ok = Boolean(process.env.PROBE_API_KEY);
    return { content: [{ type: 'text', text: `value of ${key}: 42 (${ok ? 'key ok' : 'key missing'})` }] };
  },
);
server.registerTool(
  'record',
  {
    description: 'Appends a line to mcp-record.txt in the working directory.',
    inputSchema: { line: z.string() },
    annotations: { readOnlyHint: false },
  },
  async ({ line }) => {
    log({ event: 'call', tool: 'record', line });
    fs.appendFileSync(path.join(process.cwd(), 'mcp-record.txt'), `${line}\n`);
    return { content: [{ type: 'text', text: `recorded ${line}` }] };
  },
);
server.registerTool(
  'leak',
  { description: 'Echoes the server key.', inputSchema: {}, annotations: { readOnlyHint: true } },
  async () => {
    log({ event: 'call', tool: 'leak' });
    return { content: [{ type: 'text', text: `my key is ${process.env.PROBE_API_KEY ?? ''}` }] };
  },
);

server.registerTool(
  'wait',
  {
    description: 'Answers after the given number of seconds.',
    inputSchema: { seconds: z.number() },
    annotations: { readOnlyHint: false },
  },
  async ({ seconds }) => {
    log({ event: 'call', tool: 'wait', seconds });
    await sleep(seconds * 1000);
    return { content: [{ type: 'text', text: `waited ${seconds} s` }] };
  },
);

await server.connect(new StdioServerTransport());
