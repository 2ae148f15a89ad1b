import { describe, expect, it } from 'vitest';
import { worktreeDirRefusal, type WorktreeDirFacts } from './worktree-dir.js';

const base: WorktreeDirFacts = {
  given: '/home/me/worktrees',
  resolved: '/home/me/worktrees',
  state: 'missing',
  dataDir: '/home/me/.ratchet',
  homeDir: '/home/me',
  repoPaths: ['/home/me/code/app'],
};
const at = (given: string, more: Partial<WorktreeDirFacts> = {}): WorktreeDirFacts => ({
  ...base,
  given,
  resolved: given,
  ...more,
});

describe('worktreeDirRefusal', () => {
  it.each<[string, WorktreeDirFacts, RegExp | null]>([
    ['a new directory of the user is accepted', base, null],
    ['an empty existing directory is accepted', { ...base, state: 'empty' }, null],
    [
      'a directory Ratchet created is accepted though not empty',
      { ...base, state: 'created_by_ratchet' },
      null,
    ],
    ['a directory inside the data directory is accepted', at('/home/me/.ratchet/wt'), null],
    ['a directory under /tmp is accepted', at('/tmp/ratchet-wt'), null],
    [
      'a relative path is refused',
      at('worktrees', { resolved: '/srv/app/worktrees' }),
      /^must be an absolute path$/,
    ],
    ['the root is refused', at('/'), /system directory/],
    [
      '/etc/../etc (resolved to /etc) is refused',
      at('/etc/../etc', { resolved: '/etc' }),
      /resolves to \/etc, a system directory/,
    ],
    ['inside /usr is refused', at('/usr/local/wt'), /system directory/],
    ['inside /proc is refused', at('/proc/self/cwd'), /system directory/],
    ['/tmp itself is refused', at('/tmp'), /system directory/],
    ['/home itself is refused', at('/home'), /system directory/],
    [
      'a symlink into /etc is refused by its realpath',
      at('/home/me/link', { resolved: '/etc/cron.d' }),
      /resolves to \/etc\/cron.d/,
    ],
    ['the home directory itself is refused', at('/home/me'), /your home directory/],
    ['the data directory root is refused', at('/home/me/.ratchet'), /data directory/],
    [
      'a directory holding the data directory is refused',
      at('/home/me', { homeDir: '/elsewhere' }),
      /holds\) the data directory/,
    ],
    [
      'the repository itself is refused',
      at('/home/me/code/app'),
      /inside the repository \/home\/me\/code\/app/,
    ],
    ['inside the repository is refused', at('/home/me/code/app/.worktrees'), /inside the repository/],
    ['a sibling with a shared prefix is not inside', at('/home/me/code/app-wt'), null],
    ['a file is refused', { ...base, state: 'not_a_directory' }, /not a directory/],
    [
      'a non-empty directory not created by Ratchet is refused',
      { ...base, state: 'not_empty' },
      /not empty and was not created by Ratchet/,
    ],
  ])('worktreeDirRefusal: %s', (_name, facts, expected) => {
    const got = worktreeDirRefusal(facts);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatch(expected);
  });
});
