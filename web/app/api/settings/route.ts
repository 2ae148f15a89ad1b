import type { ConsoleSettings, SettingKey } from '../../../../core/settings.js';
import { getConsoleSettings, updateSettings } from '../../../../db/queries/settings.js';
import { db } from '../../../lib/db.js';
import { readJson, withErrors } from '../../../lib/errors.js';
import { temporalClient } from '../../../lib/temporal.js';
import { recheckWaitingBudgets } from '../../../lib/workspaces.js';
import { updateSettingsBody } from './schema.js';

export const dynamic = 'force-dynamic';

/** `invalid` names stored values that fail their schema (edited by hand); they read as unset. */
const answer = ({ values, invalid }: { values: ConsoleSettings; invalid: SettingKey[] }) =>
  Response.json({ settings: values, invalid });

// GET /api/settings – Every console setting (null = not set).
export const GET = withErrors('GET /api/settings', async () => answer(getConsoleSettings({ db: db() })));

// PATCH /api/settings – Change some settings: keys left out stay, null clears. Answers with all of
// them; after a budget change, `woke` lists the workspaces waiting for budget that were asked to try again.
export const PATCH = withErrors('PATCH /api/settings', async (req: Request) => {
  const patch = updateSettingsBody.parse(await readJson(req));
  const saved = updateSettings({ db: db(), patch });
  if (patch['budget.dailyUsd'] === undefined) return answer(saved);
  // The setting is saved either way; waking the waiting workspaces is a courtesy that needs Temporal.
  let woke: string[] = [];
  let wakeError: string | undefined;
  try {
    woke = await recheckWaitingBudgets({ db: db(), client: temporalClient });
  } catch (err) {
    wakeError = `saved, but could not ask waiting workspaces to try again: ${err instanceof Error ? err.message : String(err)}`;
  }
  return Response.json({
    settings: saved.values,
    invalid: saved.invalid,
    woke,
    ...(wakeError ? { wakeError } : {}),
  });
});
