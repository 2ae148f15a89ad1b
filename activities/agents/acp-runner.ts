/**
 * The `acp` runner: drives any Agent Client Protocol agent (Claude Code through claude-agent-acp,
 * Codex through codex-acp, Gemini CLI, or a command line from the config file) as the client side
 * of `@agentclientprotocol/sdk`. One agent process and one ACP session per turn, in the worktree.
 *
 * - Session updates become transcript rows as they arrive: message chunks are joined into one
 *   assistant row per message (closed by the next tool call, plan or the end of the turn), a tool
 *   call is a tool_call row, its completion or failure a tool_result row, a plan a system row.
 * - Permission requests are answered by the workspace mode (`core/acp.ts` `decidePermission`);
 *   `fs/*` and `terminal/*` requests go through the confinement of Ratchet's own tools.
 * - Durability: the agent runs under the parent-death watchdog and its process group is recorded
 *   before it speaks, so a retry first kills whatever a dead attempt left. It then resumes the
 *   recorded ACP session with `session/load` when the agent supports it (the replayed history is
 *   not recorded again), else starts a new session whose prompt replays the transcript as context
 *   and lists the tool calls that already ran. A permission request for a call that already has
 *   a result is refused.
 * - Activity cancellation sends `session/cancel`, then kills the agent after a grace period.
 * - The project's approved MCP servers go to `session/new` and `session/load` as `mcpServers`
 *   (http ones only to an agent that advertises `mcpCapabilities.http`); plan mode sends none.
 * - Tokens come from the prompt response's `usage` (or Gemini CLI's `_meta.quota`) and dollars from `usage_update` `cost` (USD),
 *   where the agent reports them; the cost is cumulative per ACP session, so rows carry deltas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk/unstable';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { decidePermission, replayContext, titledCommand, type AcpAgentConfig } from '../../core/acp.js';
import type { AgentTurnResult } from '../../core/agent.js';
import type { ResolvedMcpServer } from '../../core/mcp.js';
import { ErrorTypes } from '../../core/errors.js';
import { killRecordedGroup, spawnWatched } from '../process.js';
import { createClientTools } from './acp-client-tools.js';
import {
  commandOf,
  createTurnRecorder,
  pathsOf,
  quotaUsage,
  replayRows,
  tokenUsage,
} from './acp-recorder.js';
import { resolveExecutable } from './cli-probe.js';
import { rejected, unavailable } from './provider-errors.js';
import type { AgentRunner, AgentTurnRequest, RunnerContext } from './runner.js';
import { acpAgentEnv as childEnvOfAcpAgent } from '../../core/child-env.js';
import { redactSecrets, type Env } from './sandbox-env.js';
import { isWithin } from './tools/index.js';
import { finishTurn, type StoredMessage } from './transcript.js';

export interface AcpRunnerDeps {
  /** The worker's environment: the sandbox allowlist plus each agent's `passEnv` names reach it. */
  env: Env;
  /** ACP agents by name (presets merged with the config file, `core/acp.ts` `acpAgents`). */
  agents: Record<string, AcpAgentConfig>;
  /** Agent used when the workspace names none (`agent.provider`). @default 'claude' */
  defaultAgent?: string;
  /** Hard limit for one turn. @default 7200000 */
  timeoutMs?: number;
  /** Heartbeat interval while the agent runs. @default 5000 */
  heartbeatMs?: number;
  /** Time the agent gets to stop after `session/cancel` before it is killed. @default 5000 */
  cancelGraceMs?: number;
}

const systemContent = z.object({ kind: z.string() }).passthrough();
const processRecord = z.object({
  kind: z.literal('acp_process'),
  pgid: z.number(),
  startTicks: z.string().nullable(),
});

/** The environment an ACP agent starts with: the sandbox allowlist plus its named variables. */
export function acpAgentEnv(parent: Env, agent: AcpAgentConfig): Record<string, string> {
  return { ...childEnvOfAcpAgent(parent, agent.passEnv), ...(agent.setEnv ?? {}) };
}

/** The servers in ACP's shape; http ones only when the agent can take them (the rest are named). */
export function acpMcpServers(
  servers: readonly ResolvedMcpServer[],
  http: boolean,
): { servers: acp.McpServer[]; skipped: string[] } {
  const out: acp.McpServer[] = [];
  const skipped: string[] = [];
  for (const s of servers) {
    if (s.type === 'stdio')
      out.push({
        name: s.name,
        command: s.command,
        args: s.args,
        env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
      });
    else if (http)
      out.push({
        type: 'http',
        name: s.name,
        url: s.url,
        headers: Object.entries(s.headers).map(([name, value]) => ({ name, value })),
      });
    else skipped.push(s.name);
  }
  return { servers: out, skipped };
}

export function createAcpRunner(deps: AcpRunnerDeps): AgentRunner {
  return { name: 'acp', run: (req, ctx) => runAcp(deps, req, ctx) };
}

async function runAcp(
  deps: AcpRunnerDeps,
  req: AgentTurnRequest,
  ctx: RunnerContext,
): Promise<AgentTurnResult> {
  const { transcript } = ctx;
  const agentName = req.config.provider ?? deps.defaultAgent ?? 'claude';
  const agentCfg = deps.agents[agentName];
  if (!agentCfg) {
    const message = `ACP agent "${agentName}" is not configured (known: ${Object.keys(deps.agents).join(', ')})`;
    transcript.setStatus('failed', message);
    throw ApplicationFailure.nonRetryable(message, ErrorTypes.ConfigInvalid);
  }
  const provider = agentCfg.provider ?? agentName;
  const model = req.config.model ?? null;
  let lastSeq = transcript.lastSeq();
  const append = (...msgs: Parameters<typeof transcript.appendAll>[0]) => {
    const seqs = transcript.appendAll(msgs);
    const seq = seqs.at(-1);
    if (seq !== undefined) {
      lastSeq = seq;
      ctx.heartbeat({ lastSeq });
    }
  };
  const finish = (status: AgentTurnResult['status'], summary: string): AgentTurnResult =>
    finishTurn(transcript, req.sessionId, provider, status, summary);
  transcript.setServing({ runner: 'acp', provider, model });
  transcript.setStatus('running');
  if (ctx.attempt > 1)
    append({ role: 'reset', content: { attempt: ctx.attempt, resumeFromSeq: ctx.resumeFromSeq } });

  const rows = transcript.load();
  const systems = rows.flatMap((r) => {
    const c = r.role === 'system' ? systemContent.safeParse(r.content) : null;
    return c?.success ? [c.data] : [];
  });
  const lastText = (list: readonly StoredMessage[]) =>
    list
      .filter((r) => r.role === 'assistant')
      .map((r) => String((r.content as { text?: string }).text ?? ''))
      .filter(Boolean)
      .at(-1) ?? '';
  // The agent finished in an earlier attempt whose worker died before reporting: nothing to run.
  if (systems.some((s) => s.kind === 'acp_result' && s.stopReason !== 'cancelled'))
    return finish('completed', lastText(rows) || 'The agent finished without a message.');
  if (!rows.some((r) => r.role === 'user')) append({ role: 'user', content: { text: req.prompt } });
  const remaining = ctx.budget.remainingUsd;
  if (remaining !== null && remaining <= 0)
    return finish('awaiting_budget', 'Budget exhausted; waiting for approval.');

  const bin = resolveExecutable(agentCfg.command, deps.env);
  if (!bin) {
    const message = `the ACP agent "${agentName}" (${agentCfg.command}) is not installed or not on PATH`;
    transcript.setStatus('failed', message);
    throw ApplicationFailure.nonRetryable(message, ErrorTypes.ConfigInvalid);
  }
  // An agent left by a dead attempt must be gone before its session is loaded again.
  for (const s of systems) {
    const rec = processRecord.safeParse(s);
    if (rec.success) await killRecordedGroup({ pgid: rec.data.pgid, startTicks: rec.data.startTicks });
  }
  const priorSession = systems
    .flatMap((s) => (s.kind === 'acp_session' && typeof s.acpSessionId === 'string' ? [s.acpSessionId] : []))
    .at(-1);
  const ranBefore = new Set(
    rows.flatMap((r) => (r.role === 'tool_result' && r.toolCallId ? [r.toolCallId] : [])),
  );
  const costBase = new Map<string, number>();
  for (const s of systems)
    if (s.kind === 'acp_cost' && typeof s.acpSessionId === 'string' && typeof s.totalUsd === 'number')
      costBase.set(s.acpSessionId, s.totalUsd);

  const worktree = path.resolve(req.worktreePath);
  const realWorktree = fs.realpathSync(worktree);
  const inside = (p: string) => {
    const abs = path.resolve(worktree, p);
    return isWithin(worktree, abs) || isWithin(realWorktree, abs);
  };
  const tools = createClientTools({ worktree: realWorktree, mode: req.config.mode, env: deps.env });
  const env = acpAgentEnv(deps.env, agentCfg);
  const proc = spawnWatched(bin, agentCfg.args, {
    cwd: worktree,
    env,
    onSpawn: (group) =>
      append({ role: 'system', content: { kind: 'acp_process', agent: agentName, ...group } }),
  });
  let stderr = '';
  proc.child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr = (stderr + c).slice(-8000);
  });

  let loading = false;
  let sessionId: string | null = null;
  let budgetStop = false;
  let cancelSent = false;
  /** Whether Ratchet refused a permission this attempt (codex-acp's only refusal ends its turn). */
  let refusedAsk = false;
  const served = { provider, model };
  const cancel = () => {
    if (cancelSent || !sessionId || !agentCtx) return;
    cancelSent = true;
    void agentCtx.notify('session/cancel', { sessionId }).catch(() => {});
    setTimeout(proc.kill, deps.cancelGraceMs ?? 5000).unref();
  };
  const checkBudget = () => {
    const left = ctx.budget.remainingUsd;
    if (left !== null && left <= 0 && !budgetStop) {
      budgetStop = true;
      cancel();
    }
    return budgetStop;
  };
  const recorder = createTurnRecorder({ append, served, costBase, onCost: checkBudget });
  const { calls, flush } = recorder;
  const onUpdate = (n: acp.SessionNotification) => {
    // History replayed by session/load is already in the transcript.
    if (loading || n.sessionId !== sessionId) return;
    recorder.onUpdate(n.sessionId, n.update);
  };

  let agentCtx: acp.ClientContext | null = null;
  const app = acp
    .client({ name: 'ratchet' })
    .onNotification('session/update', ({ params }) => onUpdate(params))
    .onRequest('session/request_permission', ({ params }) => {
      const id = params.toolCall.toolCallId;
      const known = calls.get(id);
      const rawInput = params.toolCall.rawInput ?? known?.rawInput;
      const kind = params.toolCall.kind ?? known?.kind ?? null;
      const titled =
        agentCfg.commandInTitle === true && kind === 'execute' && commandOf(rawInput) === null
          ? titledCommand(
              params.toolCall.title,
              (params.toolCall.content ?? []).flatMap((c) =>
                c.type === 'content' && c.content.type === 'text' ? [c.content.text] : [],
              ),
              worktree,
            )
          : null;
      const decision = checkBudget()
        ? {
            allow: false,
            optionId: params.options.find((o) => o.kind.startsWith('reject'))?.optionId ?? null,
            reason: 'budget exhausted',
          }
        : decidePermission(
            {
              kind,
              paths: [
                ...pathsOf({ locations: params.toolCall.locations, rawInput }),
                ...(titled?.dirs ?? []),
              ],
              command: titled ? titled.command : commandOf(rawInput),
              options: params.options,
              alreadyRan: ranBefore.has(id),
            },
            req.config.mode,
            inside,
          );
      if (!decision.allow) refusedAsk = true;
      flush();
      append({
        role: 'system',
        content: { kind: 'acp_permission', toolCallId: id, allow: decision.allow, reason: decision.reason },
      });
      // An agent that asks before it announces the call (Gemini CLI sends no `tool_call` for an
      // asked call, only its final `tool_call_update`): the ask is the card, so the result has one.
      if (decision.allow && !known)
        recorder.onUpdate(params.sessionId, {
          sessionUpdate: 'tool_call',
          toolCallId: id,
          title: params.toolCall.title ?? id,
          kind: kind ?? undefined,
          status: 'pending',
          locations: params.toolCall.locations ?? [],
          rawInput:
            rawInput ??
            (titled?.command
              ? { command: titled.command, ...(titled.dirs.length ? { dirs: titled.dirs } : {}) }
              : undefined),
        });
      return decision.optionId
        ? { outcome: { outcome: 'selected', optionId: decision.optionId } }
        : { outcome: { outcome: 'cancelled' } };
    })
    .onRequest('fs/read_text_file', ({ params }) => tools.readTextFile(params))
    .onRequest('fs/write_text_file', ({ params }) => tools.writeTextFile(params))
    .onRequest('terminal/create', ({ params }) => tools.createTerminal(params))
    .onRequest('terminal/output', ({ params }) => tools.terminalOutput(params.terminalId))
    .onRequest('terminal/wait_for_exit', ({ params }) => tools.waitForExit(params.terminalId))
    .onRequest('terminal/kill', ({ params }) => {
      tools.killTerminal(params.terminalId);
      return {};
    })
    .onRequest('terminal/release', ({ params }) => {
      tools.releaseTerminal(params.terminalId);
      return {};
    });

  const stream = acp.ndJsonStream(
    Writable.toWeb(proc.child.stdin) as WritableStream<Uint8Array>,
    Readable.toWeb(proc.child.stdout) as ReadableStream<Uint8Array>,
  );
  const onAbort = () => cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const ticker = setInterval(() => ctx.heartbeat({ lastSeq }), deps.heartbeatMs ?? 5000);
  const timer = setTimeout(proc.kill, deps.timeoutMs ?? 7_200_000);
  const sessionMeta = {
    ...(agentCfg.sessionMeta ?? {}),
    ...(agentCfg.systemPrompt === 'meta' && req.systemPrompt
      ? { systemPrompt: { append: req.systemPrompt } }
      : {}),
  };
  let response: acp.PromptResponse;
  try {
    response = await app.connectWith(stream, async (agent) => {
      agentCtx = agent;
      // The connection ends when the agent's stdout closes; a crash then rejects every pending call.
      const died = proc.exited.then(({ code, signal }) => {
        throw new Error(`exited with ${signal ?? `code ${code}`}`);
      });
      const call = <T>(p: Promise<T>) => Promise.race([p, died]);
      const init = await call(
        agent.request('initialize', {
          protocolVersion: acp.PROTOCOL_VERSION,
          clientCapabilities: {
            fs: { readTextFile: agentCfg.clientFs !== false, writeTextFile: agentCfg.clientFs !== false },
            terminal: true,
          },
          clientInfo: { name: 'ratchet', version: '0.1.0' },
        }),
      );
      const canLoad = init.agentCapabilities?.loadSession === true;
      const mcp = acpMcpServers(
        req.config.mode === 'plan' ? [] : (req.mcpServers ?? []),
        init.agentCapabilities?.mcpCapabilities?.http === true,
      );
      if (mcp.skipped.length)
        append({
          role: 'system',
          content: {
            kind: 'mcp_unavailable',
            text: `MCP servers not passed (the agent takes no http servers): ${mcp.skipped.join(', ')}`,
          },
        });
      let modes: acp.SessionModeState | null | undefined;
      let loaded = false;
      if (priorSession && canLoad) {
        loading = true;
        try {
          const r = await call(
            agent.request('session/load', {
              sessionId: priorSession,
              cwd: worktree,
              mcpServers: mcp.servers,
              _meta: sessionMeta,
            }),
          );
          sessionId = priorSession;
          modes = r?.modes;
          loaded = true;
        } catch (err) {
          append({
            role: 'system',
            content: {
              kind: 'acp_load_failed',
              acpSessionId: priorSession,
              error: String((err as Error).message ?? err),
            },
          });
        } finally {
          loading = false;
        }
      }
      if (!sessionId) {
        const r = await call(
          agent.request('session/new', { cwd: worktree, mcpServers: mcp.servers, _meta: sessionMeta }),
        );
        sessionId = r.sessionId;
        modes = r.modes;
        append({
          role: 'system',
          content: { kind: 'acp_session', acpSessionId: r.sessionId, agent: agentName, loadSession: canLoad },
        });
      }
      const wanted = agentCfg.modes[req.config.mode];
      if (
        wanted &&
        modes &&
        modes.currentModeId !== wanted &&
        modes.availableModes.some((m) => m.id === wanted)
      )
        await call(agent.request('session/set_mode', { sessionId, modeId: wanted }));
      const earlier = rows.some((r) => r.role === 'assistant' || r.role === 'tool_call');
      // A loaded session is not enough on its own: claude-agent-acp killed mid-turn reloads a
      // conversation without its last tool call, so the calls Ratchet recorded are listed too.
      const task = loaded
        ? `${RESUME_PROMPT}\n\n${replayContext(replayRows(rows))}`
        : earlier
          ? `${replayContext(replayRows(rows))}\n\nThe task:\n${req.prompt}`
          : req.prompt;
      const prompt: acp.ContentBlock[] = [
        ...(agentCfg.systemPrompt === 'inline' && req.systemPrompt
          ? [{ type: 'text' as const, text: req.systemPrompt }]
          : []),
        { type: 'text', text: task },
      ];
      if (ctx.signal.aborted) cancel();
      return call(agent.request('session/prompt', { sessionId, prompt }));
    });
  } catch (err) {
    flush();
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (budgetStop) return finish('awaiting_budget', 'Budget exhausted mid-turn; the agent was stopped.');
    // The connection usually reports the closed pipe before the exit status is in: wait for it.
    const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
    const why = exit?.signal
      ? `the agent was killed by ${exit.signal} before the turn ended`
      : exit && exit.code !== null
        ? `the agent exited with code ${exit.code} before the turn ended`
        : ((err as Error).message ?? String(err));
    const tail = redactSecrets(stderr.trim().split('\n').slice(-5).join('\n'), deps.env);
    throw unavailable(`acp:${agentName}`, `${why}${tail ? `: ${tail}` : ''}`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    clearInterval(ticker);
    clearTimeout(timer);
    tools.closeAll();
    proc.kill();
  }
  flush();
  const usage = response.usage ? tokenUsage(response.usage) : (quotaUsage(response._meta) ?? undefined);
  append({
    role: 'system',
    content: {
      kind: 'acp_result',
      acpSessionId: sessionId,
      stopReason: response.stopReason,
      usage: response.usage ?? null,
    },
    ...served,
    ...(usage ? { usage } : {}),
  });
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (budgetStop) return finish('awaiting_budget', 'Budget exhausted mid-turn; the agent was stopped.');
  if (response.stopReason === 'refusal') throw rejected(`acp:${agentName}`, 'the agent refused the task');
  // `cancelled` answers a session/cancel, or a refused permission (codex-acp's one refusal option,
  // "Abort", ends its turn). Ended with it otherwise, the agent did not finish the task: the turn
  // is retried (the next attempt resumes the session), never reported as done.
  if (response.stopReason === 'cancelled' && !cancelSent && !refusedAsk)
    throw unavailable(`acp:${agentName}`, 'the agent ended the turn as cancelled without being asked to');
  const summary = lastText(transcript.load()) || 'The agent finished without a message.';
  if (response.stopReason === 'max_turn_requests' || response.stopReason === 'max_tokens')
    return finish('completed', `Stopped: ${response.stopReason}.\n\n${summary}`);
  return finish('completed', summary);
}

const RESUME_PROMPT =
  'Your previous run was interrupted. Continue the same task from where it stopped; do not run again any tool call that already completed.';
