/**
 * The live channel from a runner to the console: deltas (assistant text as it streams, a tool
 * call's name as soon as the model names it, a tool starting and ending, each Claude Code
 * stream-json event) are buffered in memory and written to the `live_deltas` ring in one small
 * transaction every `flushMs`, which the console's SSE route tails. Nothing here touches workflow
 * history or heartbeats, and a failed write is dropped (logged once): the live tail is a view,
 * the durable rows are the record, so it can never fail or slow the turn.
 *
 * A stream is one model call: `begin()` names it, `end(stream)` is queued after that call's
 * durable rows were appended, so a viewer that sees `end` also finds the rows.
 */
import type { Db } from '../../db/client.js';
import { insertLiveDeltas, pruneLiveDeltas, type LiveDeltaInput } from '../../db/queries/live-deltas.js';
import { keys } from '../../core/ids.js';

export type LiveDelta =
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; toolCallId: string; name: string }
  | { kind: 'tool_start'; toolCallId: string; name: string }
  | { kind: 'tool_end'; toolCallId: string; ok: boolean }
  | { kind: 'cli_event'; type: string; subtype?: string };

export interface LiveSink {
  /** Opens a stream (one model call or one CLI run); returns its name. */
  begin(): string;
  emit(stream: string, delta: LiveDelta): void;
  /** Marks the stream finished; call after its durable rows are stored. */
  end(stream: string): void;
  /** Ends every stream begun and not ended yet (a cancelled run's streams). */
  endOpen(): void;
  /** Writes whatever is buffered now (the activity calls it before returning). */
  flush(): void;
}

/** A sink that drops everything (runners outside an activity, unit tests). */
export const nullLiveSink: LiveSink = {
  begin: () => 'none',
  emit: () => undefined,
  end: () => undefined,
  endOpen: () => undefined,
  flush: () => undefined,
};

export interface LiveSinkOptions {
  db: Db;
  workspaceId: string;
  sessionId: string;
  attempt: number;
  /** Batch window. @default 15 */
  flushMs?: number;
  /** Where a failed write is reported (once). */
  onError?: (err: unknown) => void;
}

let lastPrune = 0;

export function createLiveSink(opts: LiveSinkOptions): LiveSink {
  const flushMs = opts.flushMs ?? 15;
  let buffer: LiveDeltaInput[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let streams = 0;
  let failed = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    try {
      insertLiveDeltas({ db: opts.db, rows });
      const now = Date.now();
      if (now - lastPrune > 30_000) {
        lastPrune = now;
        pruneLiveDeltas({ db: opts.db, now });
      }
    } catch (err) {
      if (!failed) opts.onError?.(err);
      failed = true;
    }
  };
  const push = (stream: string, kind: string, data: unknown) => {
    buffer.push({
      workspaceId: opts.workspaceId,
      sessionId: opts.sessionId,
      stream,
      attempt: opts.attempt,
      kind,
      data,
      at: Date.now(),
    });
    if (!timer) {
      timer = setTimeout(flush, flushMs);
      timer.unref?.();
    }
  };
  const stamp = Date.now().toString(36);
  const open = new Set<string>();
  const end = (stream: string) => {
    open.delete(stream);
    push(stream, 'end', null);
  };
  return {
    begin: () => {
      const stream = keys.liveStream(opts.sessionId, opts.attempt, stamp, ++streams);
      open.add(stream);
      return stream;
    },
    emit: (stream, delta) => {
      const { kind, ...data } = delta;
      push(stream, kind, data);
    },
    end,
    endOpen: () => {
      for (const stream of [...open]) end(stream);
    },
    flush,
  };
}
