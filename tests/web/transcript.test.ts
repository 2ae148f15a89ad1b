import { describe, expect, it } from 'vitest';
import { appendTranscript, type TranscriptRow } from '../../web/lib/transcript.js';

let nextId = 1;
const row = (
  sessionId: string,
  seq: number,
  role: string,
  content: unknown = `${role} ${seq}`,
): TranscriptRow => ({ id: nextId++, sessionId, seq, role, content });

describe('appendTranscript', () => {
  it('appendTranscript appends in order and ignores rows it already has', () => {
    const a = [row('s1', 1, 'user'), row('s1', 2, 'assistant')];
    const once = appendTranscript([], a);
    expect(appendTranscript(once, a)).toEqual(a);
  });

  it('appendTranscript drops the partial attempt above a reset, back to the last user message', () => {
    const user = row('s1', 1, 'user');
    const partial = [row('s1', 2, 'assistant'), row('s1', 3, 'tool_call')];
    const other = row('s2', 1, 'assistant');
    const reset = row('s1', 4, 'reset', { attempt: 2 });
    const retry = row('s1', 5, 'assistant');
    const shown = appendTranscript(appendTranscript([], [user, ...partial, other]), [reset, retry]);
    expect(shown.map((m) => [m.sessionId, m.seq, m.role])).toEqual([
      ['s1', 1, 'user'],
      ['s2', 1, 'assistant'],
      ['s1', 4, 'reset'],
      ['s1', 5, 'assistant'],
    ]);
  });

  it('appendTranscript honours fromSeq on the reset marker', () => {
    const rows = [
      row('s1', 1, 'user'),
      row('s1', 2, 'assistant'),
      row('s1', 3, 'assistant'),
      row('s1', 4, 'reset', { fromSeq: 3 }),
    ];
    expect(appendTranscript([], rows).map((m) => m.seq)).toEqual([1, 2, 4]);
  });

  it('appendTranscript with a reset and no user message drops the whole session so far', () => {
    const rows = [row('s1', 1, 'assistant'), row('s1', 2, 'tool_call'), row('s1', 3, 'reset')];
    expect(appendTranscript([], rows).map((m) => m.role)).toEqual(['reset']);
  });
});
