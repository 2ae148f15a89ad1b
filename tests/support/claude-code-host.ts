/**
 * Runs one Claude Code runner attempt in a process of its own, standing in for the worker, so a
 * test can SIGKILL it mid-run and retry in another process against the same SQLite file. Input is
 * one JSON object in RATCHET_CLAUDE_HOST: `{ dbFile, request, deps }` (deps without functions).
 */
import {
  createClaudeCodeRunner,
  type ClaudeCodeRunnerDeps,
} from '../../activities/agents/claude-code-runner.js';
import type { AgentTurnRequest } from '../../activities/agents/runner.js';
import { createTranscript } from '../../activities/agents/transcript.js';
import { openDb } from '../../db/client.js';

const input = JSON.parse(process.env.RATCHET_CLAUDE_HOST ?? '') as {
  dbFile: string;
  request: AgentTurnRequest;
  deps: ClaudeCodeRunnerDeps;
};
const transcript = createTranscript(openDb(input.dbFile), input.request.sessionId);
const runner = createClaudeCodeRunner(input.deps);
const result = await runner.run(input.request, {
  transcript,
  heartbeat: () => {},
  signal: new AbortController().signal,
  attempt: 1,
  resumeFromSeq: 0,
  budget: { remainingUsd: null },
});
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
