/**
 * The console side of the live channel: one hub per followed workspace in this Next.js process
 * tails SQLite (the `live_deltas` ring, `agent_messages`, `workspace_events`, and a small state
 * snapshot for the header, Ratchet card and Spend) every `TICK_MS` while anyone follows it, and
 * fans each batch out to every SSE subscriber. So 50 browsers following one workspace cost one set
 * of queries per tick, not 50.
 *
 * Ordering. Per tick the deltas are read BEFORE the rows: a stream's `end` delta is written after
 * that stream's durable rows commit, so a batch that carries `end` also carries (or follows) the
 * rows, and the browser never drops a tail before the stored message is there.
 *
 * Cursors. Every batch carries `id: <message id>.<delta id>.<event id>`, the hub's position after
 * it. A reconnecting EventSource sends that back as Last-Event-ID and gets exactly what it missed.
 * A new subscriber catches up synchronously (better-sqlite3 is synchronous, so no tick interleaves)
 * to the hub's position and then receives the hub's batches.
 */
import type { Db } from '../../db/client.js';
import {
  listLiveDeltasAfter,
  listOpenStreamDeltas,
  maxLiveDeltaId,
  type LiveDeltaRow,
} from '../../db/queries/live-deltas.js';
import type { WorkspaceEvent } from '../../db/schema.js';
import { getWorkspaceCosts, type WorkspaceCosts } from '../../db/queries/costs.js';
import {
  getLiveStateRows,
  listEventsAfter,
  listMessagesAfter,
  maxRowIds,
  type LiveStateRows,
  type TranscriptMessage,
} from '../../db/queries/workspace-page.js';

/** @default 50 */
export const TICK_MS = 50;
/** The state snapshot (header, ratchet, costs) is recomputed every this many ticks. @default 4 */
const STATE_EVERY = 4;
/** A comment line keeps idle connections (and proxies) open. @default 15000 */
const KEEPALIVE_MS = 15_000;

export interface Cursor {
  messages: number;
  deltas: number;
  events: number;
}

export interface LiveState extends LiveStateRows {
  costs: WorkspaceCosts;
}

export interface LiveBatch {
  messages: TranscriptMessage[];
  deltas: LiveDeltaRow[];
  events: WorkspaceEvent[];
  state?: LiveState;
}

export const formatCursor = (c: Cursor) => `${c.messages}.${c.deltas}.${c.events}`;

export function parseCursor(raw: string | null): Cursor | null {
  const m = raw ? /^(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(raw.trim()) : null;
  return m ? { messages: Number(m[1]), deltas: Number(m[2]), events: Number(m[3]) } : null;
}

/** One SSE message. */
export function sseFrame(cursor: Cursor, batch: LiveBatch): string {
  return `id: ${formatCursor(cursor)}\nevent: batch\ndata: ${JSON.stringify(batch)}\n\n`;
}

type Send = (frame: string) => void;

function readState(db: Db, workspaceId: string): LiveState | null {
  const rows = getLiveStateRows({ db, workspaceId });
  return rows && { ...rows, costs: getWorkspaceCosts({ db, workspaceId }) };
}

/** All messages with `after < id <= upTo`, page by page. */
function messagesBetween(db: Db, workspaceId: string, after: number, upTo: number): TranscriptMessage[] {
  const out: TranscriptMessage[] = [];
  let cursor = after;
  for (;;) {
    const page = listMessagesAfter(db, workspaceId, cursor, 1000, upTo);
    out.push(...page);
    if (page.length < 1000) return out;
    cursor = page.at(-1)!.id;
  }
}

function eventsBetween(db: Db, workspaceId: string, after: number, upTo: number): WorkspaceEvent[] {
  const out: WorkspaceEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = listEventsAfter(db, workspaceId, cursor, 1000, upTo);
    out.push(...page);
    if (page.length < 1000) return out;
    cursor = page.at(-1)!.id;
  }
}

class WorkspaceHub {
  private readonly subscribers = new Set<Send>();
  private cursor: Cursor;
  private timer: ReturnType<typeof setInterval> | null = null;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  private stateJson = '';
  private state: LiveState | null = null;

  constructor(
    private readonly db: Db,
    private readonly workspaceId: string,
    private readonly onIdle: () => void,
  ) {
    const ids = maxRowIds(db);
    this.cursor = { messages: ids.messages, deltas: maxLiveDeltaId({ db }), events: ids.events };
    this.refreshState();
  }

  /**
   * Sends the catch-up batch from `from` (null: a fresh viewer; `fresh` says where its page left
   * off) and registers `send` for the live batches. Returns the unsubscribe function.
   */
  subscribe(send: Send, from: Cursor | null, fresh: { messages: number; events: number }): () => void {
    const upTo = this.cursor;
    const deltas =
      from === null
        ? listOpenStreamDeltas({ db: this.db, workspaceId: this.workspaceId, upTo: upTo.deltas })
        : listLiveDeltasAfter({
            db: this.db,
            workspaceId: this.workspaceId,
            after: from.deltas,
            upTo: upTo.deltas,
          });
    const start = from ?? { messages: fresh.messages, deltas: 0, events: fresh.events };
    const batch: LiveBatch = {
      messages: messagesBetween(this.db, this.workspaceId, start.messages, upTo.messages),
      deltas,
      events: eventsBetween(this.db, this.workspaceId, start.events, upTo.events),
      ...(this.state ? { state: this.state } : {}),
    };
    send(sseFrame(upTo, batch));
    this.subscribers.add(send);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.keepalive = setInterval(() => this.broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    }
    return () => {
      this.subscribers.delete(send);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.keepalive) clearInterval(this.keepalive);
    this.timer = this.keepalive = null;
    this.onIdle();
  }

  private refreshState(): boolean {
    const state = readState(this.db, this.workspaceId);
    const json = JSON.stringify(state);
    if (json === this.stateJson) return false;
    this.stateJson = json;
    this.state = state;
    return true;
  }

  private broadcast(frame: string): void {
    for (const send of this.subscribers) {
      try {
        send(frame);
      } catch {
        this.subscribers.delete(send);
      }
    }
  }

  private tick(): void {
    try {
      // Deltas first (see the ordering note above), then the rows they lead to.
      const deltaTop = maxLiveDeltaId({ db: this.db });
      const deltas =
        deltaTop > this.cursor.deltas
          ? listLiveDeltasAfter({
              db: this.db,
              workspaceId: this.workspaceId,
              after: this.cursor.deltas,
              upTo: deltaTop,
            })
          : [];
      // A full page of deltas moves the cursor only as far as it read.
      const deltasTo = deltas.length >= 5000 ? deltas.at(-1)!.id : deltaTop;
      const messages = listMessagesAfter(this.db, this.workspaceId, this.cursor.messages, 1000);
      const events = listEventsAfter(this.db, this.workspaceId, this.cursor.events, 1000);
      const ids = maxRowIds(this.db);
      const next: Cursor = {
        // Rows of other workspaces move the cursor too, so the id never lags behind the table.
        messages:
          messages.length >= 1000 ? messages.at(-1)!.id : Math.max(ids.messages, this.cursor.messages),
        deltas: deltasTo,
        events: events.length >= 1000 ? events.at(-1)!.id : Math.max(ids.events, this.cursor.events),
      };
      this.ticks += 1;
      const stateChanged =
        (messages.length > 0 || events.length > 0 || this.ticks % STATE_EVERY === 0) && this.refreshState();
      this.cursor = next;
      // Nothing for this workspace: the cursor still moved, and the next frame carries it.
      if (messages.length === 0 && deltas.length === 0 && events.length === 0 && !stateChanged) return;
      this.broadcast(
        sseFrame(next, {
          messages,
          deltas,
          events,
          ...(stateChanged && this.state ? { state: this.state } : {}),
        }),
      );
    } catch (err) {
      this.broadcast(
        `event: problem\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`,
      );
    }
  }
}

const registry = globalThis as unknown as { __ratchetLiveHubs?: Map<string, WorkspaceHub> };

/** The hub of a workspace, created on first use and dropped when its last subscriber leaves. */
export function workspaceHub(db: Db, workspaceId: string): WorkspaceHub {
  registry.__ratchetLiveHubs ??= new Map();
  const hubs = registry.__ratchetLiveHubs;
  let hub = hubs.get(workspaceId);
  if (!hub) {
    hub = new WorkspaceHub(db, workspaceId, () => hubs.delete(workspaceId));
    hubs.set(workspaceId, hub);
  }
  return hub;
}
