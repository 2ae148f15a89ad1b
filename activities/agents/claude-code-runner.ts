/**
 * The Claude Code runner: spawns `claude -p --output-format stream-json --verbose` in the worktree
 * and turns each stream-json line (system init, assistant message, user tool_result, result) into
 * transcript rows as it arrives (`claude-code-stream.ts`). The CLI runs its own tools under the
 * permission recipe and environment of `claude-code-cli.ts`; the API key reaches it on a pipe.
 *
 * Durability. The CLI runs under the parent-death watchdog (`process-guard.mjs`), so it dies with
 * the worker, and its process group is recorded (a `cli_process` system row) before any output.
 * A retry first kills every recorded group still alive (in case the watchdog itself was killed),
 * then resumes the CLI's own session (`--resume <id>` from the recorded init line). So no CLI
 * from a dead attempt can receive a model answer and run a tool beside the retry. A crash
 * mid-stream (non-zero exit, truncated line, no result) is a retryable failure that keeps every
 * row already recorded.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AgentTurnResult } from '../../core/agent.js';
import { finishTurn } from './transcript.js';
import { ErrorTypes } from '../../core/errors.js';
import { extraInputFd, killRecordedGroup, runProcess } from '../process.js';
import { isClaudeCliAvailable, resolveExecutable } from './cli-probe.js';
import { claudeCodeArgs, claudeCodeEnv, writeMcpConfigFile } from './claude-code-cli.js';
import {
  lineSchema,
  newLedger,
  rowsForLine,
  rowsForStreamEvent,
  type ResultLine,
} from './claude-code-stream.js';
import { nullLiveSink } from './live.js';
import type { PriceTable } from './pricing.js';
import { unavailable } from './provider-errors.js';
import type { AgentRunner, AgentTurnRequest, RunnerContext } from './runner.js';
import { redactSecrets, type Env } from './sandbox-env.js';

/** @default 'claude-sonnet-4-6' */
export const DEFAULT_CLAUDE_CODE_MODEL = 'claude-sonnet-4-6';

export interface ClaudeCodeRunnerDeps {
  /**
   * The worker's environment; only `buildAgentEnv`'s allowlist and the CLI's own switches
   * (`claudeCodeEnv`) reach the CLI.
   */
  env: Env;
  /** ANTHROPIC_API_KEY, handed to the CLI on a pipe (never in its environment or argv). */
  apiKey?: string;
  /** ANTHROPIC_BASE_URL, passed through when set. */
  baseURL?: string;
  /** Executable name or path. @default 'claude' (looked up on the env's PATH) */
  claudeBin?: string;
  /** Non-secret additions to the CLI's environment (see `buildAgentEnv`). */
  extraEnv?: Env;
  prices?: PriceTable;
  /** @default DEFAULT_CLAUDE_CODE_MODEL */
  defaultModel?: string;
  /** Hard limit for one CLI run. @default 7200000 */
  timeoutMs?: number;
  /** Heartbeat interval while the CLI runs. @default 5000 */
  heartbeatMs?: number;
  /** Bash rules pre-allowed in agent mode. @default CLAUDE_CODE_BASH_RULES */
  bashRules?: readonly string[];
}

const systemContent = z.object({ kind: z.string() }).passthrough();
const processRecord = z.object({
  kind: z.literal('cli_process'),
  pgid: z.number(),
  startTicks: z.string().nullable(),
});

export { isClaudeCliAvailable, resolveExecutable };

export function createClaudeCodeRunner(deps: ClaudeCodeRunnerDeps): AgentRunner {
  return {
    name: 'claude-code',
    provider: 'anthropic',
    run: (req, ctx) => runClaudeCode(deps, req, ctx),
  };
}

async function runClaudeCode(
  deps: ClaudeCodeRunnerDeps,
  req: AgentTurnRequest,
  ctx: RunnerContext,
): Promise<AgentTurnResult> {
  const { transcript } = ctx;
  const model = req.config.model ?? deps.defaultModel ?? DEFAULT_CLAUDE_CODE_MODEL;
  let lastSeq = transcript.lastSeq();
  const appended = (seqs: number[]) => {
    const seq = seqs.at(-1);
    if (seq === undefined) return;
    lastSeq = seq;
    ctx.heartbeat({ lastSeq });
  };
  const finish = (status: AgentTurnResult['status'], summary: string): AgentTurnResult =>
    finishTurn(transcript, req.sessionId, 'anthropic', status, summary);
  transcript.setServing({ runner: 'claude-code', provider: 'anthropic', model });
  transcript.setStatus('running');
  if (ctx.attempt > 1)
    appended([
      transcript.append({
        role: 'reset',
        content: { attempt: ctx.attempt, resumeFromSeq: ctx.resumeFromSeq },
      }),
    ]);

  const rows = transcript.load();
  const systems = rows.flatMap((r) => {
    const c = r.role === 'system' ? systemContent.safeParse(r.content) : null;
    return c?.success ? [c.data] : [];
  });
  // A retry after the CLI already finished (the worker died before reporting): nothing to run.
  const done = systems
    .filter((s) => s.kind === 'cli_result' && (s.isError === false || s.subtype === 'error_max_turns'))
    .at(-1);
  if (done) return finish('completed', completedSummary(done.subtype, done.result, req.config.maxTurns));
  if (!rows.some((r) => r.role === 'user'))
    appended([transcript.append({ role: 'user', content: { text: req.prompt } })]);
  const remaining = ctx.budget.remainingUsd;
  if (remaining !== null && remaining <= 0)
    return finish('awaiting_budget', 'Budget exhausted; waiting for approval.');

  const bin = resolveExecutable(deps.claudeBin ?? 'claude', deps.env);
  if (!bin) {
    const message = `the claude CLI (${deps.claudeBin ?? 'claude'}) is not installed or not on PATH`;
    transcript.setStatus('failed', message);
    throw ApplicationFailure.nonRetryable(message, ErrorTypes.ConfigInvalid);
  }
  // A CLI left by a dead attempt must be gone before its session is resumed.
  for (const s of systems) {
    const rec = processRecord.safeParse(s);
    if (rec.success) await killRecordedGroup({ pgid: rec.data.pgid, startTicks: rec.data.startTicks });
  }
  // The last CLI session this Ratchet session started, unless resuming it was found impossible.
  const lost = new Set(
    systems.flatMap((s) => (s.kind === 'cli_resume_lost' ? [String(s.cliSessionId)] : [])),
  );
  const initialResume = systems
    .flatMap((s) => (s.kind === 'cli_init' && typeof s.cliSessionId === 'string' ? [s.cliSessionId] : []))
    .filter((id) => !lost.has(id))
    .at(-1);
  const env = claudeCodeEnv({
    parentEnv: deps.env,
    extraEnv: deps.extraEnv,
    baseURL: deps.baseURL,
    apiKeyFd: deps.apiKey ? extraInputFd(0, true) : undefined,
  });

  const cumulative = new Map<string, number>();
  for (const s of systems) {
    if (s.kind === 'cli_result' && typeof s.cliSessionId === 'string' && typeof s.totalCostUsd === 'number')
      cumulative.set(s.cliSessionId, s.totalCostUsd);
  }
  const ledger = newLedger(
    rows.flatMap((r) =>
      r.role === 'assistant' && r.content && typeof r.content === 'object' && 'messageId' in r.content
        ? [String(r.content.messageId)]
        : [],
    ),
    cumulative,
  );
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  let buffer = '';
  let result: ResultLine | null = null;
  let sawInit = false;
  let budgetStop = false;
  let failure: unknown = null;
  // The console's live tail: every stream-json event as it arrives, and token deltas when the CLI
  // sends partial messages (`stream_event` lines). A stream ends with each assistant line's rows.
  const live = ctx.live ?? nullLiveSink;
  let liveStream = live.begin();
  const handleLine = (raw: string) => {
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      // Not a stream-json line (the CLI prints plain errors such as a lost --resume on stdout).
      return;
    }
    const text = partialText(json);
    if (text) live.emit(liveStream, { kind: 'text', text });
    appended(transcript.appendAll(rowsForStreamEvent(json, ledger, deps.prices, model)));
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      // Other line types (stream_event, rate-limit notices, future additions) carry no transcript rows.
      return;
    }
    const line = parsed.data;
    live.emit(liveStream, {
      kind: 'cli_event',
      type: line.type,
      ...(line.type === 'system' || line.type === 'result' ? { subtype: line.subtype } : {}),
    });
    if (line.type === 'result') result = line;
    if (line.type === 'system' && line.subtype === 'init') {
      sawInit = true;
      // The CLI has read its MCP config and started the servers: the secrets leave the disk.
      mcpFile?.remove();
    }
    appended(transcript.appendAll(rowsForLine(line, ledger, deps.prices, model)));
    if (line.type === 'assistant') {
      live.end(liveStream);
      liveStream = live.begin();
    }
    if (line.type === 'assistant') {
      const left = ctx.budget.remainingUsd;
      if (left !== null && left <= 0) {
        budgetStop = true;
        stop.abort(new Error('budget exhausted'));
      }
    }
  };
  let mcpFile: { file: string; remove(): void } | null = null;
  const mcpServers = req.config.mode === 'plan' ? [] : (req.mcpServers ?? []);
  const spawnCli = (resumeId: string | undefined) => {
    buffer = '';
    result = null;
    sawInit = false;
    mcpFile?.remove();
    mcpFile = mcpServers.length ? writeMcpConfigFile(mcpServers) : null;
    const args = claudeCodeArgs({
      model,
      maxTurns: req.config.maxTurns,
      mode: req.config.mode,
      systemPrompt: req.systemPrompt,
      resumeId,
      bashRules: deps.bashRules,
      ...(mcpFile ? { mcp: { file: mcpFile.file, servers: mcpServers.map((m) => m.name) } } : {}),
    });
    return runProcess(bin, args, {
      cwd: req.worktreePath,
      env,
      input: resumeId ? RESUME_PROMPT : ctx.attempt > 1 ? `${req.prompt}\n\n${RESTART_NOTE}` : req.prompt,
      timeoutMs: deps.timeoutMs ?? 7_200_000,
      signal: stop.signal,
      parentWatchdog: true,
      extraInputs: deps.apiKey ? [deps.apiKey] : [],
      onSpawn: (group) =>
        appended([transcript.append({ role: 'system', content: { kind: 'cli_process', ...group } })]),
      onTick: () => ctx.heartbeat({ lastSeq }),
      tickMs: deps.heartbeatMs ?? 5000,
      onOutput: (chunk, streamName) => {
        if (streamName !== 'stdout' || failure) return;
        buffer += chunk;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const lineText = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            handleLine(lineText);
          } catch (err) {
            failure = err;
            stop.abort(err);
            return;
          }
          nl = buffer.indexOf('\n');
        }
      },
    });
  };
  let res;
  try {
    res = await spawnCli(initialResume);
    // The CLI saves its session a moment after it starts: one killed before that (a budget stop
    // or a worker death right at the start) cannot be resumed. The CLI then fails at once, before
    // any init line or model turn; start a new CLI session on the same worktree instead.
    const r = result as ResultLine | null;
    if (
      initialResume &&
      !sawInit &&
      !failure &&
      !ctx.signal.aborted &&
      r?.is_error &&
      (r.num_turns ?? 0) === 0
    ) {
      appended([
        transcript.append({
          role: 'system',
          content: { kind: 'cli_resume_lost', cliSessionId: initialResume },
        }),
      ]);
      res = await spawnCli(undefined);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onOuterAbort);
    (mcpFile as { remove(): void } | null)?.remove();
  }
  live.end(liveStream);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (failure) throw failure;
  if (budgetStop)
    return finish(
      'awaiting_budget',
      'Budget exhausted mid-run; the CLI was stopped and will resume its session after approval.',
    );
  const final = result as ResultLine | null;
  if (final && (!final.is_error || final.subtype === 'error_max_turns'))
    return finish('completed', completedSummary(final.subtype, final.result ?? '', req.config.maxTurns));
  const stderr = redactSecrets(res.stderr.trim().split('\n').slice(-5).join('\n'), {
    ...deps.env,
    ANTHROPIC_API_KEY: deps.apiKey,
  });
  const why = final
    ? `the claude CLI reported ${final.subtype}`
    : res.timedOut
      ? 'the claude CLI timed out'
      : `the claude CLI exited with ${res.signal ?? `code ${res.code}`} before its result line${buffer ? ' (last line truncated)' : ''}`;
  throw unavailable('claude-code', `${why}${stderr ? `: ${stderr}` : ''}`);
}

/** The text of a `stream_event` line's text delta (CLI partial messages), else null. */
function partialText(json: unknown): string | null {
  if (!json || typeof json !== 'object' || (json as { type?: unknown }).type !== 'stream_event') return null;
  const ev = (json as { event?: { type?: unknown; delta?: { type?: unknown; text?: unknown } } }).event;
  if (ev?.type !== 'content_block_delta' || ev.delta?.type !== 'text_delta') return null;
  return typeof ev.delta.text === 'string' ? ev.delta.text : null;
}

const RESUME_PROMPT =
  'Your previous run was interrupted. Continue the same task from where it stopped; do not redo work that is already done.';
const RESTART_NOTE =
  'An earlier attempt at this task was interrupted. The worktree may already hold part of the work: check it before changing anything, and do not redo what is done.';

function completedSummary(subtype: unknown, result: unknown, maxTurns: number): string {
  const text = typeof result === 'string' ? result : '';
  if (subtype === 'error_max_turns')
    return `Stopped after reaching the turn limit (${maxTurns}).${text ? `\n\n${text}` : ''}`;
  return text || 'The agent finished without a message.';
}
