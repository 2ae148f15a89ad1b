import { describe, expect, it } from 'vitest';
import { parseTerminalMessage, pickShell, terminalEnv, terminalWorkspaceId } from './terminal.js';

describe('terminalWorkspaceId', () => {
  it.each<[string, string | null]>([
    ['/api/workspaces/ws_1/terminal', 'ws_1'],
    ['/api/workspaces/ws-1.a/terminal/', 'ws-1.a'],
    ['/api/workspaces/ws_1/terminals', null],
    ['/api/workspaces/../terminal', null],
    ['/api/workspaces/.x/terminal', null],
    ['/api/workspaces/ws_1/terminal/extra', null],
    ['/api/workspaces//terminal', null],
  ])('terminalWorkspaceId(%j) → %j', (path, want) => expect(terminalWorkspaceId(path)).toBe(want));
});

describe('parseTerminalMessage', () => {
  it.each<[string, unknown]>([
    ['{"type":"input","data":"ls\\r"}', { ok: true, message: { type: 'input', data: 'ls\r' } }],
    [
      '{"type":"resize","cols":120,"rows":40}',
      { ok: true, message: { type: 'resize', cols: 120, rows: 40 } },
    ],
    ['{"type":"resize","cols":0,"rows":40}', { ok: false, error: expect.stringMatching(/^cols:/) }],
    ['{"type":"resize","cols":80.5,"rows":40}', { ok: false, error: expect.stringMatching(/^cols:/) }],
    ['{"type":"input"}', { ok: false, error: expect.stringMatching(/^data:/) }],
    ['{"type":"exec","cmd":"rm"}', { ok: false, error: expect.stringMatching(/^type:/) }],
    ['not json', { ok: false, error: 'frame is not JSON' }],
  ])('parseTerminalMessage(%s)', (text, want) => expect(parseTerminalMessage(text)).toEqual(want));

  it('parseTerminalMessage refuses input over 64 KiB in one frame', () => {
    const big = JSON.stringify({ type: 'input', data: 'x'.repeat(64 * 1024 + 1) });
    expect(parseTerminalMessage(big)).toMatchObject({ ok: false, error: expect.stringMatching(/^data:/) });
  });
});

describe('terminalEnv', () => {
  const consoleEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/dev',
    USER: 'dev',
    LANG: 'en_US.UTF-8',
    LC_ALL: 'en_US.UTF-8',
    TZ: 'UTC',
    RATCHET_HOME: '/home/dev/.ratchet',
    RATCHET_AUTH: 'token',
    ANTHROPIC_API_KEY: 'sk-ant-secret',
    OPENAI_API_KEY: 'sk-secret',
    GITHUB_TOKEN: 'ghp_secret',
    GH_TOKEN: 'gho_secret',
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    NODE_OPTIONS: '--require /tmp/x.js',
    SSH_AUTH_SOCK: '/tmp/agent.sock',
    TERM: 'dumb',
  };

  it('terminalEnv passes exactly the allowlist plus TERM, COLORTERM, SHELL and PWD', () => {
    expect(terminalEnv(consoleEnv, { shell: '/bin/bash', cwd: '/w/tree' })).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/dev',
      USER: 'dev',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'en_US.UTF-8',
      TZ: 'UTC',
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      SHELL: '/bin/bash',
      PWD: '/w/tree',
    });
  });

  it('terminalEnv keeps no Ratchet, model, GitHub or Temporal variable', () => {
    const env = terminalEnv(consoleEnv, { shell: '/bin/sh', cwd: '/w' });
    for (const name of Object.keys(env)) expect(name).not.toMatch(/RATCHET|KEY|TOKEN|TEMPORAL|NODE_|SSH/);
  });

  it('terminalEnv gives a PATH and a UTF-8 LANG to a console started without them', () => {
    expect(terminalEnv({}, { shell: '/bin/sh', cwd: '/w' })).toMatchObject({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
    });
  });
});

describe('pickShell', () => {
  const has =
    (...files: string[]) =>
    (f: string) =>
      files.includes(f);
  it.each<[string | undefined, string[], string]>([
    ['/usr/bin/zsh', ['/usr/bin/zsh', '/bin/bash'], '/usr/bin/zsh'],
    ['/usr/bin/zsh', ['/bin/bash'], '/bin/bash'],
    ['zsh', ['/bin/bash', '/usr/bin/zsh'], '/bin/bash'],
    [undefined, ['/bin/sh'], '/bin/sh'],
    [undefined, [], '/bin/sh'],
  ])('pickShell(%j) with %j → %s', (shell, files, want) =>
    expect(pickShell(shell, has(...files))).toBe(want),
  );
});
