/** Parses a git remote URL into a GitHub owner/repo pair. Pure; returns null for non-GitHub remotes. */

export interface GithubRemote {
  host: string;
  owner: string;
  repo: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Accepts `git@github.com:o/r(.git)`, `https://github.com/o/r(.git)(/)`, `ssh://git@github.com(:22)/o/r.git`
 * and `git://github.com/o/r.git`. `hosts` lists the GitHub hosts to accept.
 * @default hosts ['github.com']
 */
export function parseGithubRemote(
  url: string,
  hosts: readonly string[] = ['github.com'],
): GithubRemote | null {
  const trimmed = url.trim();
  // The URL forms first, so `https://...` never reads as scp-like `host:path`.
  const m =
    /^(?:https?|ssh|git|git\+ssh):\/\/(?:[^@/\s]+@)?([A-Za-z0-9.-]+)(?::\d+)?\/(.+)$/.exec(trimmed) ??
    /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/)(.+)$/.exec(trimmed);
  if (!m) return null;
  const host = m[1]!;
  const pathPart = m[2]!;
  if (!hosts.includes(host.toLowerCase())) return null;
  const parts = pathPart
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length !== 2) return null;
  const [owner, repo] = parts as [string, string];
  if (!SEGMENT.test(owner) || !SEGMENT.test(repo)) return null;
  return { host: host.toLowerCase(), owner, repo };
}
