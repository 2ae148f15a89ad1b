import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProjectConfig, SCRIPT_MAX_CHARS } from '../../activities/setup.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-project-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function worktreeWith(config: unknown): string {
  const wt = fs.mkdtempSync(path.join(dir, 'wt-'));
  fs.mkdirSync(path.join(wt, '.ratchet'));
  fs.writeFileSync(path.join(wt, '.ratchet', 'config.json'), JSON.stringify(config));
  return wt;
}

describe('readProjectConfig', () => {
  it('readProjectConfig accepts a setup script a person can read', () => {
    expect(readProjectConfig(worktreeWith({ setup: 'x'.repeat(SCRIPT_MAX_CHARS) }))).toMatchObject({
      ok: true,
    });
  });

  it('readProjectConfig refuses a setup script too long to review, naming the field', () => {
    const got = readProjectConfig(worktreeWith({ setup: 'x'.repeat(SCRIPT_MAX_CHARS + 1) }));
    expect(got).toEqual({
      ok: false,
      error: expect.stringMatching(/setup.*must be at most 16384 characters/),
    });
  });
});
