/** The durable transcript over a real SQLite file, and the pricing table. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { costUsd, priceFor, priceTableSchema } from '../../activities/agents/pricing.js';
import { createTranscript, ensureSession, readStoppedTurn } from '../../activities/agents/transcript.js';
import { openDb } from '../../db/client.js';
import { getSession, setSessionStatus, stopSession } from '../../db/queries/agent-sessions.js';
import { agentSessions } from '../../db/schema.js';
import { eq } from 'drizzle-orm';
import { rebuildConversation, pendingToolCalls } from '../../activities/agents/tool-loop.js';
import { makeHarness } from '../support/runners-harness.js';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

describe('transcript', () => {
  it('append assigns dense seqs from 1 and adds tokens and dollars to the session totals', () => {
    const h = makeHarness();
    const t = h.transcript;
    expect(t.lastSeq()).toBe(0);
    expect(t.append({ role: 'user', content: { text: 'hi' } })).toBe(1);
    expect(
      t.appendAll([
        {
          role: 'assistant',
          content: { text: 'ok' },
          provider: 'anthropic',
          model: 'm',
          usage: usage(10, 5, 100, 7),
          costUsd: 0.25,
        },
        { role: 'tool_call', toolCallId: 'c1', toolName: 'read_file', content: { input: { path: 'a' } } },
      ]),
    ).toEqual([2, 3]);
    expect(
      t.append({
        role: 'tool_result',
        toolCallId: 'c1',
        toolName: 'read_file',
        content: { ok: true, output: 'x' },
      }),
    ).toBe(4);
    expect(t.append({ role: 'assistant', content: { text: 'done' }, usage: usage(1, 1), costUsd: 0.5 })).toBe(
      5,
    );
    expect(t.lastSeq()).toBe(5);
    expect(t.totals()).toEqual({ usage: usage(11, 6, 100, 7), costUsd: 0.75 });
    expect(t.hasToolResult('c1')).toBe(true);
    expect(t.hasToolResult('c2')).toBe(false);
    const rows = t.load();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1]).toMatchObject({
      role: 'assistant',
      provider: 'anthropic',
      model: 'm',
      usage: usage(10, 5, 100, 7),
      costUsd: 0.25,
    });
    expect(rows[2]).toMatchObject({
      toolCallId: 'c1',
      toolName: 'read_file',
      content: { input: { path: 'a' } },
    });
  });

  it('appendAll is atomic: a failing row leaves neither rows nor totals behind', () => {
    const h = makeHarness();
    h.transcript.append({ role: 'user', content: { text: 'hi' } });
    expect(() =>
      h.transcript.appendAll([
        { role: 'assistant', content: { text: 'costly' }, usage: usage(100, 100), costUsd: 2 },
        { role: 'tool_call', toolCallId: 'c', toolName: 'x', content: { input: 10n } },
      ]),
    ).toThrow(/BigInt/);
    expect(h.transcript.lastSeq()).toBe(1);
    expect(h.transcript.totals()).toEqual({ usage: usage(0, 0), costUsd: 0 });
  });

  it('a writer blocked by another process holding the lock fails cleanly and burns no seq', () => {
    const h = makeHarness();
    h.transcript.append({ role: 'user', content: { text: 'hi' } });
    // A second handle on the same file holds the write lock, as a concurrent process would.
    const other = new Database(h.db.$client.name);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const blocked = openDb(h.db.$client.name);
    blocked.$client.pragma('busy_timeout = 50');
    const t2 = createTranscript(blocked, h.sessionId);
    expect(() =>
      t2.appendAll([{ role: 'assistant', content: { text: 'x' }, usage: usage(1, 1), costUsd: 1 }]),
    ).toThrow(/locked|busy/i);
    other.exec('ROLLBACK');
    other.close();
    expect(h.transcript.lastSeq()).toBe(1);
    expect(h.transcript.totals().costUsd).toBe(0);
    expect(t2.append({ role: 'assistant', content: { text: 'y' } })).toBe(2);
  });

  it('ensureSession is idempotent and keeps the first row', () => {
    const h = makeHarness();
    const before = getSession({ db: h.db, id: h.sessionId });
    expect(
      ensureSession(h.db, {
        id: h.sessionId,
        workspaceId: before?.workspaceId ?? '',
        purpose: 'followup',
        runner: 'openai',
      }),
    ).toBe(false);
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({
      purpose: 'implement',
      runner: 'anthropic',
      status: 'running',
    });
  });

  it('setStatus stamps endedAt for terminal statuses and clears it when a session resumes', () => {
    const h = makeHarness();
    h.transcript.setStatus('awaiting_budget');
    expect(getSession({ db: h.db, id: h.sessionId })?.endedAt).toEqual(expect.any(Number));
    h.transcript.setStatus('running');
    expect(getSession({ db: h.db, id: h.sessionId })?.endedAt).toBeNull();
    h.transcript.setStatus('failed', 'boom');
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('rebuildConversation groups tool calls under their assistant message and finds unanswered calls', () => {
    const h = makeHarness();
    const t = h.transcript;
    t.append({ role: 'user', content: { text: 'go' } });
    t.appendAll([
      { role: 'assistant', content: { text: 'two calls' } },
      {
        role: 'tool_call',
        toolCallId: 'a',
        toolName: 'list_files',
        content: { input: {}, rawArguments: '{}' },
      },
      {
        role: 'tool_call',
        toolCallId: 'b',
        toolName: 'write_file',
        content: { input: null, rawArguments: '{oops', parseError: 'invalid JSON' },
      },
    ]);
    t.append({
      role: 'tool_result',
      toolCallId: 'a',
      toolName: 'list_files',
      content: { ok: true, output: 'README.md' },
    });
    t.append({ role: 'reset', content: { attempt: 2 } });
    const conv = rebuildConversation(t.load());
    expect(conv.map((i) => i.kind)).toEqual(['user', 'assistant', 'tool_result']);
    expect(pendingToolCalls(conv)).toEqual([
      { id: 'b', name: 'write_file', input: null, rawArguments: '{oops', parseError: 'invalid JSON' },
    ]);
  });
});

describe('pricing', () => {
  it('costUsd multiplies each token class by its per-million price', () => {
    expect(costUsd(usage(1_000_000, 0), 'claude-sonnet-4-5')).toBe(3);
    expect(costUsd(usage(1000, 200, 5000, 500), 'claude-sonnet-4-5')).toBeCloseTo(
      (1000 * 3 + 200 * 15 + 5000 * 0.3 + 500 * 3.75) / 1e6,
      12,
    );
    expect(costUsd(usage(2000, 100, 1000), 'gpt-4o-mini')).toBeCloseTo(
      (2000 * 0.15 + 100 * 0.6 + 1000 * 0.075) / 1e6,
      12,
    );
  });

  it('priceFor matches dated ids by the longest prefix, and OpenRouter ids by their bare name', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')?.inputPerMTok).toBe(3);
    expect(priceFor('gpt-4.1-mini-2025-04-14')?.inputPerMTok).toBe(0.4);
    expect(priceFor('gpt-4.1-2025-04-14')?.inputPerMTok).toBe(2);
    expect(priceFor('anthropic/claude-haiku-4-5')?.outputPerMTok).toBe(5);
    expect(priceFor('claude-opus-4-1-20250805')?.outputPerMTok).toBe(75);
  });

  it('unknown (local) models cost nothing; overrides win over defaults', () => {
    expect(priceFor('qwen2.5-coder:7b')).toBeNull();
    expect(costUsd(usage(1_000_000, 1_000_000), 'qwen2.5-coder:7b')).toBe(0);
    const overrides = priceTableSchema.parse({
      'qwen2.5-coder': { inputPerMTok: 0.1, outputPerMTok: 0.2, cacheReadPerMTok: 0, cacheWritePerMTok: 0 },
    });
    expect(costUsd(usage(1_000_000, 1_000_000), 'qwen2.5-coder:7b', overrides)).toBeCloseTo(0.3, 12);
    const sonnet = priceTableSchema.parse({
      'claude-sonnet-4-5': { inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 1 },
    });
    expect(costUsd(usage(1_000_000, 0), 'claude-sonnet-4-5-20250929', sonnet)).toBe(1);
  });

  it('priceTableSchema names the bad field', () => {
    const res = priceTableSchema.safeParse({
      'gpt-4o': { inputPerMTok: -1, outputPerMTok: 1, cacheReadPerMTok: 0, cacheWritePerMTok: 0 },
    });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path).toEqual(['gpt-4o', 'inputPerMTok']);
  });
});

describe('readStoppedTurn', () => {
  it('readStoppedTurn reads the previous session of the workspace only when the user stopped it', () => {
    const h = makeHarness();
    const workspaceId = getSession({ db: h.db, id: h.transcript.sessionId })!.workspaceId;
    const start = (id: string, startedAt: number) =>
      ensureSession(h.db, { id, workspaceId, purpose: 'followup', runner: 'anthropic' }) &&
      h.db.update(agentSessions).set({ startedAt }).where(eq(agentSessions.id, id)).run();
    start(`${workspaceId}-x2-followup`, 1000);
    const stopped = createTranscript(h.db, `${workspaceId}-x2-followup`);
    stopped.append({ role: 'user', content: { text: 'go' } });
    stopped.append({ role: 'assistant', content: { text: 'Halfway there.' } });
    stopSession({ db: h.db, id: `${workspaceId}-x2-followup` });
    start(`${workspaceId}-x3-followup`, 2000);
    expect(readStoppedTurn(h.db, { workspaceId, sessionId: `${workspaceId}-x3-followup` })).toEqual({
      steps: [{ said: 'Halfway there.' }],
      omitted: 0,
    });
    // The turn after that one follows a completed session: nothing carried.
    setSessionStatus({ db: h.db, id: `${workspaceId}-x3-followup`, status: 'completed' });
    start(`${workspaceId}-x4-followup`, 3000);
    expect(readStoppedTurn(h.db, { workspaceId, sessionId: `${workspaceId}-x4-followup` })).toBeNull();
  });
});
