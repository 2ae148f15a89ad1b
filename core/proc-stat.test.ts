import { describe, expect, it } from 'vitest';
import { parseProcStat } from './proc-stat.js';

// Real lines from /proc/<pid>/stat (Linux 6.x), the command with spaces and a parenthesis.
const SLEEPING =
  '4242 (node) S 4200 4242 4200 0 -1 4194560 1290 0 0 0 3 1 0 0 20 0 11 0 123456 1150976000 12000 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';
const ODD_NAME =
  '77 (sh -c (echo) x) Z 70 71 70 0 -1 4194564 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('parseProcStat', () => {
  it.each([
    ['a sleeping node', SLEEPING, { state: 'S', pgid: 4242, startTicks: '123456' }],
    [
      'a zombie whose command holds spaces and parentheses',
      ODD_NAME,
      { state: 'Z', pgid: 71, startTicks: '999' },
    ],
    ['a truncated line', '12 (x', null],
    ['nothing after the command', '12 (x)', null],
  ])('%s', (_name, line, want) => {
    expect(parseProcStat(line)).toEqual(want);
  });
});
