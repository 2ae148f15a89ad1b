/** PATCH /api/settings body: setting key → new value; keys left out stay, null clears (core/settings.ts). */
export {
  settingsPatchSchema as updateSettingsBody,
  type SettingsPatch as UpdateSettingsBody,
} from '../../../../core/settings.js';
