import { describe, expect, it } from 'vitest';
import {
  SecretEnvError,
  acpAgentEnv,
  agentEnv,
  claudeCodeEnv,
  consoleEnv,
  gitEnv,
  isSecretName,
  mcpServerEnv,
  probeEnv,
  scriptEnv,
  terminalEnv,
  type ChildEnv,
} from './child-env.js';

/** A worker's environment holding every kind of variable a child might be handed. */
const parent = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/dev',
  USER: 'dev',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  TERM: 'xterm',
  CI: '1',
  GIT_AUTHOR_NAME: 'Dev',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  GIT_ASKPASS: '/usr/lib/git-core/git-gui--askpass',
  HTTPS_PROXY: 'http://proxy.local:3128',
  HTTP_PROXY: 'http://alice:hunter2pass@proxy.local:3128',
  EDITOR: 'vim',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
  CLAUDE_CONFIG_DIR: '/home/dev/.claude',
  DISABLE_TELEMETRY: '1',
  VERTEX_REGION_CLAUDE_3_5_SONNET: 'us-east5',
  CODEX_HOME: '/home/dev/.codex',
  ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefghijklmnop',
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
  OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz',
  OPENAI_BASE_URL: 'http://127.0.0.1:9998/v1',
  GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123',
  GH_TOKEN: 'gho_abcdefghijklmnopqrstuvwxyz0123',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY',
  STRIPE_SECRET: 'sk_live_123456',
  DATABASE_PASSWORD: 'pg-pass-123456',
  SIGNING_KEY: 'k-123456',
  SESSION_COOKIE: 'c-123456',
  NPM_TOKEN: 'npm_abcdef',
  RATCHET_HOME: '/home/dev/.ratchet',
  RATCHET_TEST_KILL_AT: '3:start',
  RATCHET_AUTH: 'token',
  NODE_OPTIONS: '--require /tmp/evil.js',
};

/** Never inherited by any child, whatever the profile. */
const NEVER_ANYWHERE = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'STRIPE_SECRET',
  'DATABASE_PASSWORD',
  'SIGNING_KEY',
  'SESSION_COOKIE',
  'NPM_TOKEN',
  'RATCHET_HOME',
  'RATCHET_TEST_KILL_AT',
  'RATCHET_AUTH',
  'NODE_OPTIONS',
];

const profiles: Array<{
  profile: string;
  env: ChildEnv;
  passes: string[];
  never: string[];
}> = [
  {
    profile: 'git',
    env: gitEnv(parent),
    passes: ['PATH', 'HOME', 'SSH_AUTH_SOCK', 'GIT_ASKPASS', 'GITHUB_TOKEN', 'GH_TOKEN', 'TEMPORAL_ADDRESS'],
    never: ['ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL'],
  },
  {
    profile: 'console',
    env: consoleEnv(parent),
    passes: ['PATH', 'HOME', 'SSH_AUTH_SOCK', 'GIT_ASKPASS', 'EDITOR'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL'],
  },
  {
    profile: 'agent',
    env: agentEnv(parent),
    passes: ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'CI', 'GIT_AUTHOR_NAME', 'HTTPS_PROXY'],
    never: [
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'SSH_AUTH_SOCK',
      'GIT_ASKPASS',
      'HTTP_PROXY',
      'TEMPORAL_ADDRESS',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CONFIG_DIR',
      'CODEX_HOME',
    ],
  },
  {
    profile: 'claude-code',
    env: claudeCodeEnv(parent),
    passes: ['PATH', 'HOME', 'CLAUDE_CONFIG_DIR', 'DISABLE_TELEMETRY', 'VERTEX_REGION_CLAUDE_3_5_SONNET'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'SSH_AUTH_SOCK', 'ANTHROPIC_BASE_URL', 'CODEX_HOME'],
  },
  {
    profile: 'acp (codex preset names)',
    env: acpAgentEnv(parent, ['OPENAI_BASE_URL', 'CODEX_HOME']),
    passes: ['PATH', 'HOME', 'OPENAI_BASE_URL', 'CODEX_HOME'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'SSH_AUTH_SOCK', 'CLAUDE_CONFIG_DIR', 'ANTHROPIC_BASE_URL'],
  },
  {
    profile: 'script',
    env: scriptEnv(parent, { worktree: '/w/tree', port: 4100 }),
    passes: ['PATH', 'HOME', 'RATCHET_WORKTREE', 'PORT'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'SSH_AUTH_SOCK', 'TEMPORAL_ADDRESS', 'CLAUDE_CONFIG_DIR'],
  },
  {
    profile: 'mcp',
    env: mcpServerEnv(parent, { PROBE_LOG: '/tmp/probe.log' }),
    passes: ['PATH', 'HOME', 'PROBE_LOG'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'SSH_AUTH_SOCK', 'TEMPORAL_ADDRESS', 'CODEX_HOME'],
  },
  {
    profile: 'terminal',
    env: terminalEnv(parent, { shell: '/bin/bash', cwd: '/w/tree' }),
    passes: ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'SHELL', 'PWD', 'TERM'],
    never: ['GITHUB_TOKEN', 'GH_TOKEN', 'SSH_AUTH_SOCK', 'TEMPORAL_ADDRESS', 'CI', 'EDITOR', 'HTTPS_PROXY'],
  },
  {
    profile: 'probe',
    env: probeEnv(parent),
    passes: ['PATH', 'HOME'],
    never: ['USER', 'GITHUB_TOKEN', 'SSH_AUTH_SOCK', 'CLAUDE_CONFIG_DIR'],
  },
];

describe('child-env profiles', () => {
  for (const { profile, env, passes, never } of profiles) {
    it(`${profile} passes ${passes.join(', ')}`, () => {
      for (const name of passes) expect(env, `${profile}: ${name}`).toHaveProperty(name);
    });
    it(`${profile} never passes a secret, RATCHET_*, NODE_OPTIONS, or ${never.join(', ')}`, () => {
      for (const name of [...NEVER_ANYWHERE, ...never])
        expect(env, `${profile}: ${name}`).not.toHaveProperty(name);
      // Nor any value of a secret variable under another name.
      const secretValues = Object.entries(parent)
        .filter(
          ([n]) => isSecretName(n) && !(profile === 'git' && (n === 'GITHUB_TOKEN' || n === 'GH_TOKEN')),
        )
        .map(([, v]) => v);
      for (const v of Object.values(env)) expect(secretValues, `${profile}`).not.toContain(v);
    });
  }

  it('git keeps the GitHub tokens for the credential helper, and never prompts', () => {
    expect(gitEnv(parent)).toMatchObject({
      GITHUB_TOKEN: parent.GITHUB_TOKEN,
      GH_TOKEN: parent.GH_TOKEN,
      GIT_TERMINAL_PROMPT: '0',
    });
  });

  it('agent refuses secret, provider and indirect-access extras by name', () => {
    for (const name of [
      'MY_TOKEN',
      'ANTHROPIC_MODEL',
      'GITHUB_X',
      'SSH_AUTH_SOCK',
      'NODE_OPTIONS',
      'DEPLOY_KEY',
    ])
      expect(() => agentEnv(parent, { [name]: 'v' }), name).toThrow(SecretEnvError);
    expect(agentEnv(parent, { RATCHET_WORKSPACE_ID: 'ws_1' }).RATCHET_WORKSPACE_ID).toBe('ws_1');
  });

  it('every profile but terminal and probe runs non-interactively with a PATH', () => {
    for (const env of [
      agentEnv({}),
      claudeCodeEnv({}),
      scriptEnv({}, { worktree: '/w' }),
      mcpServerEnv({}, {}),
    ])
      expect(env).toMatchObject({ PATH: '/usr/local/bin:/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0' });
    expect(gitEnv({}).GIT_TERMINAL_PROMPT).toBe('0');
    expect(consoleEnv({}).GIT_TERMINAL_PROMPT).toBe('0');
  });
});

describe('isSecretName', () => {
  const table: Array<[string, boolean]> = [
    ['ANTHROPIC_API_KEY', true],
    ['GITHUB_TOKEN', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['DATABASE_PASSWORD', true],
    ['SIGNING_KEY', true],
    ['KEY', true],
    ['SESSION_COOKIE', true],
    ['PATH', false],
    ['KEYBOARD_LAYOUT', false],
    ['MONKEY_BUSINESS', false],
    ['CODEX_HOME', false],
  ];
  for (const [name, secret] of table)
    it(`isSecretName ${name} is ${secret ? 'a secret' : 'not a secret'}`, () =>
      expect(isSecretName(name)).toBe(secret));
});
