/**
 * The one timeline writer of the store. Every event a workflow records (`recordEvent`,
 * `ratchetRecordEvent`, a status change, a decision, an opened PR, a created workspace) has this
 * one shape and this one dedupe rule: a row per dedupe key, so a retried or replayed write lands
 * once. The key is the workflow's (run id + counter, or a business key); an event fanned out to
 * several workspaces gets one key each, `<key>/<workspace id>` (`fanOutDedupeKey`).
 */
import type { Db } from '../../db/client.js';
import type { NewWorkspaceEvent } from '../../db/schema.js';
import { appendEvent } from '../../db/queries/workspaces.js';
import { keys } from '../../core/ids.js';

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface EventInput {
  workspaceId: string;
  kind: string;
  message: string;
  /** @default 'info' */
  level?: EventLevel;
  data?: unknown;
  /** Deterministic key from the workflow (run id + counter), so a retried write lands once. */
  dedupeKey: string;
}

/** The timeline row for an event (also handed to the transactional writers in `db/queries/`). */
export function eventRow(input: EventInput): NewWorkspaceEvent {
  return {
    workspaceId: input.workspaceId,
    kind: input.kind,
    level: input.level ?? 'info',
    message: input.message,
    data: input.data ?? null,
    dedupeKey: input.dedupeKey,
  };
}

/** The dedupe key of one workspace's copy of an event recorded for several. */
export function fanOutDedupeKey(dedupeKey: string, workspaceId: string): string {
  return keys.perWorkspaceEvent(dedupeKey, workspaceId);
}

/** Appends one event; false when its dedupe key was already written (a retry or a replay). */
export function writeEvent(db: Db, input: EventInput): boolean {
  return appendEvent({ db, event: eventRow(input) });
}
