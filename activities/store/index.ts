/**
 * SQLite as an outside system: the store activities, the only way workflow progress reaches the
 * read model. One module with one timeline writer (`events.ts`) and one notification writer
 * (`notifier.ts`); files per table group (`workspace.ts`, `ratchet.ts`); the SQL itself lives in
 * `db/queries/`. Workflows import only the activity types.
 */
import type { Db } from '../../db/client.js';
import { createNotifier } from './notifier.js';
import { createRatchetStoreActivities } from './ratchet.js';
import { createWorkspaceStoreActivities } from './workspace.js';

export { eventRow, fanOutDedupeKey, writeEvent, type EventInput, type EventLevel } from './events.js';
export { createNotifier, type NotificationInput, type Notifier } from './notifier.js';
export { createRatchetStoreActivities, writePollSnapshots, type RatchetDecisionInput } from './ratchet.js';
export type { RatchetStoreActivities } from './ratchet.js';
export { createWorkspaceStoreActivities, type WorkspaceStoreActivities } from './workspace.js';

export function createStoreActivities({
  db,
  startDelivery,
}: {
  db: Db;
  /**
   * Starts a raised notification's webhook delivery; the worker passes the Temporal module's
   * `startNotifyDelivery` (the store itself never talks to Temporal).
   */
  startDelivery: (notificationId: number) => Promise<void>;
}) {
  const notifier = createNotifier({ db, startDelivery });
  return {
    ...createWorkspaceStoreActivities({ db, notifier }),
    ...createRatchetStoreActivities({ db, notifier }),
  };
}

export type StoreActivities = ReturnType<typeof createStoreActivities>;
