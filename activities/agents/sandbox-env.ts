/**
 * The environment an agent's commands run with is core/child-env.ts's `agent` profile (an
 * allowlist, not a denylist: model keys, GitHub tokens, cloud credentials and Ratchet's own
 * secrets never reach a shell the model controls). `redactSecrets` scrubs secret values (and
 * well-known token shapes) from text before it is logged or stored.
 */

import { agentEnv, isSecretName, type Env } from '../../core/child-env.js';

export { SECRET_NAME, SecretEnvError, isSecretName, type Env } from '../../core/child-env.js';

/** A filtered environment: every value is a string, and it can be passed straight to `spawn`. */
export type AgentEnv = NodeJS.ProcessEnv & Record<string, string>;

/**
 * The `agent` profile of core/child-env.ts (`agentEnv`: an allowlist of `parentEnv` plus checked
 * `extra`), typed for `spawn`.
 */
export function buildAgentEnv(parentEnv: Env, extra: Env = {}): AgentEnv {
  // Next's type augmentation makes NODE_ENV required on ProcessEnv; a child env need not carry it.
  return agentEnv(parentEnv, extra) as AgentEnv;
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
