import { describe, expect, it } from 'vitest';
import { clip, summarizeStoppedTurn, type StoppedTurnRow } from './stopped-turn.js';

let seq = 0;
const row = (role: string, content: unknown, tool?: { id: string; name?: string }): StoppedTurnRow => ({
  seq: ++seq,
  role,
  content,
  toolCallId: tool?.id ?? null,
  toolName: tool?.name ?? null,
});

describe('summarizeStoppedTurn', () => {
  it.each<[string, () => StoppedTurnRow[], ReturnType<typeof summarizeStoppedTurn>]>([
    [
      'keeps assistant text and joins each tool call to its result, leaving the prompt and notes out',
      () => [
        row('user', { text: 'Write notes.txt' }),
        row('system', { kind: 'mcp_not_started', text: 'x' }),
        row('assistant', { text: 'Writing the notes.' }),
        row('tool_call', { input: { command: 'echo draft > notes.txt' } }, { id: 'c1', name: 'run_command' }),
        row('tool_result', { ok: true, output: 'exit code 0' }, { id: 'c1' }),
      ],
      {
        steps: [
          { said: 'Writing the notes.' },
          {
            tool: 'run_command',
            input: '{"command":"echo draft > notes.txt"}',
            result: { ok: true, output: 'exit code 0' },
          },
        ],
        omitted: 0,
      },
    ],
    [
      'a tool stopped while it ran has a null result',
      () => [row('tool_call', { input: { command: 'sleep 600' } }, { id: 'c2', name: 'run_command' })],
      { steps: [{ tool: 'run_command', input: '{"command":"sleep 600"}', result: null }], omitted: 0 },
    ],
    [
      'drops the partial rows of an attempt a reset marker restarted',
      () => [
        row('user', { text: 'go' }),
        row('assistant', { text: 'Dead attempt words.' }),
        row('reset', { attempt: 2 }),
        row('assistant', { text: 'Retried words.' }),
      ],
      { steps: [{ said: 'Retried words.' }], omitted: 0 },
    ],
    [
      'an ACP tool without a tool name is named by its title',
      () => [row('tool_call', { input: null, title: 'write notes' }, { id: 'c3' })],
      { steps: [{ tool: 'write notes', input: 'null', result: null }], omitted: 0 },
    ],
    [
      'a turn stopped before it said anything has no steps',
      () => [row('user', { text: 'go' })],
      { steps: [], omitted: 0 },
    ],
  ])('summarizeStoppedTurn %s', (_name, rows, expected) => {
    expect(summarizeStoppedTurn(rows())).toEqual(expected);
  });

  it('summarizeStoppedTurn keeps the newest steps within the budget and counts the rest', () => {
    const rows = Array.from({ length: 10 }, (_, i) =>
      row('assistant', { text: `step ${i} ${'x'.repeat(90)}` }),
    );
    const out = summarizeStoppedTurn(rows, { maxChars: 300 });
    expect(out.omitted).toBe(7);
    expect(out.steps.map((s) => ('said' in s ? s.said.slice(0, 6) : ''))).toEqual([
      'step 7',
      'step 8',
      'step 9',
    ]);
  });

  it('summarizeStoppedTurn cuts long text and tool output', () => {
    const out = summarizeStoppedTurn(
      [
        row('assistant', { text: 'a'.repeat(50) }),
        row('tool_call', { input: { s: 'b'.repeat(50) } }, { id: 'c4', name: 't' }),
        row('tool_result', { ok: false, output: 'c'.repeat(50) }, { id: 'c4' }),
      ],
      { maxTextChars: 10, maxInputChars: 10, maxOutputChars: 10 },
    );
    expect(out.steps).toEqual([
      { said: `${'a'.repeat(10)}[… 40 more characters cut]` },
      {
        tool: 't',
        input: clip(JSON.stringify({ s: 'b'.repeat(50) }), 10),
        result: { ok: false, output: `${'c'.repeat(10)}[… 40 more characters cut]` },
      },
    ]);
  });
});
