/**
 * The board's live channel: one poller per console process computes a fingerprint of what the
 * board shows (workspace rows, PR rows, spend) every `BOARD_TICK_MS` while a board is open, and
 * tells every open board when it changes; the page then re-renders (instead of every 2 s).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { agentSessions, pullRequests, workspaces } from '../../db/schema.js';

/** @default 200 */
export const BOARD_TICK_MS = 200;

export function boardFingerprint(db: Db): string {
  const ws = db
    .select({ n: sql<number>`count(*)`, at: sql<number | null>`max(${workspaces.updatedAt})` })
    .from(workspaces)
    .get();
  const pr = db
    .select({ n: sql<number>`count(*)`, at: sql<number | null>`max(${pullRequests.updatedAt})` })
    .from(pullRequests)
    .get();
  const spend = db
    .select({ usd: sql<number>`coalesce(sum(${agentSessions.costUsd}), 0)`, n: sql<number>`count(*)` })
    .from(agentSessions)
    .get();
  return JSON.stringify([ws, pr, spend]);
}

type Send = (frame: string) => void;

const state = globalThis as unknown as {
  __ratchetBoardLive?: { subscribers: Set<Send>; timer: ReturnType<typeof setInterval> | null; last: string };
};

export function subscribeBoard(db: Db, send: Send): () => void {
  state.__ratchetBoardLive ??= { subscribers: new Set(), timer: null, last: '' };
  const hub = state.__ratchetBoardLive;
  const current = boardFingerprint(db);
  if (!hub.timer) hub.last = current;
  send(`event: board\ndata: ${JSON.stringify({ fingerprint: current })}\n\n`);
  hub.subscribers.add(send);
  hub.timer ??= setInterval(() => {
    let next: string;
    try {
      next = boardFingerprint(db);
    } catch {
      return;
    }
    if (next === hub.last) return;
    hub.last = next;
    for (const s of hub.subscribers) {
      try {
        s(`event: board\ndata: ${JSON.stringify({ fingerprint: next })}\n\n`);
      } catch {
        hub.subscribers.delete(s);
      }
    }
  }, BOARD_TICK_MS);
  return () => {
    hub.subscribers.delete(send);
    if (hub.subscribers.size === 0 && hub.timer) {
      clearInterval(hub.timer);
      hub.timer = null;
    }
  };
}
