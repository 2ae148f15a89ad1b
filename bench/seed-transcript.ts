/**
 * A long stored transcript for the workspace-page bench and the paging suite: a workspace row and
 * sessions of 100 messages each (a user prompt, then assistant Markdown, tool calls and their
 * results), written through the same query module the agent activity uses.
 */
import { appendMessages } from '../db/queries/agent-messages.js';
import type { Db } from '../db/client.js';
import { agentSessions, workspaces } from '../db/schema.js';

export const SESSION_ROWS = 100;

/** The session ids written, oldest first. */
export function seedTranscript(
  db: Db,
  {
    id,
    projectId,
    worktreePath,
    messages,
  }: { id: string; projectId: string; worktreePath: string; messages: number },
): string[] {
  db.insert(workspaces)
    .values({
      id,
      projectId,
      title: `transcript of ${messages}`,
      prompt: 'seeded',
      branch: `ratchet/${id}`,
      baseBranch: 'main',
      worktreePath,
      status: 'idle',
      agentConfig: { runner: 'anthropic', mode: 'agent', maxTurns: 10 },
      workflowId: `workspace/${id}`,
    })
    .run();
  const sessions: string[] = [];
  for (let s = 0; s * SESSION_ROWS < messages; s++) {
    const sessionId = `${id}-t${s + 1}-followup`;
    sessions.push(sessionId);
    db.insert(agentSessions)
      .values({
        id: sessionId,
        workspaceId: id,
        purpose: 'followup',
        runner: 'anthropic',
        status: 'completed',
        startedAt: Date.now() - (messages - s * SESSION_ROWS) * 1000,
      })
      .run();
    const n = Math.min(SESSION_ROWS, messages - s * SESSION_ROWS);
    appendMessages({
      db,
      sessionId,
      rows: Array.from({ length: n }, (_, i) => {
        const role = i === 0 ? 'user' : ['assistant', 'tool_call', 'tool_result'][i % 3]!;
        return {
          role,
          content:
            role === 'tool_call'
              ? { input: { command: `grep -rn thing src/${i}` } }
              : role === 'tool_result'
                ? { ok: true, output: `src/file${i}.ts:${i}: a matching line\n`.repeat(8) }
                : {
                    text: `Message ${i} of session ${s}: **some Markdown** and \`code\`, ${'words '.repeat(40)}`,
                  },
          toolCallId: role.startsWith('tool') ? `call_${s}_${i - (role === 'tool_result' ? 1 : 0)}` : null,
          toolName: role.startsWith('tool') ? 'run_command' : null,
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          inputTokens: role === 'assistant' ? 1000 : 0,
          outputTokens: role === 'assistant' ? 50 : 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: role === 'assistant' ? 0.00375 : 0,
        };
      }),
    });
  }
  return sessions;
}
