/**
 * The environment an agent's commands run with. An allowlist, not a denylist: a variable reaches
 * the agent only if it is named below (or has an allowed prefix) AND its name does not look like a
 * secret. Model keys, GitHub tokens, cloud credentials and Ratchet's own secrets therefore never
 * reach a shell the model controls, whatever the worker's environment holds. `redactSecrets`
 * scrubs secret values (and well-known token shapes) from text before it is logged or stored.
 */

import { SECRET_NAME, isSecretName } from '../../core/secret-names.js';

export type Env = Record<string, string | undefined>;

/** A filtered environment: every value is a string, and it can be passed straight to `spawn`. */
export type AgentEnv = NodeJS.ProcessEnv & Record<string, string>;

/** Names passed through from the parent environment. */
const ALLOWED_NAMES = new Set([
  // Identity, shell and locale.
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'COLORTERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'EDITOR',
  'VISUAL',
  'CI',
  // Proxies (dropped when the URL embeds a password, see below).
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  // Git identity for commits the agent makes (merges in conflict fixes).
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  // TLS trust stores (paths, not keys).
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  // Tool and toolchain homes, so builds and tests find their caches.
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'NVM_DIR',
  'NVM_BIN',
  'VOLTA_HOME',
  'PNPM_HOME',
  'BUN_INSTALL',
  'COREPACK_HOME',
  'DENO_DIR',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'GOFLAGS',
  'JAVA_HOME',
  'GRADLE_USER_HOME',
  'MAVEN_OPTS',
  'PYENV_ROOT',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'PIPX_HOME',
  'ASDF_DIR',
  'ASDF_DATA_DIR',
  'MISE_DATA_DIR',
  'HOMEBREW_PREFIX',
  'HOMEBREW_CELLAR',
  'HOMEBREW_REPOSITORY',
]);

/** Prefixes passed through (subject to the secret-name check). */
const ALLOWED_PREFIXES = ['LC_'];

/** Names that look like credentials, never passed even if allowlisted or supplied as extras (core/secret-names.ts). */
export { SECRET_NAME, isSecretName };

/** Families that configure access to outside services; refused as extras whatever the suffix. */
const PROVIDER_PREFIXES = [
  'ANTHROPIC_',
  'OPENAI_',
  'CLAUDE_',
  'AWS_',
  'AZURE_',
  'GOOGLE_',
  'GCP_',
  'GITHUB_',
  'GH_',
  'NPM_',
  'DOCKER_',
];

/** Names that must never be passed as extras (they would hand out credentials indirectly). */
const FORBIDDEN_EXTRAS = new Set(['SSH_AUTH_SOCK', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_CONFIG_PARAMETERS']);

/** Defaults that keep commands non-interactive; extras may override them. */
const NON_INTERACTIVE: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  PAGER: 'cat',
  NO_COLOR: '1',
};

/** Thrown when a caller tries to pass a secret-looking variable into an agent environment. */
export class SecretEnvError extends Error {
  readonly type = 'SecretEnv';
  constructor(readonly variable: string) {
    super(`refusing to pass ${variable} into an agent environment: it looks like a credential`);
    this.name = 'SecretEnvError';
  }
}

function proxyHasPassword(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value);
}

/**
 * Build the environment for agent subprocesses from an allowlist of `parentEnv`, plus `extra`
 * (explicit additions such as `RATCHET_WORKSPACE_ID`). An extra that looks like a credential, or
 * belongs to a provider family (`ANTHROPIC_*`, `OPENAI_*`, `AWS_*`, `GITHUB_*`, `GH_*`, ...), throws
 * `SecretEnvError` rather than being silently dropped.
 */
export function buildAgentEnv(parentEnv: Env, extra: Env = {}): AgentEnv {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value === undefined) continue;
    const allowed = ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p));
    if (!allowed || SECRET_NAME.test(name)) continue;
    if (/proxy$/i.test(name) && name.toLowerCase() !== 'no_proxy' && proxyHasPassword(value)) continue;
    env[name] = value;
  }
  Object.assign(env, NON_INTERACTIVE);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    if (SECRET_NAME.test(name) || FORBIDDEN_EXTRAS.has(name)) throw new SecretEnvError(name);
    if (PROVIDER_PREFIXES.some((p) => name.toUpperCase().startsWith(p))) throw new SecretEnvError(name);
    env[name] = value;
  }
  if (!env.PATH) env.PATH = '/usr/local/bin:/usr/bin:/bin';
  // Next's type augmentation makes NODE_ENV required on ProcessEnv; a child env need not carry it.
  return env as AgentEnv;
}

/** Token shapes redacted even when they are not in the environment (pasted into a file, echoed). */
const TOKEN_SHAPES: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Values shorter than this are not redacted (a `1` or `true` would wreck every transcript). */
const MIN_SECRET_LENGTH = 6;

export const REDACTED = '[redacted]';

/**
 * Replace every secret value found in `env` (by name: see `isSecretName`; plus proxy passwords)
 * and every well-known token shape with `[redacted]`. Use before writing tool output, transcripts
 * or logs.
 */
export function redactSecrets(text: string, env: Env): string {
  return secretRedactor(env)(text);
}

/** `redactSecrets` with the secret values collected once, for a caller that redacts many outputs. */
export function secretRedactor(env: Env): (text: string) => string {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    if (isSecretName(name) && !/^(?:true|false|[0-9]+)$/i.test(value)) values.add(value);
    if (/proxy$/i.test(name)) {
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:([^/@\s]+)@/i.exec(value);
      if (m?.[1] && m[1].length >= 3) values.add(m[1]);
    }
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const re of TOKEN_SHAPES) out = out.replace(re, REDACTED);
    return out;
  };
}
