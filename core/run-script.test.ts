import { describe, expect, it } from 'vitest';
import { appendTail, exitText, plainOutput, runPortOf, runRecordSchema, runScriptEnv } from './run-script.js';

describe('runScriptEnv', () => {
  const source = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/me',
    USER: 'me',
    LC_ALL: 'en_US.UTF-8',
    RATCHET_HOME: '/home/me/.ratchet',
    RATCHET_AUTH: 'token',
    GITHUB_TOKEN: 'ghp_x',
    GH_TOKEN: 'gho_x',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    OPENAI_API_KEY: 'sk-x',
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    NODE_OPTIONS: '--inspect',
    PORT: '3000',
  };

  it('runScriptEnv passes only the terminal allowlist, the worktree and the configured port', () => {
    expect(runScriptEnv(source, { cwd: '/wt/a', port: 4123 })).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/me',
      USER: 'me',
      LC_ALL: 'en_US.UTF-8',
      LANG: 'C.UTF-8',
      PWD: '/wt/a',
      PORT: '4123',
    });
  });

  it('runScriptEnv sets no PORT without a configured port (not even the console’s own)', () => {
    expect(runScriptEnv(source, { cwd: '/wt/a', port: null })).not.toHaveProperty('PORT');
  });

  it('runScriptEnv gives a PATH when the console has none', () => {
    expect(runScriptEnv({}, { cwd: '/wt', port: null }).PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});

describe('runPortOf', () => {
  it.each([
    ['the console-set port wins', 5000, { runPort: 6000 }, 5000],
    ['the repository port applies when none is set', null, { runPort: 6000 }, 6000],
    ['a missing port is none', undefined, {}, null],
    ['a repository port that is not a whole port number is ignored', null, { runPort: 70_000 }, null],
    ['a string port is ignored', null, { runPort: '3000' }, null],
    ['no config at all', null, null, null],
  ])('runPortOf: %s', (_name, consolePort, repo, want) => {
    expect(runPortOf(consolePort, repo)).toBe(want);
  });
});

describe('plainOutput', () => {
  it.each([
    ['colours are removed', '\u001b[32mready\u001b[0m on 3000', 'ready on 3000'],
    ['CRLF becomes LF', 'a\r\nb\r\n', 'a\nb\n'],
    ['OSC titles are removed', '\u001b]0;vite\u0007serving', 'serving'],
    ['plain text is kept', 'GET / 200', 'GET / 200'],
  ])('plainOutput: %s', (_name, raw, want) => {
    expect(plainOutput(raw)).toBe(want);
  });
});

describe('appendTail', () => {
  it('appendTail keeps the last `cap` characters', () => {
    expect(appendTail('abcdef', 'gh', 4)).toBe('efgh');
    expect(appendTail('ab', 'c', 4)).toBe('abc');
  });
});

describe('runRecordSchema', () => {
  it('runRecordSchema refuses a record without a positive pgid (a kill of -0 would hit the console)', () => {
    expect(
      runRecordSchema.safeParse({ workspaceId: 'ws', pgid: 0, startTicks: '1', startedAt: 1 }).success,
    ).toBe(false);
    expect(
      runRecordSchema.safeParse({ workspaceId: 'ws', pgid: 42, startTicks: null, startedAt: 1 }).success,
    ).toBe(true);
  });
});

describe('exitText', () => {
  it.each([
    [0, null, 'exited with code 0'],
    [2, null, 'exited with code 2'],
    [null, 'SIGTERM', 'stopped by SIGTERM'],
    [null, null, 'ended'],
  ])('exitText(%s, %s)', (code, signal, want) => {
    expect(exitText(code, signal)).toBe(want);
  });
});
