/**
 * The live-delta ring against a real SQLite file: the activity's batched sink, the open-stream
 * replay a fresh viewer gets, cursor reads, and pruning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveSink } from '../../activities/agents/live.js';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import {
  LIVE_DELTA_TTL_MS,
  insertLiveDeltas,
  listLiveDeltasAfter,
  listOpenStreamDeltas,
  maxLiveDeltaId,
  pruneLiveDeltas,
} from '../../db/queries/live-deltas.js';
import { formatCursor, parseCursor } from '../../web/lib/live-hub.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-live-deltas-'));
  migrateDatabase(path.join(dir, 'ratchet.db'));
  db = openDb(path.join(dir, 'ratchet.db'));
});

afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const row = (
  stream: string,
  kind: string,
  data: unknown = null,
  at = Date.now(),
  workspaceId = 'w1',
  sessionId = 's1',
) => ({
  workspaceId,
  sessionId,
  stream,
  attempt: Number(stream.split('/')[1]),
  kind,
  data,
  at,
});

describe('live deltas', () => {
  it('createLiveSink batches deltas into one write per window, in order, with end after them', async () => {
    const sink = createLiveSink({ db, workspaceId: 'w1', sessionId: 's1', attempt: 1, flushMs: 20 });
    const stream = sink.begin();
    expect(stream).toMatch(/^s1\/1\//);
    sink.emit(stream, { kind: 'text', text: 'Hel' });
    sink.emit(stream, { kind: 'text', text: 'lo' });
    expect(maxLiveDeltaId({ db })).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    sink.end(stream);
    sink.flush();
    const rows = listLiveDeltasAfter({ db, workspaceId: 'w1', after: 0, upTo: maxLiveDeltaId({ db }) });
    expect(rows.map((r) => [r.kind, r.data])).toEqual([
      ['text', { text: 'Hel' }],
      ['text', { text: 'lo' }],
      ['end', null],
    ]);
  });

  it('createLiveSink never throws into the turn when the write fails; it reports once', () => {
    const errors: unknown[] = [];
    const sink = createLiveSink({
      db,
      workspaceId: 'w1',
      sessionId: 's1',
      attempt: 1,
      onError: (e) => errors.push(e),
    });
    db.$client.exec('drop table live_deltas');
    const s = sink.begin();
    sink.emit(s, { kind: 'text', text: 'x' });
    expect(() => sink.flush()).not.toThrow();
    sink.emit(s, { kind: 'text', text: 'y' });
    expect(() => sink.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it('listOpenStreamDeltas replays only each session’s latest stream that has not ended', () => {
    insertLiveDeltas({
      db,
      rows: [
        row('s1/1/a.1', 'text', { text: 'done ' }),
        row('s1/1/a.1', 'end'),
        row('s1/1/a.2', 'text', { text: 'dead attempt' }),
        row('s1/2/b.1', 'text', { text: 'retry ' }),
        row('s1/2/b.1', 'text', { text: 'streaming' }),
        row('s2/1/c.1', 'text', { text: 'other session' }, Date.now(), 'w1', 's2'),
        row('s2/1/c.1', 'end', null, Date.now(), 'w1', 's2'),
        row('s9/1/z.1', 'text', { text: 'other workspace' }, Date.now(), 'w2', 's9'),
      ],
    });
    const open = listOpenStreamDeltas({ db, workspaceId: 'w1', upTo: maxLiveDeltaId({ db }) });
    expect(open.map((r) => (r.data as { text: string }).text)).toEqual(['retry ', 'streaming']);
  });

  it('listLiveDeltasAfter reads one workspace between two cursors', () => {
    insertLiveDeltas({
      db,
      rows: [
        row('s1/1/a', 'text', { text: '1' }),
        row('s9/1/z', 'text', { text: 'x' }, Date.now(), 'w2'),
        row('s1/1/a', 'text', { text: '2' }),
        row('s1/1/a', 'text', { text: '3' }),
      ],
    });
    const all = listLiveDeltasAfter({ db, workspaceId: 'w1', after: 0, upTo: 100 });
    expect(all.map((r) => (r.data as { text: string }).text)).toEqual(['1', '2', '3']);
    const middle = listLiveDeltasAfter({ db, workspaceId: 'w1', after: all[0]!.id, upTo: all[1]!.id });
    expect(middle.map((r) => (r.data as { text: string }).text)).toEqual(['2']);
  });

  it('pruneLiveDeltas drops rows past the TTL and keeps fresh ones', () => {
    const now = Date.now();
    insertLiveDeltas({
      db,
      rows: [
        row('s1/1/a', 'text', { text: 'old' }, now - LIVE_DELTA_TTL_MS - 1),
        row('s1/1/a', 'text', { text: 'new' }, now),
      ],
    });
    pruneLiveDeltas({ db, now });
    expect(
      listLiveDeltasAfter({ db, workspaceId: 'w1', after: 0, upTo: 100 }).map(
        (r) => (r.data as { text: string }).text,
      ),
    ).toEqual(['new']);
  });

  it('parseCursor accepts only the id the SSE route sends, and round-trips it', () => {
    const c = { messages: 12, deltas: 0, events: 7 };
    expect(parseCursor(formatCursor(c))).toEqual(c);
    for (const bad of [null, '', '1.2', '1.2.3.4', 'a.b.c', '-1.2.3', '1.2.3; drop'])
      expect(parseCursor(bad)).toBeNull();
  });
});
