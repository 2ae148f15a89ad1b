/** Agent configuration and transcript records shared by runners, workflows and the console. */
import { z } from 'zod';

export const RUNNERS = ['script', 'anthropic', 'openai', 'claude-code', 'acp'] as const;
export type RunnerName = (typeof RUNNERS)[number];

export const AGENT_MODES = ['agent', 'plan'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

export const SESSION_PURPOSES = [
  'implement',
  'followup',
  'plan',
  'ci-fix',
  'review-fix',
  'conflict-fix',
] as const;
export type SessionPurpose = (typeof SESSION_PURPOSES)[number];

/** One scripted edit of the deterministic `script` runner (tests and demos only). */
export const scriptStepSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('write'), path: z.string().min(1), content: z.string() }),
  z.object({
    op: z.literal('append'),
    path: z.string().min(1),
    line: z.string(),
    /**
     * Test kill point: on the first attempt the worker SIGKILLs itself right after the line is
     * written and before the step's result is recorded (the window a crash can hit). Only a worker
     * started with RATCHET_TEST_KILL_POINTS=1 honours it.
     */
    killWorkerAfterApply: z.boolean().optional(),
  }),
  z.object({ op: z.literal('delete'), path: z.string().min(1) }),
  z.object({ op: z.literal('sleep'), ms: z.number().int().min(0).max(600_000) }),
  z.object({ op: z.literal('say'), text: z.string() }),
  /** Throws (a real failure, as a provider error would), on every attempt. */
  z.object({ op: z.literal('fail'), message: z.string() }),
]);
export type ScriptStep = z.infer<typeof scriptStepSchema>;
export const scriptTurnSchema = z.array(scriptStepSchema);

/** Bounds of `maxTurns` (model round-trips per agent session), shared by requests and settings. */
export const MAX_TURNS = { min: 1, max: 500, default: 40 } as const;

export const agentConfigSchema = z.object({
  runner: z.enum(RUNNERS).default('script'),
  /**
   * Provider name from settings (e.g. `anthropic`, `openai`, `ollama`); defaults per runner. For the
   * `acp` runner: the ACP agent's name (`claude`, `codex`, `gemini`, or one from the config file).
   */
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  mode: z.enum(AGENT_MODES).default('agent'),
  maxTurns: z.number().int().min(MAX_TURNS.min).max(MAX_TURNS.max).default(MAX_TURNS.default),
  /** `script` runner only: edits for each agent turn, by turn index (0 = the first turn). */
  script: z.array(scriptTurnSchema).optional(),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Roles of transcript rows (db agent_messages.role). `reset` marks a retried attempt's restart. */
export const MESSAGE_ROLES = ['user', 'assistant', 'tool_call', 'tool_result', 'system', 'reset'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const zeroUsage = (): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

/** What an agent turn returns to the workflow. */
export interface AgentTurnResult {
  sessionId: string;
  status: 'completed' | 'failed' | 'awaiting_budget';
  /** Last assistant text, or the plan in plan mode. */
  summary: string;
  costUsd: number;
  usage: TokenUsage;
  provider?: string;
  /** Set when the session switched to the secondary provider. */
  fellBackTo?: string;
}
