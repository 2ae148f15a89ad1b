/**
 * The front door's configuration, built once per process from the console's config: the
 * `GuardConfig` for core/web-guard.ts and the token (when one exists). Shared by web/proxy.ts
 * (every HTTP request) and web/terminal-server.ts (WebSocket upgrades), so both decide alike.
 */
import { parseAllowedHosts, tokenRequired, type GuardConfig } from '../../core/web-guard.js';
import { ensureAuthToken, readAuthToken, tokenMatches } from './auth-token.js';
import { getConfig } from './env.js';

export interface GuardState {
  guard: GuardConfig;
  /** Null while no token file exists and none is required. */
  token: () => string | null;
  /** True when `given` is the console's token (constant time). */
  isToken: (given: string | null | undefined) => boolean;
}

const cache = globalThis as unknown as { __ratchetGuardState?: GuardState };

export function guardState(): GuardState {
  if (cache.__ratchetGuardState) return cache.__ratchetGuardState;
  const config = getConfig();
  const required = tokenRequired(config.host, config.env.RATCHET_AUTH);
  // Required: make sure it exists now (the supervisor normally wrote it already). Optional: read
  // it when present, so a token sent on loopback is still exchanged for the cookie.
  let token: string | null = required ? ensureAuthToken(config.home) : null;
  const current = () => (token ??= readAuthToken(config.home));
  const s: GuardState = {
    guard: {
      boundHost: config.host,
      boundPort: config.port,
      allowedHosts: parseAllowedHosts(config.env.RATCHET_ALLOWED_HOSTS),
      tokenRequired: required,
    },
    token: current,
    isToken: (given) => {
      const expected = current();
      return expected !== null && tokenMatches(expected, given);
    },
  };
  cache.__ratchetGuardState = s;
  return s;
}
