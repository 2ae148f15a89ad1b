/** Reads of `heartbeats`: the liveness rows long-running processes (the worker) write every few seconds. */
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { heartbeats } from '../schema.js';

export function getHeartbeat({
  db,
  process,
}: {
  db: Db;
  process: string;
}): { at: number; pid: number } | null {
  return (
    db
      .select({ at: heartbeats.at, pid: heartbeats.pid })
      .from(heartbeats)
      .where(eq(heartbeats.process, process))
      .get() ?? null
  );
}
