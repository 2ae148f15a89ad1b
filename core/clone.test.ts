import { describe, expect, it } from 'vitest';
import { cloneFailureOf, lastLine, parseCloneUrl } from './clone.js';

describe('parseCloneUrl', () => {
  it.each<[string, string, { kind: string; host: string | null; dirName: string }]>([
    [
      'https with .git',
      'https://github.com/octo/widgets.git',
      { kind: 'https', host: 'github.com', dirName: 'widgets' },
    ],
    [
      'https without .git, trailing slash',
      'https://GitHub.com/octo/widgets/',
      { kind: 'https', host: 'github.com', dirName: 'widgets' },
    ],
    [
      'https with a port and a deep path',
      'https://git.example.com:8443/group/sub/app.git',
      { kind: 'https', host: 'git.example.com', dirName: 'app' },
    ],
    [
      'ssh URL with an account',
      'ssh://git@github.com/octo/widgets.git',
      { kind: 'ssh', host: 'github.com', dirName: 'widgets' },
    ],
    [
      'ssh URL with a port',
      'ssh://git@host.example:2222/o/r.git',
      { kind: 'ssh', host: 'host.example', dirName: 'r' },
    ],
    [
      'scp-like ssh',
      'git@github.com:octo/widgets.git',
      { kind: 'ssh', host: 'github.com', dirName: 'widgets' },
    ],
    [
      'file URL of a bare repository',
      'file:///srv/git/app.git',
      { kind: 'file', host: null, dirName: 'app' },
    ],
    [
      'surrounding blanks are trimmed',
      '  https://github.com/o/r  ',
      { kind: 'https', host: 'github.com', dirName: 'r' },
    ],
  ])('accepts %s', (_name, url, want) => {
    const r = parseCloneUrl(url);
    expect(r.ok).toBe(true);
    if (r.ok) expect({ kind: r.kind, host: r.host, dirName: r.dirName }).toEqual(want);
  });

  it.each<[string, string, RegExp]>([
    ['blank', '   ', /required/],
    ['a leading dash (git option)', '--upload-pack=touch /tmp/x', /spaces|"-"/],
    ['a leading dash without spaces', '-oProxyCommand=x', /"-"/],
    ['http', 'http://github.com/o/r.git', /only https/],
    ['git protocol', 'git://github.com/o/r.git', /only https/],
    ['a remote helper', 'ext::sh -c touch% /tmp/pwned', /spaces|helper/],
    ['a remote helper without spaces', 'ext::whoami', /helper/],
    ['https credentials (token as user)', 'https://ghp_abc@github.com/o/r.git', /credentials/],
    ['https user:password', 'https://u:p@github.com/o/r.git', /credentials/],
    ['ssh password', 'ssh://git:s3cret@github.com/o/r.git', /credentials/],
    ['a relative file URL', 'file://srv/r.git', /absolute/],
    ['dot-dot in a file URL', 'file:///srv/../etc/r.git', /\.\./],
    ['no repository path', 'https://github.com', /path/],
    ['a query string', 'https://github.com/o/r.git?access_token=x', /query/],
    ['a bare host:path (git reads it as local)', 'github.com:o/r.git', /must be an https/],
    ['a plain local path', '/srv/git/app.git', /must be an https/],
    ['a name git would read as ..', 'https://github.com/o/..', /plain repository name/],
    ['a newline', 'https://github.com/o/r\n--x', /control/],
  ])('refuses %s', (_name, url, reason) => {
    const r = parseCloneUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('cloneFailureOf', () => {
  it.each<[string, string, string]>([
    [
      'an unknown host',
      "Cloning into 'r'...\nfatal: unable to access 'https://nohost.invalid/o/r.git/': Could not resolve host: nohost.invalid",
      'host_unreachable',
    ],
    [
      'a refused port',
      "fatal: unable to access 'https://127.0.0.1:9/o/r.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
      'host_unreachable',
    ],
    [
      'ssh to an unknown host',
      'ssh: Could not resolve hostname nohost.invalid: Name or service not known\nfatal: Could not read from remote repository.',
      'host_unreachable',
    ],
    [
      'GitHub 404 over https',
      "remote: Repository not found.\nfatal: repository 'https://github.com/o/nope.git/' not found",
      'repo_not_found',
    ],
    [
      'a missing local path',
      "fatal: '/srv/nope.git' does not appear to be a git repository\nfatal: Could not read from remote repository.",
      'repo_not_found',
    ],
    [
      'no credentials for a private repo',
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      'auth_failed',
    ],
    [
      'an ssh key refused',
      'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.',
      'auth_failed',
    ],
    [
      'an existing target',
      "fatal: destination path '/p/r' already exists and is not an empty directory.",
      'target_exists',
    ],
    ['anything else', 'fatal: early EOF', 'clone_failed'],
  ])('names %s', (_name, stderr, code) => {
    const f = cloneFailureOf(stderr);
    expect(f.code).toBe(code);
    expect(f.message.length).toBeGreaterThan(10);
  });
});

describe('lastLine', () => {
  it('lastLine keeps the last carriage-returned progress line', () => {
    expect(lastLine('Receiving objects:  10% (1/10)\rReceiving objects:  42% (4/10)\r')).toBe(
      'Receiving objects:  42% (4/10)',
    );
    expect(lastLine('\n\r ')).toBeNull();
  });
});
