/** The agent environment is an allowlist, secrets never pass, and redaction scrubs what leaks into text. */
import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  SecretEnvError,
  buildAgentEnv,
  redactSecrets,
} from '../../activities/agents/sandbox-env.js';

const parent = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/dev',
  USER: 'dev',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_TOKEN_FORMAT: 'x', // allowed prefix, but the name looks like a secret
  TZ: 'UTC',
  CI: '1',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  HTTPS_PROXY: 'http://proxy.local:3128',
  HTTP_PROXY: 'http://alice:hunter2pass@proxy.local:3128',
  ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefghijklmnop',
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
  OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz',
  GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123',
  GH_TOKEN: 'gho_abcdefghijklmnopqrstuvwxyz0123',
  AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY',
  AWS_PROFILE: 'prod',
  RATCHET_GITHUB_TOKEN: 'ratchet-gh-secret-value',
  RATCHET_DB: '/home/dev/.ratchet/ratchet.db',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  GIT_ASKPASS: '/usr/lib/git-core/git-gui--askpass',
  NODE_OPTIONS: '--require /tmp/evil.js',
  DATABASE_PASSWORD: 'pg-pass-123456',
  NPM_CONFIG_USERCONFIG: '/home/dev/.npmrc',
};

describe('buildAgentEnv', () => {
  const env = buildAgentEnv(parent);

  it('passes the allowlisted names and LC_* prefixes', () => {
    expect(env).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/home/dev',
      USER: 'dev',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      CI: '1',
    });
    expect(env).toMatchObject({
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      HTTPS_PROXY: 'http://proxy.local:3128',
    });
  });

  it('passes nothing else: no model keys, tokens, cloud or Ratchet secrets, agents, or NODE_OPTIONS', () => {
    for (const name of Object.keys(parent)) {
      if (
        [
          'PATH',
          'HOME',
          'USER',
          'LANG',
          'LC_ALL',
          'TZ',
          'CI',
          'GIT_AUTHOR_NAME',
          'GIT_AUTHOR_EMAIL',
          'HTTPS_PROXY',
        ].includes(name)
      )
        continue;
      expect(env, name).not.toHaveProperty(name);
    }
    const values = Object.values(env).join('\n');
    for (const secret of [
      'sk-ant',
      'sk-proj',
      'ghp_',
      'gho_',
      'AKIA',
      'wJalr',
      'ratchet-gh-secret',
      'hunter2',
      'pg-pass',
    ]) {
      expect(values).not.toContain(secret);
    }
  });

  it('refuses an allowlisted-prefix name that looks like a secret', () => {
    expect(env).not.toHaveProperty('LC_TOKEN_FORMAT');
  });

  it('drops a proxy URL that embeds a password', () => {
    expect(env).not.toHaveProperty('HTTP_PROXY');
  });

  it('makes commands non-interactive', () => {
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', PAGER: 'cat', NO_COLOR: '1' });
  });

  it('adds non-secret extras and throws, naming it, for a secret-looking or provider extra', () => {
    expect(buildAgentEnv(parent, { RATCHET_WORKSPACE_ID: 'ws_1', CI: 'true' })).toMatchObject({
      RATCHET_WORKSPACE_ID: 'ws_1',
      CI: 'true',
    });
    for (const name of [
      'NPM_TOKEN',
      'RATCHET_API_KEY',
      'ANTHROPIC_BASE_URL',
      'GH_HOST',
      'SSH_AUTH_SOCK',
      'GIT_ASKPASS',
      'my_private_key',
    ]) {
      expect(() => buildAgentEnv(parent, { [name]: 'v' }), name).toThrow(SecretEnvError);
      expect(() => buildAgentEnv(parent, { [name]: 'v' }), name).toThrow(name);
    }
  });

  it('falls back to a minimal PATH when the parent has none', () => {
    expect(buildAgentEnv({}).PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});

describe('redactSecrets', () => {
  it('replaces every secret value found in the env, however it is embedded', () => {
    const text = `key=${parent.ANTHROPIC_API_KEY}\nAuthorization: Bearer ${parent.RATCHET_GITHUB_TOKEN}!\n${parent.AWS_SECRET_ACCESS_KEY}${parent.AWS_SECRET_ACCESS_KEY}\npg:${parent.DATABASE_PASSWORD}`;
    const out = redactSecrets(text, parent);
    expect(out).toBe(
      `key=${REDACTED}\nAuthorization: Bearer ${REDACTED}!\n${REDACTED}${REDACTED}\npg:${REDACTED}`,
    );
  });

  it('redacts a proxy password but not the proxy host', () => {
    expect(redactSecrets('via http://alice:hunter2pass@proxy.local:3128', parent)).toBe(
      `via http://alice:${REDACTED}@proxy.local:3128`,
    );
  });

  it('leaves non-secret values alone, even under provider prefixes', () => {
    const text = `db at ${parent.RATCHET_DB}, profile ${parent.AWS_PROFILE}, base ${parent.ANTHROPIC_BASE_URL}`;
    expect(redactSecrets(text, parent)).toBe(text);
  });

  it('redacts well-known token shapes that are not in the env', () => {
    const text = [
      'ghp_0123456789abcdefghijABCDEFGHIJ',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      'sk-ant-api03-zzzzzzzzzzzzzzzz',
      'AKIAZZZZZZZZZZZZZZZZ',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----',
    ].join('\n');
    expect(redactSecrets(text, {})).toBe([REDACTED, REDACTED, REDACTED, REDACTED, REDACTED].join('\n'));
  });

  it('does not redact short or boolean-like values', () => {
    expect(redactSecrets('exit 1, enabled true', { FEATURE_TOKEN: '1', OTHER_SECRET: 'true' })).toBe(
      'exit 1, enabled true',
    );
  });
});
