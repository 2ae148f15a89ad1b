/**
 * The deterministic `script` runner: applies scripted edits instead of calling a model. It exists
 * for tests and demos only. It follows the same durability rules as the model runners: each step
 * is a tool call recorded in the transcript, and a retried attempt skips steps already recorded.
 * A step whose call was recorded but not its result (a crash in between) is applied again, so each
 * step is idempotent: `write` and `delete` are by nature; `append` records the file's length in its
 * call row and, on the retry, finds its line already there at that offset instead of adding it twice.
 * The session is closed like a model runner's: `running` while it works, then `completed` with
 * `endedAt`.
 *
 * The edits for a turn come from `config.script[turnIndex]`, else from a prompt that is itself a
 * JSON array of steps, else a single step appending the prompt to RATCHET_NOTES.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scriptTurnSchema, zeroUsage, type AgentTurnResult, type ScriptStep } from '../../core/agent.js';
import type { AgentRunner, AgentTurnRequest, RunnerContext } from './runner.js';
import { resolveInside } from './tools/paths.js';

/** What one step did: like a model tool's result, a refusal is an answer (`ok: false`), not a throw. */
interface StepResult {
  ok: boolean;
  output: string;
}

/**
 * Resolves a scripted path inside the worktree with the same confinement as the model tools. A
 * path outside the worktree or into `.git` is refused as the tools refuse it: the step's result
 * says so (a transcript row) and the turn goes on. Thrown, it would be retried as a transient
 * failure, 8 attempts, and end the workspace `failed` for a refusal that can never succeed.
 */
async function inside(
  worktree: string,
  p: string,
): Promise<{ ok: true; path: string } | { ok: false; output: string }> {
  const r = await resolveInside(worktree, p, { forWrite: true });
  return r.ok
    ? { ok: true, path: r.path }
    : { ok: false, output: `Refused: ${r.message}; nothing was written` };
}

export function scriptFor(req: AgentTurnRequest, turnIndex: number): ScriptStep[] {
  const configured = req.config.script?.[turnIndex];
  if (configured) return configured;
  try {
    const parsed = scriptTurnSchema.safeParse(JSON.parse(req.prompt));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: a plain prompt.
  }
  return [{ op: 'append', path: 'RATCHET_NOTES.md', line: req.prompt }];
}

export interface ScriptRunnerOptions {
  /**
   * Honour `killWorkerAfterApply` steps (the worker SIGKILLs itself after applying one). Only the
   * durability suite turns it on, through RATCHET_TEST_KILL_POINTS=1 in the worker's configuration.
   * @default false
   */
  killPoints?: boolean;
}

export function createScriptRunner({ killPoints = false }: ScriptRunnerOptions = {}): AgentRunner {
  // Scripted steps are tool calls with deterministic ids, so a retry skips what already ran.
  return {
    name: 'script',
    async run(req: AgentTurnRequest, ctx: RunnerContext): Promise<AgentTurnResult> {
      const steps = scriptFor(req, req.turn - 1);
      const { transcript } = ctx;
      // Serving as configured (a demo may name a provider and model); nothing is called either way.
      transcript.setServing({
        runner: 'script',
        provider: req.config.provider ?? 'script',
        model: req.config.model ?? null,
      });
      transcript.setStatus('running');
      if (transcript.lastSeq() === 0) {
        ctx.heartbeat({ lastSeq: transcript.append({ role: 'user', content: { text: req.prompt } }) });
      } else if (ctx.attempt > 1) {
        ctx.heartbeat({ lastSeq: transcript.append({ role: 'reset', content: { attempt: ctx.attempt } }) });
      }
      const said: string[] = [];
      const refused: string[] = [];
      for (const [i, step] of steps.entries()) {
        ctx.signal.throwIfAborted();
        const toolCallId = `script-${i}`;
        if (step.op === 'say') said.push(step.text);
        if (transcript.hasToolResult(toolCallId)) continue;
        // A call recorded by an attempt that died before its result: the same call, not a second one.
        const earlier = transcript.load().find((m) => m.role === 'tool_call' && m.toolCallId === toolCallId);
        const call = (earlier?.content as CallRecord | undefined) ?? {
          ...step,
          ...(await preState(req.worktreePath, step)),
        };
        if (!earlier) transcript.append({ role: 'tool_call', toolCallId, toolName: step.op, content: call });
        const result = await applyStep(req.worktreePath, step, ctx, call, killPoints);
        if (!result.ok) refused.push(result.output);
        const seq = transcript.append({
          role: 'tool_result',
          toolCallId,
          toolName: step.op,
          content: result,
        });
        ctx.heartbeat({ lastSeq: seq });
      }
      // Refused steps are named in the summary, so the timeline says what did not happen.
      const done = refused.length
        ? `Applied ${steps.length - refused.length} of ${steps.length} scripted step(s).`
        : `Applied ${steps.length} scripted step(s).`;
      const summary = [said.join('\n') || done, ...refused].join('\n');
      const seq = transcript.append({ role: 'assistant', content: { text: summary } });
      ctx.heartbeat({ lastSeq: seq });
      transcript.setStatus('completed');
      return {
        sessionId: req.sessionId,
        status: 'completed',
        summary,
        costUsd: 0,
        usage: zeroUsage(),
        provider: 'script',
      };
    },
  };
}

/** What a step's call row holds: the step, and for `append` the file's length before it. */
type CallRecord = ScriptStep & { beforeBytes?: number };

async function preState(worktree: string, step: ScriptStep): Promise<{ beforeBytes?: number }> {
  if (step.op !== 'append') return {};
  const file = await inside(worktree, step.path);
  if (!file.ok) return {};
  try {
    return { beforeBytes: fs.statSync(file.path).size };
  } catch {
    return { beforeBytes: 0 };
  }
}

/** True when `file` already holds `text` at `offset` (an earlier attempt wrote it, then died). */
function alreadyAppended(file: string, offset: number, text: string): boolean {
  const want = Buffer.from(text);
  try {
    if (fs.statSync(file).size < offset + want.length) return false;
    const fd = fs.openSync(file, 'r');
    try {
      const got = Buffer.alloc(want.length);
      fs.readSync(fd, got, 0, want.length, offset);
      return got.equals(want);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

async function applyStep(
  worktree: string,
  step: ScriptStep,
  ctx: RunnerContext,
  call: CallRecord,
  killPoints: boolean,
): Promise<StepResult> {
  switch (step.op) {
    case 'write': {
      const file = await inside(worktree, step.path);
      if (!file.ok) return file;
      fs.mkdirSync(path.dirname(file.path), { recursive: true });
      fs.writeFileSync(file.path, step.content);
      return { ok: true, output: `wrote ${step.path}` };
    }
    case 'append': {
      const file = await inside(worktree, step.path);
      if (!file.ok) return file;
      const text = `${step.line}\n`;
      if (call.beforeBytes !== undefined && alreadyAppended(file.path, call.beforeBytes, text)) {
        return { ok: true, output: `appended to ${step.path}` };
      }
      fs.mkdirSync(path.dirname(file.path), { recursive: true });
      fs.appendFileSync(file.path, text);
      // A test kill point, honoured only by a worker configured with RATCHET_TEST_KILL_POINTS=1 (the
      // durability suite), so no workspace's script can make a user's worker kill itself.
      if (step.killWorkerAfterApply && ctx.attempt === 1 && killPoints) process.kill(process.pid, 'SIGKILL');
      return { ok: true, output: `appended to ${step.path}` };
    }
    case 'delete': {
      const file = await inside(worktree, step.path);
      if (!file.ok) return file;
      fs.rmSync(file.path, { force: true });
      return { ok: true, output: `deleted ${step.path}` };
    }
    case 'sleep': {
      // Sleep in slices so the activity keeps heartbeating and notices cancellation.
      const until = Date.now() + step.ms;
      while (Date.now() < until) {
        await sleep(Math.min(250, until - Date.now()), undefined, { signal: ctx.signal });
        ctx.heartbeat({ lastSeq: ctx.transcript.lastSeq() });
      }
      return { ok: true, output: `slept ${step.ms} ms` };
    }
    case 'say':
      return { ok: true, output: step.text };
    case 'fail':
      throw new Error(step.message);
  }
}
