/** The worker's configuration: parsed once, from env plus the optional config file. */
import fs from 'node:fs';
import os from 'node:os';
import { parseEnv, parseFileConfig, resolveConfig, type RatchetConfig } from '../core/config.js';

export function loadConfig(env: Record<string, string | undefined> = process.env): RatchetConfig {
  const parsed = parseEnv(env);
  const home = parsed.RATCHET_HOME ?? `${os.homedir()}/.ratchet`;
  const file = parsed.RATCHET_CONFIG ?? `${home}/config.json`;
  let fileConfig = {};
  if (fs.existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    fileConfig = parseFileConfig(raw, file);
  } else if (parsed.RATCHET_CONFIG) {
    throw new Error(`RATCHET_CONFIG points at ${file}, which does not exist`);
  }
  return resolveConfig(parsed, fileConfig, os.homedir());
}
