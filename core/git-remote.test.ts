import { describe, expect, it } from 'vitest';
import { parseGithubRemote } from './git-remote.js';

describe('parseGithubRemote', () => {
  const cases: Array<[string, { owner: string; repo: string } | null]> = [
    ['git@github.com:octo/widgets.git', { owner: 'octo', repo: 'widgets' }],
    ['git@github.com:octo/widgets', { owner: 'octo', repo: 'widgets' }],
    ['https://github.com/octo/widgets', { owner: 'octo', repo: 'widgets' }],
    ['https://github.com/octo/widgets.git', { owner: 'octo', repo: 'widgets' }],
    ['https://github.com/octo/widgets/', { owner: 'octo', repo: 'widgets' }],
    ['https://x-access-token@github.com/octo/my.repo.git', { owner: 'octo', repo: 'my.repo' }],
    ['ssh://git@github.com/octo/widgets.git', { owner: 'octo', repo: 'widgets' }],
    ['ssh://git@github.com:22/octo/widgets.git', { owner: 'octo', repo: 'widgets' }],
    ['  git@github.com:Octo-Org/widgets_2.git\n', { owner: 'Octo-Org', repo: 'widgets_2' }],
    ['https://gitlab.com/octo/widgets.git', null],
    ['git@bitbucket.org:octo/widgets.git', null],
    ['/tmp/remotes/widgets.git', null],
    ['file:///tmp/remotes/widgets.git', null],
    ['https://github.com/octo', null],
    ['https://github.com/octo/widgets/tree/main', null],
    ['git@github.com:-x/widgets.git', null],
    ['', null],
  ];
  it.each(cases)('parseGithubRemote reads %j', (url, expected) => {
    const got = parseGithubRemote(url);
    expect(got && { owner: got.owner, repo: got.repo }).toEqual(expected);
  });

  it('parseGithubRemote accepts a configured enterprise host and lowercases it', () => {
    expect(parseGithubRemote('git@GHE.example.com:team/app.git', ['ghe.example.com'])).toEqual({
      host: 'ghe.example.com',
      owner: 'team',
      repo: 'app',
    });
    expect(parseGithubRemote('git@ghe.example.com:team/app.git')).toBeNull();
  });
});
