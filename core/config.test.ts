import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSources } from './config.js';

const files =
  (map: Record<string, string>): ConfigSources['readFile'] =>
  (file) =>
    map[file] ?? null;
const base = { homeDir: '/home/u', readFile: files({}) };

describe('loadConfig', () => {
  it('defaults from the home directory alone', () => {
    const config = loadConfig({ ...base, env: {} });
    expect(config).toMatchObject({
      home: '/home/u/.ratchet',
      dbFile: '/home/u/.ratchet/ratchet.db',
      worktreesDir: '/home/u/.ratchet/worktrees',
      host: '127.0.0.1',
      port: 3000,
      taskQueue: 'ratchet',
      cacheDir: '/home/u/.cache/ratchet',
      temporal: { address: null, namespace: 'default', localPort: 7233, ui: false },
    });
  });

  it.each([
    ['the environment wins over the file', { RATCHET_PORT: '4000' }, { port: 5000 }, { port: 4000 }],
    [
      'the file fills what the environment leaves',
      {},
      { port: 5000, taskQueue: 'q' },
      { port: 5000, taskQueue: 'q' },
    ],
    ['an empty variable counts as unset', { RATCHET_PORT: '' }, { port: 5000 }, { port: 5000 }],
    [
      'RATCHET_TEMPORAL_UI=0 overrides the file',
      { RATCHET_TEMPORAL_UI: '0' },
      { temporalUi: true },
      { temporal: { ui: false } },
    ],
  ] as const)('%s', (_name, env, file, expected) => {
    const config = loadConfig({
      ...base,
      env: { RATCHET_HOME: '/r', ...env },
      readFile: files({ '/r/config.json': JSON.stringify(file) }),
    });
    expect(config).toMatchObject(expected);
  });

  it('reads RATCHET_CONFIG instead of the home directory file', () => {
    const config = loadConfig({
      ...base,
      env: { RATCHET_HOME: '/r', RATCHET_CONFIG: '/etc/ratchet.json' },
      readFile: files({ '/r/config.json': '{"port": 1}', '/etc/ratchet.json': '{"port": 2}' }),
    });
    expect(config.port).toBe(2);
  });

  it.each([
    ['a bad variable, by name', { RATCHET_POLL_INTERVAL_S: '0' }, {}, /env RATCHET_POLL_INTERVAL_S/],
    [
      'every bad variable at once',
      { RATCHET_PORT: 'x', RATCHET_AUTH: 'maybe' },
      {},
      /RATCHET_PORT[\s\S]*RATCHET_AUTH/,
    ],
    [
      'a file that is not JSON, by path',
      {},
      { '/r/config.json': '{port' },
      /Config file \/r\/config.json is not valid JSON/,
    ],
    [
      'a bad field of the file, by path and field',
      {},
      { '/r/config.json': '{"port": "x"}' },
      /\/r\/config.json:\nconfig port/,
    ],
    ['an unknown field of the file', {}, { '/r/config.json': '{"prot": 1}' }, /Unrecognized key.*prot/],
    [
      'RATCHET_CONFIG naming a missing file',
      { RATCHET_CONFIG: '/nope.json' },
      {},
      /RATCHET_CONFIG points at \/nope.json/,
    ],
  ] as const)('refuses %s', (_name, env, map, message) => {
    const load = () => loadConfig({ ...base, env: { RATCHET_HOME: '/r', ...env }, readFile: files(map) });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
