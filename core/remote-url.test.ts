import { describe, expect, it } from 'vitest';
import { stripCredentialsInText, stripRemoteCredentials } from './remote-url.js';

describe('stripRemoteCredentials', () => {
  it.each<[string, string, string]>([
    [
      'https user:pass',
      'https://user:secret@github.com/octo/widgets.git',
      'https://github.com/octo/widgets.git',
    ],
    [
      'https token as the user name',
      'https://ghp_abc123@github.com/octo/widgets.git',
      'https://github.com/octo/widgets.git',
    ],
    [
      'https x-access-token:token',
      'https://x-access-token:ghs_t0ken@github.com/o/r.git',
      'https://github.com/o/r.git',
    ],
    [
      'an @ inside the userinfo (up to the last @)',
      'https://user@name:pa55@host/x.git',
      'https://host/x.git',
    ],
    ['an encoded @ inside the password', 'https://u:p%40ss@host/x.git', 'https://host/x.git'],
    ['http with a port', 'http://u:p@host:8080/x.git', 'http://host:8080/x.git'],
    ['uppercase scheme', 'HTTPS://u:p@host/x.git', 'HTTPS://host/x.git'],
    ['ssh keeps the account, drops the password', 'ssh://git:s3cret@host/x.git', 'ssh://git@host/x.git'],
    ['ssh with a port', 'ssh://git:s3cret@host:2222/x.git', 'ssh://git@host:2222/x.git'],
    ['ssh account alone is kept', 'ssh://git@github.com/o/r.git', 'ssh://git@github.com/o/r.git'],
    ['ssh with an @ in the userinfo drops it all', 'ssh://user@name:pa55@host/x.git', 'ssh://host/x.git'],
    ['git+ssh password', 'git+ssh://me:pw@host/x.git', 'git+ssh://me@host/x.git'],
    ['git:// userinfo', 'git://u:p@host/x.git', 'git://host/x.git'],
    ['ftp userinfo', 'ftp://u:p@host/x.git', 'ftp://host/x.git'],
    ['file:// userinfo', 'file://u:p@localhost/srv/x.git', 'file://localhost/srv/x.git'],
    ['no path after the host', 'https://u:p@host', 'https://host'],
    ['userinfo before a query with no path', 'https://u:p@host?access_token=t', 'https://host'],
    ['?access_token=', 'https://host/x.git?access_token=t0ken', 'https://host/x.git'],
    [
      '?private_token= among kept params',
      'https://host/x.git?ref=main&private_token=t&depth=1',
      'https://host/x.git?ref=main&depth=1',
    ],
    ['?token= and an encoded name', 'https://host/x.git?token=a&%61uth=b', 'https://host/x.git'],
    [
      'signed-URL parameters',
      'https://bucket.example/x.git?X-Amz-Signature=s&X-Amz-Credential=c&v=1',
      'https://bucket.example/x.git?v=1',
    ],
    [
      'query and fragment: the fragment stays',
      'https://host/x.git?api_key=k#readme',
      'https://host/x.git#readme',
    ],
    ['an @ in the path is not userinfo', 'https://host/team/x@v2.git', 'https://host/team/x@v2.git'],
    ['scp-like account is kept', 'git@github.com:octo/widgets.git', 'git@github.com:octo/widgets.git'],
    [
      'scp-like user:password drops it',
      'user:pass@github.com:octo/widgets.git',
      'github.com:octo/widgets.git',
    ],
    ['scp-like with an @ in the path', 'git@host:team/x@v2.git', 'git@host:team/x@v2.git'],
    ['scp-like without a user', 'host:octo/widgets.git', 'host:octo/widgets.git'],
    ['an absolute local path', '/tmp/remotes/widgets.git', '/tmp/remotes/widgets.git'],
    ['a local path with an @', '/srv/git/a@b:c/x.git', '/srv/git/a@b:c/x.git'],
    ['surrounding whitespace', '  https://u:p@host/x.git\n', 'https://host/x.git'],
    [
      'a clean https URL is unchanged',
      'https://github.com/octo/widgets.git',
      'https://github.com/octo/widgets.git',
    ],
  ])('stripRemoteCredentials removes credentials: %s', (_name, url, expected) => {
    const got = stripRemoteCredentials(url);
    expect(got).toBe(expected);
    for (const secret of [
      'secret',
      's3cret',
      'pa55',
      't0ken',
      'ghp_abc123',
      'ghs_t0ken',
      'p%40ss',
      'pw@',
      ':pass@',
    ])
      if (!expected.includes(secret)) expect(got).not.toContain(secret);
  });

  it('stripRemoteCredentials is idempotent', () => {
    for (const url of [
      'https://user@name:pa55@host/x.git?access_token=t',
      'ssh://git:s3cret@host/x.git',
      'u:p@host:o/r.git',
    ])
      expect(stripRemoteCredentials(stripRemoteCredentials(url))).toBe(stripRemoteCredentials(url));
  });
});

describe('stripCredentialsInText', () => {
  it('stripCredentialsInText strips every URL in a git error and keeps the rest', () => {
    const text =
      "fatal: unable to access 'https://u:t0ken@host/x.git/': 403\nremote: see ssh://git:s3cret@h/y.git?access_token=abc now";
    expect(stripCredentialsInText(text)).toBe(
      "fatal: unable to access 'https://host/x.git/': 403\nremote: see ssh://git@h/y.git now",
    );
  });
});
