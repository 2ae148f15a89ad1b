/**
 * Credentials never leave a remote URL: `stripRemoteCredentials` is the one place that removes
 * them, before a URL is stored, returned or logged. Pure (no `URL` parsing: git accepts forms the
 * WHATWG parser rejects or rewrites, like scp-like `git@host:o/r.git`).
 */

/** Schemes whose user name is an account, not a secret (`ssh://git@host`): the name is kept. */
const SSH_SCHEMES = new Set(['ssh', 'git+ssh', 'ssh+git']);
/** A plain account name (`git`, `deploy-bot`); anything else in userinfo is treated as a secret. */
const ACCOUNT = /^[A-Za-z0-9._-]+$/;
/** Query parameter names that carry a credential (`access_token`, `private_token`, `X-Amz-Signature`…). */
const SECRET_PARAM = /token|secret|passw|pwd|key|auth|sig|credential|session/i;

function stripQuery(rest: string): string {
  const q = rest.indexOf('?');
  if (q === -1) return rest;
  const hash = rest.indexOf('#', q);
  const query = rest.slice(q + 1, hash === -1 ? undefined : hash);
  const fragment = hash === -1 ? '' : rest.slice(hash);
  const kept = query.split('&').filter((pair) => {
    if (pair === '') return false;
    let name = pair.split('=')[0] ?? '';
    try {
      name = decodeURIComponent(name);
    } catch {
      // A malformed escape: judge the raw name.
    }
    return !SECRET_PARAM.test(name);
  });
  return `${rest.slice(0, q)}${kept.length ? `?${kept.join('&')}` : ''}${fragment}`;
}

/**
 * The remote URL without credentials, for storing, returning and logging:
 * - a URL with a scheme (`https://`, `ssh://`, `git://`, `file://`…) loses its whole userinfo (up
 *   to the LAST `@` of the authority, so `https://user@name:pa55@host` loses `user@name:pa55`),
 *   except that ssh keeps a plain account name and drops its password (`ssh://git:s3cret@h` →
 *   `ssh://git@h`);
 * - scp-like `user@host:path` keeps a plain account name, drops anything else before the `@`;
 * - query parameters named like a credential (`?access_token=`, `private_token`, `sig`…) go;
 * - local paths are returned as given (trimmed).
 */
export function stripRemoteCredentials(url: string): string {
  const trimmed = url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  if (scheme) {
    const prefix = scheme[0];
    const afterScheme = trimmed.slice(prefix.length);
    const end = afterScheme.search(/[/?#]/);
    const authority = end === -1 ? afterScheme : afterScheme.slice(0, end);
    const rest = end === -1 ? '' : afterScheme.slice(end);
    const at = authority.lastIndexOf('@');
    let host = authority;
    if (at !== -1) {
      const userinfo = authority.slice(0, at);
      host = authority.slice(at + 1);
      const account = userinfo.split(':')[0] ?? '';
      // ssh needs the account to log in, and it is not a secret; a password or token is.
      if (
        SSH_SCHEMES.has(scheme[1]!.toLowerCase()) &&
        ACCOUNT.test(account) &&
        !userinfo.slice(account.length + 1).includes('@')
      )
        host = `${account}@${host}`;
    }
    return `${prefix}${host}${stripQuery(rest)}`;
  }
  // scp-like `[userinfo@]host:path`: the last `@` before the first `/`, followed by `host:`.
  const slash = trimmed.includes('/') ? trimmed.indexOf('/') : trimmed.length;
  const at = trimmed.lastIndexOf('@', slash);
  if (at > 0 && trimmed.slice(at + 1, slash).includes(':')) {
    const userinfo = trimmed.slice(0, at);
    const rest = trimmed.slice(at + 1);
    return stripQuery(ACCOUNT.test(userinfo) ? `${userinfo}@${rest}` : rest);
  }
  return trimmed;
}

/**
 * `text` (a git error, a log line) with every `scheme://…` URL in it passed through
 * `stripRemoteCredentials`, so `fatal: unable to access 'https://u:p@host/'` loses `u:p@`.
 */
export function stripCredentialsInText(text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"<>`]+/g, (url) => stripRemoteCredentials(url));
}
