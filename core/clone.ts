/**
 * Cloning a project by URL from the console: which URLs are accepted, the directory a clone gets,
 * what git's progress and failures mean. Pure; `web/lib/project-clone.ts` runs git.
 *
 * git reports failures only as text, so `cloneFailureOf` reads git's stable English messages
 * (the clone runs with `LC_ALL=C`); anything it does not recognise is `clone_failed` with git's
 * last line, never a guess.
 */

/** The transports accepted: https, ssh (URL or scp-like `git@host:o/r.git`), and local `file://`. */
export type CloneUrlKind = 'https' | 'ssh' | 'file';

export type CloneUrlParse =
  | { ok: true; kind: CloneUrlKind; url: string; host: string | null; dirName: string }
  | { ok: false; reason: string };

/** A directory name git and every shell handle plainly. */
const DIR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$/;
const SSH_ACCOUNT = /^[A-Za-z0-9._-]+$/;

function dirNameOf(pathPart: string): string | null {
  const last = pathPart
    .replace(/\/+$/, '')
    .split('/')
    .pop()
    ?.replace(/\.git$/, '');
  return last && DIR_NAME.test(last) && last !== '.' && last !== '..' ? last : null;
}

function refuse(reason: string): CloneUrlParse {
  return { ok: false, reason };
}

/**
 * Accepts `https://host[:port]/path`, `ssh://[account@]host[:port]/path`, scp-like
 * `account@host:path` and `file:///absolute/path`. Refuses, each with its reason: blanks and
 * control characters, a leading `-` (git would read an option), other transports (`http`, `git`,
 * `ext::` and friends run or expose more than a clone needs), credentials in the URL (they would
 * be written into the clone's `.git/config`; use a credential helper or an SSH key), and a path
 * whose last segment is not a plain directory name.
 */
export function parseCloneUrl(raw: string): CloneUrlParse {
  const url = raw.trim();
  if (url === '') return refuse('is required');
  if (/\s/.test(url) || [...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return refuse('must not contain spaces or control characters');
  if (url.startsWith('-')) return refuse('must not start with "-"');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    const p = url.slice('file://'.length);
    if (!p.startsWith('/')) return refuse('file:// URLs must name an absolute path (file:///srv/repo.git)');
    if (p.split('/').includes('..')) return refuse('must not contain ".." segments');
    const dirName = dirNameOf(p);
    if (!dirName) return refuse('must end in a plain repository name');
    return { ok: true, kind: 'file', url, host: null, dirName };
  }
  if (scheme === 'https' || scheme === 'ssh') {
    const rest = url.slice(scheme.length + 3);
    const slash = rest.indexOf('/');
    if (slash <= 0) return refuse('must name a repository path after the host');
    const authority = rest.slice(0, slash);
    const pathPart = rest.slice(slash + 1);
    const at = authority.lastIndexOf('@');
    const userinfo = at === -1 ? null : authority.slice(0, at);
    const hostPort = at === -1 ? authority : authority.slice(at + 1);
    if (userinfo !== null) {
      // ssh logs in as an account (not a secret); anything else in userinfo is a credential.
      if (scheme === 'https' || !SSH_ACCOUNT.test(userinfo))
        return refuse(
          'must not carry credentials (a user name, password or token); Ratchet uses your git credential helper or SSH key',
        );
    }
    const host = hostPort.replace(/:\d{1,5}$/, '');
    if (!HOST.test(host)) return refuse('has an invalid host');
    if (/[?#]/.test(pathPart)) return refuse('must not carry a query or fragment');
    const dirName = dirNameOf(pathPart);
    if (!dirName) return refuse('must end in a plain repository name');
    return { ok: true, kind: scheme, url, host: host.toLowerCase(), dirName };
  }
  if (scheme)
    return refuse(
      `uses ${scheme}://; only https://, ssh:// (or git@host:owner/repo) and file:// are accepted`,
    );
  if (url.includes('::')) return refuse('must not use a git remote helper (transport::address)');
  // scp-like `account@host:path` (the account is required: a bare `host:path` reads as a local path to git).
  const scp = /^([A-Za-z0-9._-]+)@([^:/]+):(.+)$/.exec(url);
  if (scp) {
    const host = scp[2]!;
    if (!HOST.test(host)) return refuse('has an invalid host');
    const dirName = dirNameOf(scp[3]!);
    if (!dirName) return refuse('must end in a plain repository name');
    return { ok: true, kind: 'ssh', url, host: host.toLowerCase(), dirName };
  }
  return refuse('must be an https://, ssh://, git@host:owner/repo or file:// URL');
}

/** Why a clone failed, as the page and the API name it. */
export const CLONE_FAILURES = [
  'host_unreachable',
  'repo_not_found',
  'auth_failed',
  'target_exists',
  'clone_failed',
] as const;
export type CloneFailure = (typeof CLONE_FAILURES)[number];

/** Ordered: the first pattern that matches git's stderr names the failure. */
const FAILURE_PATTERNS: readonly [CloneFailure, RegExp][] = [
  [
    'host_unreachable',
    /Could not resolve host|Could not resolve hostname|Connection refused|Connection timed out|Network is unreachable|No route to host|Failed to connect to|Operation timed out/i,
  ],
  [
    'auth_failed',
    /Authentication failed|Permission denied \(publickey|could not read Username|terminal prompts disabled|Host key verification failed/i,
  ],
  [
    'repo_not_found',
    /Repository not found|does not appear to be a git repository|not found|returned error: 404|does not exist/i,
  ],
  ['target_exists', /already exists and is not an empty directory/i],
];

const FAILURE_TEXT: Record<CloneFailure, string> = {
  host_unreachable: 'the host could not be reached',
  repo_not_found: 'the repository was not found (or you have no access to it)',
  auth_failed: 'authentication failed (check your credential helper or SSH key)',
  target_exists: 'the target directory already exists',
  clone_failed: 'git clone failed',
};

/** The failure named by git's stderr, and a one-line message for the page. */
export function cloneFailureOf(stderr: string): { code: CloneFailure; message: string } {
  const code = FAILURE_PATTERNS.find(([, re]) => re.test(stderr))?.[0] ?? 'clone_failed';
  const last = lastLine(stderr.replace(/^(remote: |fatal: |error: )/gm, ''));
  return { code, message: last ? `${FAILURE_TEXT[code]}: ${last}` : FAILURE_TEXT[code] };
}

/**
 * The last non-empty line of git's progress output, where carriage returns overwrite a line
 * (`Receiving objects:  42% (21/50)\r`), trimmed to 200 characters.
 */
export function lastLine(output: string): string | null {
  const lines = output
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  return last ? last.slice(0, 200) : null;
}
