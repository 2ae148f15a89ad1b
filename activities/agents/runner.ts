/**
 * The contract every agent runner implements (script, anthropic, openai, claude-code), plus the
 * fallback wrapper that switches a session to a secondary runner after repeated failed attempts.
 */
import type {
  AgentConfig,
  AgentMode,
  AgentTurnResult,
  RunnerName,
  SessionPurpose,
} from '../../core/agent.js';
import type { ResolvedMcpServer } from '../../core/mcp.js';
import type { LiveSink } from './live.js';
import type { Transcript } from './transcript.js';

export interface AgentTurnRequest {
  workspaceId: string;
  /** The workspace turn this session belongs to (1-based). */
  turn: number;
  sessionId: string;
  purpose: SessionPurpose;
  worktreePath: string;
  prompt: string;
  systemPrompt: string;
  config: AgentConfig;
  /**
   * The project's approved MCP servers with their secret values (core/mcp.ts), resolved by the
   * activity for this turn; never serialised. Each runner applies the plan-mode rule itself.
   */
  mcpServers?: ResolvedMcpServer[];
}

export interface RunnerContext {
  transcript: Transcript;
  /** Temporal heartbeat; called after every append with the seq of the last persisted message. */
  heartbeat(details: { lastSeq: number }): void;
  signal: AbortSignal;
  /** Temporal attempt number, from 1. */
  attempt: number;
  /** From the last heartbeat's details; 0 if none. */
  resumeFromSeq: number;
  /** Dollars left for this session's workspace; null means no budget. */
  budget: { remainingUsd: number | null };
  /** The console's live tail (text deltas, tool activity); absent outside the agent activity. */
  live?: LiveSink;
}

export interface AgentRunner {
  readonly name: RunnerName;
  /** Provider label recorded on results and transcript rows (e.g. `anthropic`, `ollama`). */
  readonly provider?: string;
  run(req: AgentTurnRequest, ctx: RunnerContext): Promise<AgentTurnResult>;
}

/** A tool the model may call; `inputSchema` is JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The confined toolbox (activities/agents/tools): `execute` never throws for bad arguments. */
export interface Toolbox {
  definitions: ToolDefinition[];
  execute(
    name: string,
    rawArgs: unknown,
    ctx?: { signal?: AbortSignal },
  ): Promise<{ ok: boolean; output: string }>;
}

/** Builds the toolbox for one run; the worker wires `createToolbox` with the sandbox env. */
export type ToolboxFactory = (opts: { worktree: string; mode: AgentMode }) => Toolbox;

export interface FallbackOptions {
  /** Attempts served by the primary; later attempts go to the secondary. */
  switchAfterAttempts: number;
  /** Model for the secondary; the request's model belongs to the primary. @default the secondary's default */
  secondaryModel?: string;
}

/**
 * Serves attempts 1..switchAfterAttempts with `primary`, later ones with `secondary`. The secondary
 * continues the same transcript (its rows are provider-neutral) and the result says `fellBackTo`.
 */
export function createFallbackRunner(
  primary: AgentRunner,
  secondary: AgentRunner,
  opts: FallbackOptions,
): AgentRunner {
  return {
    name: primary.name,
    provider: primary.provider,
    async run(req, ctx) {
      if (ctx.attempt <= opts.switchAfterAttempts) return primary.run(req, ctx);
      const config: AgentConfig = {
        ...req.config,
        runner: secondary.name,
        provider: secondary.provider,
        model: opts.secondaryModel,
      };
      const result = await secondary.run({ ...req, config }, ctx);
      return { ...result, fellBackTo: secondary.provider ?? secondary.name };
    },
  };
}
