/**
 * Folds incremental transcript rows into what the console shows. A `reset` row means a retried
 * agent attempt restarted: the partial attempt above it (in the same session) is dropped. The
 * attempt starts after the session's last `user` row, or at `content.fromSeq` when the marker says.
 */
export interface TranscriptRow {
  id: number;
  sessionId: string;
  seq: number;
  role: string;
  content: unknown;
}

function resetFromSeq<T extends TranscriptRow>(kept: T[], reset: T): number {
  const c = reset.content;
  if (c && typeof c === 'object' && 'fromSeq' in c && typeof c.fromSeq === 'number') return c.fromSeq;
  let from = 0;
  for (const m of kept)
    if (m.sessionId === reset.sessionId && m.role === 'user' && m.seq < reset.seq)
      from = Math.max(from, m.seq + 1);
  return from;
}

/** Appends `incoming` (ordered by id) to `shown`, applying reset markers; returns a new array. */
export function appendTranscript<T extends TranscriptRow>(shown: readonly T[], incoming: readonly T[]): T[] {
  let out = [...shown];
  const seen = new Set(out.map((m) => m.id));
  for (const m of incoming) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    if (m.role === 'reset') {
      const from = resetFromSeq(out, m);
      out = out.filter((x) => x.sessionId !== m.sessionId || x.seq < from);
    }
    out.push(m);
  }
  return out;
}
