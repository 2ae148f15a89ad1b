/**
 * The Claude Code runner: spawns `claude -p --output-format stream-json --verbose` in the worktree
 * and turns each stream-json line (system init, assistant message, user tool_result, result) into
 * transcript rows as it arrives. The CLI runs its own tools, so the confined toolbox does not
 * apply; it gets the sandbox environment plus ANTHROPIC_API_KEY (it cannot work without it).
 * A retry resumes the CLI's own session (`--resume <id>` from the recorded init line). A crash
 * mid-stream (non-zero exit, truncated line, no result) is a retryable failure that keeps every
 * row already recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AgentTurnResult, TokenUsage } from '../../core/agent.js';
import { ErrorTypes } from '../../core/errors.js';
import { runProcess } from '../process.js';
import { costUsd, type PriceTable } from './pricing.js';
import { unavailable } from './provider-errors.js';
import type { AgentRunner, AgentTurnRequest, RunnerContext } from './runner.js';
import { buildAgentEnv, redactSecrets, type Env } from './sandbox-env.js';
import type { TranscriptAppend } from './transcript.js';

/** @default 'claude-sonnet-4-6' */
export const DEFAULT_CLAUDE_CODE_MODEL = 'claude-sonnet-4-6';
/** Tools the CLI may use without asking in agent mode (it cannot ask: there is no terminal). */
export const CLAUDE_CODE_AGENT_TOOLS = ['Bash', 'Edit', 'MultiEdit', 'Write', 'Read', 'Glob', 'Grep', 'LS'];

export interface ClaudeCodeRunnerDeps {
  /** The worker's environment; only `buildAgentEnv`'s allowlist reaches the CLI. */
  env: Env;
  /** ANTHROPIC_API_KEY, passed to the CLI (and only to it). */
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
}

const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
const lineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('system'), subtype: z.string(), session_id: z.string().optional(), model: z.string().optional() }),
  z.object({
    type: z.literal('assistant'),
    message: z.object({
      id: z.string(),
      model: z.string().optional(),
      content: z.array(z.object({ type: z.string(), text: z.string().optional(), id: z.string().optional(), name: z.string().optional(), input: z.unknown().optional() })),
      usage: usageSchema.optional(),
    }),
  }),
  z.object({
    type: z.literal('user'),
    message: z.object({
      content: z.union([
        z.string(),
        z.array(z.object({ type: z.string(), tool_use_id: z.string().optional(), content: z.unknown().optional(), is_error: z.boolean().nullish() })),
      ]),
    }),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().optional(),
    num_turns: z.number().optional(),
  }),
]);
type Line = z.infer<typeof lineSchema>;

const systemContent = z.object({ kind: z.string() }).passthrough();

/** Finds an executable on the env's PATH (or checks an explicit path); null when absent. */
export function resolveExecutable(bin: string, env: Env): string | null {
  const candidates = bin.includes('/') ? [bin] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, bin));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** True when the CLI is installed and answers `--version` (for /api/health). */
export async function isClaudeCliAvailable(opts: { env: Env; claudeBin?: string; timeoutMs?: number }): Promise<boolean> {
  const file = resolveExecutable(opts.claudeBin ?? 'claude', opts.env);
  if (!file) return false;
  try {
    const res = await runProcess(file, ['--version'], { env: buildAgentEnv(opts.env), timeoutMs: opts.timeoutMs ?? 10_000 });
    return res.code === 0;
  } catch {
    return false;
  }
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((b) => (b && typeof b === 'object' && 'text' in b && typeof b.text === 'string' ? b.text : JSON.stringify(b))).join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content);
}

/** Transcript rows for one stream-json line. `seen` holds assistant message ids whose usage is recorded. */
export function rowsForLine(line: Line, seen: Set<string>, prices: PriceTable | undefined, fallbackModel: string): TranscriptAppend[] {
  switch (line.type) {
    case 'system':
      return line.subtype === 'init'
        ? [{ role: 'system', content: { kind: 'cli_init', cliSessionId: line.session_id ?? null, model: line.model ?? null } }]
        : [];
    case 'assistant': {
      const m = line.message;
      const model = m.model ?? fallbackModel;
      const served = { provider: 'anthropic', model };
      const out: TranscriptAppend[] = [];
      const text = m.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : [])).join('');
      // The CLI repeats a message's usage on every line of that message: count it once.
      const first = !seen.has(m.id);
      seen.add(m.id);
      const usage: TokenUsage | undefined =
        first && m.usage
          ? {
              inputTokens: m.usage.input_tokens ?? 0,
              outputTokens: m.usage.output_tokens ?? 0,
              cacheReadTokens: m.usage.cache_read_input_tokens ?? 0,
              cacheWriteTokens: m.usage.cache_creation_input_tokens ?? 0,
            }
          : undefined;
      if (text || usage) {
        out.push({ role: 'assistant', content: { text, messageId: m.id }, ...served, ...(usage ? { usage, costUsd: costUsd(usage, model, prices) } : {}) });
      }
      for (const b of m.content) {
        if (b.type !== 'tool_use' || !b.id) continue;
        out.push({ role: 'tool_call', toolCallId: b.id, toolName: b.name ?? '', content: { input: b.input ?? null, rawArguments: JSON.stringify(b.input ?? null) }, ...served });
      }
      return out;
    }
    case 'user': {
      const content = line.message.content;
      if (typeof content === 'string') return [];
      return content.flatMap((b) =>
        b.type === 'tool_result' && b.tool_use_id
          ? [{ role: 'tool_result' as const, toolCallId: b.tool_use_id, content: { ok: !b.is_error, output: toolResultText(b.content) } }]
          : [],
      );
    }
    case 'result':
      return [
        {
          role: 'system',
          content: { kind: 'cli_result', subtype: line.subtype, isError: line.is_error, result: line.result ?? '', cliSessionId: line.session_id ?? null, totalCostUsd: line.total_cost_usd ?? null, numTurns: line.num_turns ?? null },
        },
      ];
  }
}

export function createClaudeCodeRunner(deps: ClaudeCodeRunnerDeps): AgentRunner {
  return {
    name: 'claude-code',
    provider: 'anthropic',
    run: (req, ctx) => runClaudeCode(deps, req, ctx),
  };
}

async function runClaudeCode(deps: ClaudeCodeRunnerDeps, req: AgentTurnRequest, ctx: RunnerContext): Promise<AgentTurnResult> {
  const { transcript } = ctx;
  const model = req.config.model ?? deps.defaultModel ?? DEFAULT_CLAUDE_CODE_MODEL;
  let lastSeq = transcript.lastSeq();
  const appended = (seqs: number[]) => {
    const seq = seqs.at(-1);
    if (seq === undefined) return;
    lastSeq = seq;
    ctx.heartbeat({ lastSeq });
  };
  const finish = (status: AgentTurnResult['status'], summary: string): AgentTurnResult => {
    transcript.setStatus(status);
    const totals = transcript.totals();
    return { sessionId: req.sessionId, status, summary, costUsd: totals.costUsd, usage: totals.usage, provider: 'anthropic' };
  };
  transcript.setServing({ runner: 'claude-code', provider: 'anthropic', model });
  transcript.setStatus('running');
  if (ctx.attempt > 1) appended([transcript.append({ role: 'reset', content: { attempt: ctx.attempt, resumeFromSeq: ctx.resumeFromSeq } })]);

  const rows = transcript.load();
  const systems = rows.flatMap((r) => {
    const c = r.role === 'system' ? systemContent.safeParse(r.content) : null;
    return c?.success ? [c.data] : [];
  });
  // A retry after the CLI already finished (the worker died before reporting): nothing to run.
  const done = systems.filter((s) => s.kind === 'cli_result' && (s.isError === false || s.subtype === 'error_max_turns')).at(-1);
  if (done) return finish('completed', completedSummary(done.subtype, done.result, req.config.maxTurns));
  if (!rows.some((r) => r.role === 'user')) appended([transcript.append({ role: 'user', content: { text: req.prompt } })]);
  const remaining = ctx.budget.remainingUsd;
  if (remaining !== null && remaining <= 0) return finish('awaiting_budget', 'Budget exhausted; waiting for approval.');

  const bin = resolveExecutable(deps.claudeBin ?? 'claude', deps.env);
  if (!bin) {
    const message = `the claude CLI (${deps.claudeBin ?? 'claude'}) is not installed or not on PATH`;
    transcript.setStatus('failed', message);
    throw ApplicationFailure.nonRetryable(message, ErrorTypes.ConfigInvalid);
  }
  const resumeId = systems.flatMap((s) => (s.kind === 'cli_init' && typeof s.cliSessionId === 'string' ? [s.cliSessionId] : [])).at(-1);
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--model', model, '--max-turns', String(req.config.maxTurns)];
  if (req.systemPrompt) args.push('--append-system-prompt', req.systemPrompt);
  if (req.config.mode === 'plan') args.push('--permission-mode', 'plan');
  else args.push('--permission-mode', 'acceptEdits', '--allowedTools', CLAUDE_CODE_AGENT_TOOLS.join(','));
  if (resumeId) args.push('--resume', resumeId);
  const input = resumeId
    ? 'Your previous run was interrupted. Continue the same task from where it stopped; do not redo work that is already done.'
    : req.prompt;
  const env: Record<string, string> = { ...buildAgentEnv(deps.env, deps.extraEnv) };
  if (deps.apiKey) env.ANTHROPIC_API_KEY = deps.apiKey;
  if (deps.baseURL) env.ANTHROPIC_BASE_URL = deps.baseURL;

  const seen = new Set(rows.flatMap((r) => (r.role === 'assistant' && r.content && typeof r.content === 'object' && 'messageId' in r.content ? [String(r.content.messageId)] : [])));
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  let buffer = '';
  let result: Extract<Line, { type: 'result' }> | null = null;
  let budgetStop = false;
  let failure: unknown = null;
  const warnings: string[] = [];
  const handleLine = (raw: string) => {
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      warnings.push(`unparsable stream-json line: ${raw.slice(0, 200)}`);
      return;
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      // Other line types (stream_event, rate-limit notices, future additions) carry no transcript rows.
      return;
    }
    const line = parsed.data;
    if (line.type === 'result') result = line;
    appended(transcript.appendAll(rowsForLine(line, seen, deps.prices, model)));
    if (line.type === 'assistant') {
      const left = ctx.budget.remainingUsd;
      if (left !== null && left <= 0) {
        budgetStop = true;
        stop.abort(new Error('budget exhausted'));
      }
    }
  };
  let res;
  try {
    res = await runProcess(bin, args, {
      cwd: req.worktreePath,
      env,
      input,
      timeoutMs: deps.timeoutMs ?? 7_200_000,
      signal: stop.signal,
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
  } finally {
    ctx.signal.removeEventListener('abort', onOuterAbort);
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (failure) throw failure;
  if (budgetStop) return finish('awaiting_budget', 'Budget exhausted mid-run; the CLI was stopped and will resume its session after approval.');
  const final = result as Extract<Line, { type: 'result' }> | null;
  if (final && (!final.is_error || final.subtype === 'error_max_turns')) return finish('completed', completedSummary(final.subtype, final.result ?? '', req.config.maxTurns));
  const stderr = redactSecrets(res.stderr.trim().split('\n').slice(-5).join('\n'), { ...deps.env, ANTHROPIC_API_KEY: deps.apiKey });
  const why = final
    ? `the claude CLI reported ${final.subtype}`
    : res.timedOut
      ? 'the claude CLI timed out'
      : `the claude CLI exited with ${res.signal ?? `code ${res.code}`} before its result line${buffer ? ' (last line truncated)' : ''}`;
  throw unavailable('claude-code', `${why}${stderr ? `: ${stderr}` : ''}`);
}

function completedSummary(subtype: unknown, result: unknown, maxTurns: number): string {
  const text = typeof result === 'string' ? result : '';
  if (subtype === 'error_max_turns') return `Stopped after reaching the turn limit (${maxTurns}).${text ? `\n\n${text}` : ''}`;
  return text || 'The agent finished without a message.';
}
