import type { ConsoleSettings, SettingKey } from '../../../../core/settings.js';
import { getConsoleSettings, updateSettings } from '../../../../db/queries/settings.js';
import { db } from '../../../lib/db.js';
import { readJson, withErrors } from '../../../lib/errors.js';
import { updateSettingsBody } from './schema.js';

export const dynamic = 'force-dynamic';

/** `invalid` names stored values that fail their schema (edited by hand); they read as unset. */
const answer = ({ values, invalid }: { values: ConsoleSettings; invalid: SettingKey[] }) =>
  Response.json({ settings: values, invalid });

// GET /api/settings – Every console setting (null = not set).
export const GET = withErrors('GET /api/settings', async () => answer(getConsoleSettings({ db: db() })));

// PATCH /api/settings – Change some settings: keys left out stay, null clears. Answers with all of them.
export const PATCH = withErrors('PATCH /api/settings', async (req: Request) => {
  const patch = updateSettingsBody.parse(await readJson(req));
  return answer(updateSettings({ db: db(), patch }));
});
