#!/usr/bin/env node
/**
 * A scripted ACP agent built on the SDK's AGENT side, speaking the real protocol over stdio (tests
 * and the bench). Plain JavaScript so it starts with bare `node`.
 *
 * FAKE_ACP_SCRIPT names a JSON file `{ loadSession?: boolean, steps: Step[] }`; FAKE_ACP_STATE a
 * directory where the agent keeps its sessions (so `session/load` works across processes, as a
 * real agent's session store does) and logs what it was asked (`calls.log`, JSON lines).
 * Steps run in order across prompts, the position saved after each one:
 *   { say, chunks? }  agent_message_chunk(s)       { think }  agent_thought_chunk
 *   { plan: entries }                             { sleep: ms }  (stops early on session/cancel)
 *   { usage: { costUsd, input, output } }  usage_update with the cumulative cost; tokens summed
 *   { tool: { id, title, kind, rawInput?, locations?, ask?, run?: { command, args },
 *             write?: { path, content }, read?: { path },
 *             mcp?: { server, tool, arguments } } }  a tool call run through the client, or (mcp)
 *             through the stdio MCP server of that name from session/new's `mcpServers`
 *   { crash: true }  exits mid-stream the first time it is reached   { end: stopReason? }
 * A new session whose prompt replays an earlier attempt (`<previous_attempt>`) skips the tool
 * calls listed there, as an agent obeying that context would.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { Readable, Writable } from 'node:stream';
import { setTimeout } from 'node:timers';
import * as acp from '@agentclientprotocol/sdk/unstable';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const script = JSON.parse(fs.readFileSync(process.env.FAKE_ACP_SCRIPT ?? '', 'utf8'));
const stateDir = process.env.FAKE_ACP_STATE ?? '';
fs.mkdirSync(stateDir, { recursive: true });
const log = (entry) =>
  fs.appendFileSync(path.join(stateDir, 'calls.log'), `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
const stateFile = (id) => path.join(stateDir, `session-${id}.json`);
const load = (id) =>
  fs.existsSync(stateFile(id)) ? JSON.parse(fs.readFileSync(stateFile(id), 'utf8')) : null;
const save = (s) => fs.writeFileSync(stateFile(s.id), JSON.stringify(s));
const crashMark = path.join(stateDir, 'crashed');

const cancelled = new Set();
const sleep = (ms, id) =>
  new Promise((resolve) => {
    const until = Date.now() + ms;
    const tick = () => (cancelled.has(id) || Date.now() >= until ? resolve() : setTimeout(tick, 10));
    tick();
  });

/** MCP servers given per session (with their values: kept in memory, logged by name only). */
const mcpBySession = new Map();
const mcpSummary = (servers) =>
  (servers ?? []).map((m) => ({
    name: m.name,
    type: m.type ?? 'stdio',
    command: m.command,
    url: m.url,
    envNames: (m.env ?? m.headers ?? []).map((e) => e.name),
  }));

async function runMcp(sessionId, call) {
  const server = (mcpBySession.get(sessionId) ?? []).find((m) => m.name === call.server);
  if (!server) return { ok: false, text: `no MCP server ${call.server}` };
  const mcp = new Client({ name: 'fake-acp-agent', version: '1.0.0' });
  await mcp.connect(
    new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: Object.fromEntries(server.env.map((e) => [e.name, e.value])),
      cwd: load(sessionId)?.cwd ?? process.cwd(),
      stderr: 'ignore',
    }),
  );
  try {
    const r = await mcp.callTool({ name: call.tool, arguments: call.arguments ?? {} });
    return { ok: !r.isError, text: r.content.map((c) => c.text ?? '').join('\n') };
  } finally {
    await mcp.close();
  }
}

async function runTool(client, sessionId, t) {
  if (t.mcp) return runMcp(sessionId, t.mcp);
  if (t.run) {
    const term = await client.request('terminal/create', {
      sessionId,
      command: t.run.command,
      args: t.run.args ?? [],
    });
    const exit = await client.request('terminal/wait_for_exit', { sessionId, terminalId: term.terminalId });
    const out = await client.request('terminal/output', { sessionId, terminalId: term.terminalId });
    await client.request('terminal/release', { sessionId, terminalId: term.terminalId });
    return { ok: exit.exitCode === 0, text: `${out.output}exit ${exit.exitCode}` };
  }
  if (t.write) {
    await client.request('fs/write_text_file', { sessionId, path: t.write.path, content: t.write.content });
    return { ok: true, text: `wrote ${t.write.path}` };
  }
  if (t.read) {
    const r = await client.request('fs/read_text_file', { sessionId, path: t.read.path });
    return { ok: true, text: r.content };
  }
  return { ok: true, text: 'done' };
}

const app = acp
  .agent({ name: 'fake-acp-agent' })
  .onRequest('initialize', ({ params }) => {
    log({ method: 'initialize', clientCapabilities: params.clientCapabilities });
    return {
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: { loadSession: script.loadSession === true },
      agentInfo: { name: 'fake-acp-agent', version: '1.0.0' },
    };
  })
  .onRequest('session/new', ({ params }) => {
    const id = `sess-${process.pid}-${Date.now().toString(36)}`;
    save({ id, cwd: params.cwd, pos: 0, history: [], skip: [] });
    mcpBySession.set(id, params.mcpServers ?? []);
    log({
      method: 'session/new',
      sessionId: id,
      cwd: params.cwd,
      meta: params._meta ?? null,
      mcpServers: mcpSummary(params.mcpServers),
    });
    return {
      sessionId: id,
      modes: {
        currentModeId: 'ask',
        availableModes: [
          { id: 'ask', name: 'Ask' },
          { id: 'plan', name: 'Plan' },
          { id: 'default', name: 'Default' },
        ],
      },
    };
  })
  .onRequest('session/load', async ({ params, client }) => {
    const s = load(params.sessionId);
    mcpBySession.set(params.sessionId, params.mcpServers ?? []);
    log({
      method: 'session/load',
      sessionId: params.sessionId,
      found: Boolean(s),
      mcpServers: mcpSummary(params.mcpServers),
    });
    if (!s) throw acp.RequestError.resourceNotFound(params.sessionId);
    for (const update of s.history) await client.notify('session/update', { sessionId: s.id, update });
    return {
      modes: {
        currentModeId: 'ask',
        availableModes: [
          { id: 'ask', name: 'Ask' },
          { id: 'default', name: 'Default' },
          { id: 'plan', name: 'Plan' },
        ],
      },
    };
  })
  .onRequest('session/set_mode', ({ params }) => {
    log({ method: 'session/set_mode', modeId: params.modeId });
    return {};
  })
  .onNotification('session/cancel', ({ params }) => {
    log({ method: 'session/cancel', sessionId: params.sessionId });
    cancelled.add(params.sessionId);
  })
  .onRequest('session/prompt', async ({ params, client }) => {
    const s = load(params.sessionId);
    const text = params.prompt.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
    log({ method: 'session/prompt', sessionId: params.sessionId, text });
    if (text.includes('<previous_attempt>')) s.skip = [...text.matchAll(/tool call (\S+)/g)].map((m) => m[1]);
    const send = async (update) => {
      s.history.push(update);
      await client.notify('session/update', { sessionId: s.id, update });
    };
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let cost = s.cost ?? 0;
    while (s.pos < script.steps.length) {
      if (cancelled.has(s.id)) return { stopReason: 'cancelled' };
      const step = script.steps[s.pos];
      if (step.end !== undefined) {
        s.pos++;
        save(s);
        return { stopReason: typeof step.end === 'string' ? step.end : 'end_turn', usage };
      }
      if (step.crash) {
        if (!fs.existsSync(crashMark)) {
          fs.writeFileSync(crashMark, '1');
          process.exit(3);
        }
      } else if (step.say !== undefined) {
        const n = step.chunks ?? 1;
        const size = Math.ceil(step.say.length / n);
        for (let i = 0; i < step.say.length; i += size)
          await send({
            sessionUpdate: 'agent_message_chunk',
            content: { type: 'text', text: step.say.slice(i, i + size) },
          });
      } else if (step.think !== undefined) {
        await send({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: step.think } });
      } else if (step.plan) {
        await send({ sessionUpdate: 'plan', entries: step.plan });
      } else if (step.sleep !== undefined) {
        await sleep(step.sleep, s.id);
        if (cancelled.has(s.id)) return { stopReason: 'cancelled' };
      } else if (step.usage) {
        cost += step.usage.costUsd ?? 0;
        s.cost = cost;
        usage.inputTokens += step.usage.input ?? 0;
        usage.outputTokens += step.usage.output ?? 0;
        usage.totalTokens = usage.inputTokens + usage.outputTokens;
        await send({
          sessionUpdate: 'usage_update',
          used: usage.totalTokens,
          size: 200000,
          cost: { amount: cost, currency: 'USD' },
        });
      } else if (step.tool && !s.skip.includes(step.tool.id)) {
        const t = step.tool;
        await send({
          sessionUpdate: 'tool_call',
          toolCallId: t.id,
          title: t.title,
          kind: t.kind,
          status: 'pending',
          rawInput: t.rawInput,
          locations: t.locations ?? [],
        });
        let allowed = true;
        if (t.ask) {
          const r = await client.request('session/request_permission', {
            sessionId: s.id,
            toolCall: {
              toolCallId: t.id,
              title: t.title,
              kind: t.kind,
              rawInput: t.rawInput,
              locations: t.locations ?? [],
            },
            options: [
              { optionId: 'always', name: 'Always allow', kind: 'allow_always' },
              { optionId: 'once', name: 'Allow', kind: 'allow_once' },
              { optionId: 'no', name: 'Reject', kind: 'reject_once' },
            ],
          });
          log({ method: 'permission', toolCallId: t.id, outcome: r.outcome });
          allowed = r.outcome.outcome === 'selected' && r.outcome.optionId === 'once';
        }
        if (!allowed) {
          await send({
            sessionUpdate: 'tool_call_update',
            toolCallId: t.id,
            status: 'failed',
            content: [{ type: 'content', content: { type: 'text', text: 'permission refused' } }],
          });
        } else {
          await send({ sessionUpdate: 'tool_call_update', toolCallId: t.id, status: 'in_progress' });
          let result;
          try {
            result = await runTool(client, s.id, t);
          } catch (err) {
            result = { ok: false, text: `client refused: ${err.message}` };
          }
          log({ method: 'tool', toolCallId: t.id, ok: result.ok });
          await send({
            sessionUpdate: 'tool_call_update',
            toolCallId: t.id,
            status: result.ok ? 'completed' : 'failed',
            content: [{ type: 'content', content: { type: 'text', text: result.text } }],
          });
        }
      }
      s.pos++;
      save(s);
    }
    return { stopReason: 'end_turn', usage };
  });

const conn = app.connect(acp.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
await conn.closed;
process.exit(0);
