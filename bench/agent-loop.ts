/**
 * Agent loop figures (issue: real coding agents):
 * - loop overhead per turn, excluding model latency: the Anthropic runner against the fake Messages
 *   API with zero delay, on a session that already holds 200 messages, against raw HTTP round trips
 *   of the same requests to the same fake (what the model call alone costs here). The goal figure
 *   is the median of three sessions after a warm-up session (a worker runs many); the warm-up
 *   session, with the process's module loading and JIT, is reported on its own line;
 * - transcript write throughput: durable appends (one transaction per message, with session totals),
 *   against plain autocommit INSERTs of the same rows into the same SQLite file.
 */
import { performance } from 'node:perf_hooks';
import { createAnthropicRunner } from '../activities/agents/anthropic-runner.js';
import { createLiveSink } from '../activities/agents/live.js';
import { startFakeAnthropic, type FakeAnthropicTurn } from '../tests/support/fake-anthropic.js';
import { makeHarness } from '../tests/support/runners-harness.js';
import { figure, type Figure } from './figure.js';

const PREFILL = 200;
const TURNS = 50;
const APPENDS = 3000;
const RUNS = 3;
const COLD_TURNS = 10;

function prefill(h: ReturnType<typeof makeHarness>) {
  h.transcript.append({ role: 'user', content: { text: 'Read the README repeatedly.' } });
  for (let i = 0; h.transcript.lastSeq() < PREFILL; i++) {
    h.transcript.appendAll([
      { role: 'assistant', content: { text: `Step ${i}` } },
      {
        role: 'tool_call',
        toolCallId: `pre_${i}`,
        toolName: 'read_file',
        content: { input: { path: 'README.md' } },
      },
      {
        role: 'tool_result',
        toolCallId: `pre_${i}`,
        toolName: 'read_file',
        content: { ok: true, output: '1\t# fixture' },
      },
    ]);
  }
}

const script = (turns: number): FakeAnthropicTurn[] => [
  ...Array.from({ length: turns - 1 }, (_, i): FakeAnthropicTurn => ({
    type: 'reply',
    text: `Turn ${i}`,
    toolCalls: [{ id: `call_${i}`, name: 'read_file', input: { path: 'README.md' } }],
  })),
  { type: 'reply', text: 'Done.' },
];

/** One measured session: the runner's wall time, and the raw round trips of the same bodies. */
async function oneSession(turns: number, withLive = true): Promise<{ loopMs: number; rawMs: number }> {
  const h = makeHarness();
  prefill(h);
  const fake = await startFakeAnthropic(script(turns));
  const runner = createAnthropicRunner({
    apiKey: 'bench',
    baseURL: fake.url,
    makeToolbox: h.makeToolbox,
    env: process.env,
  });
  let t = performance.now();
  // The prefilled assistant turns count against maxTurns too.
  // With the live sink the activity gives every runner, so the figure includes the console's tail writes.
  const live = createLiveSink({
    db: h.db,
    workspaceId: `w_${h.sessionId.slice(2)}`,
    sessionId: h.sessionId,
    attempt: 1,
  });
  const result = await runner.run(
    h.request({ maxTurns: PREFILL + turns }),
    withLive ? { ...h.context(), live } : h.context(),
  );
  live.flush();
  const loopMs = performance.now() - t;
  if (fake.requests.length !== turns)
    throw new Error(`expected ${turns} model calls, saw ${fake.requests.length}`);
  if (result.status !== 'completed') throw new Error(`bench session ended ${result.status}`);
  const bodies = fake.requests.map((r) => JSON.stringify(r.body));
  await fake.close();

  // Baseline: the same request bodies, posted raw to a fresh fake, each SSE answer read to the end.
  const raw = await startFakeAnthropic(script(turns));
  t = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${raw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'bench' },
      body,
    });
    await res.text();
  }
  const rawMs = performance.now() - t;
  await raw.close();
  h.db.$client.close();
  return { loopMs, rawMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function loopOverhead(): Promise<Figure[]> {
  // A worker runs many sessions: the goal is about the steady state, not the first call's module
  // loading and JIT; the first session is reported on its own line.
  const cold = await oneSession(COLD_TURNS);
  const runs: { perTurn: number; rawPerTurn: number }[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { loopMs, rawMs } = await oneSession(TURNS);
    runs.push({ perTurn: (loopMs - rawMs) / TURNS, rawPerTurn: rawMs / TURNS });
    // Interleaved, so machine load falls on both alike: the same session without the live tail.
    const without = await oneSession(TURNS, false);
    bare.push((without.loopMs - without.rawMs) / TURNS);
  }
  const perTurn = median(runs.map((r) => r.perTurn));
  return [
    figure({
      name: `Agent loop overhead per turn, first session in a fresh process (${COLD_TURNS} turns)`,
      value: Number(((cold.loopMs - cold.rawMs) / COLD_TURNS).toFixed(2)),
      unit: 'ms',
      baselineName: 'raw HTTP round trip of the same request',
      baseline: Number((cold.rawMs / COLD_TURNS).toFixed(2)),
    }),
    figure({
      name: `Agent loop overhead per turn at a ${PREFILL}-message transcript (${TURNS} turns × median of ${RUNS} sessions after a warm-up, fake API, zero delay)`,
      value: Number(perTurn.toFixed(2)),
      unit: 'ms',
      baselineName: 'raw HTTP round trip of the same request',
      baseline: Number(median(runs.map((r) => r.rawPerTurn)).toFixed(2)),
      goal: '≤ 5 ms per turn',
      met: perTurn <= 5,
    }),
    figure({
      name: `Agent loop overhead per turn with the console's live tail (text and tool deltas to live_deltas), same sessions`,
      value: Number(perTurn.toFixed(2)),
      unit: 'ms',
      baselineName: 'the same sessions without the live tail, interleaved',
      baseline: Number(median(bare).toFixed(2)),
    }),
  ];
}

function transcriptThroughput(): Figure {
  const h = makeHarness();
  let t = performance.now();
  for (let i = 0; i < APPENDS; i++) {
    h.transcript.append({
      role: 'assistant',
      content: { text: `message ${i}` },
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: 0.0001,
    });
  }
  const oursPerSec = APPENDS / ((performance.now() - t) / 1000);
  const sqlite = h.db.$client;
  sqlite.exec('CREATE TABLE bench_raw (session_id TEXT, seq INTEGER, role TEXT, content TEXT)');
  const insert = sqlite.prepare('INSERT INTO bench_raw VALUES (?, ?, ?, ?)');
  t = performance.now();
  for (let i = 0; i < APPENDS; i++) insert.run('s', i, 'assistant', JSON.stringify({ text: `message ${i}` }));
  const rawPerSec = APPENDS / ((performance.now() - t) / 1000);
  return figure({
    name: `Transcript write throughput (${APPENDS} durable appends, WAL)`,
    value: Math.round(oursPerSec),
    unit: 'msg/s',
    baselineName: 'plain autocommit INSERT of the same rows',
    baseline: Math.round(rawPerSec),
  });
}

export async function benchAgentLoop(): Promise<Figure[]> {
  return [...(await loopOverhead()), transcriptThroughput()];
}
