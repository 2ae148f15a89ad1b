/** The glob matcher used by list_files and grep. */
import { describe, expect, it } from 'vitest';
import { compileGlob, globToRegExp } from '../../activities/agents/tools/glob.js';

const cases: Array<[glob: string, path: string, matches: boolean]> = [
  ['*.ts', 'a.ts', true],
  ['*.ts', 'src/deep/a.ts', true], // no slash: matches the base name at any depth
  ['*.ts', 'a.tsx', false],
  ['src/*.ts', 'src/a.ts', true],
  ['src/*.ts', 'src/x/a.ts', false],
  ['src/**/*.ts', 'src/a.ts', true],
  ['src/**/*.ts', 'src/x/y/a.ts', true],
  ['src/**/*.ts', 'lib/a.ts', false],
  ['**/*.test.ts', 'tests/agents/tools.test.ts', true],
  ['**', 'any/thing/at/all', true],
  ['src/**', 'src/a/b', true],
  ['src/**', 'srcx/a', false],
  ['*.{js,jsx}', 'web/app.jsx', true],
  ['*.{js,jsx}', 'web/app.ts', false],
  ['file?.md', 'file1.md', true],
  ['file?.md', 'file10.md', false],
  ['[abc].txt', 'b.txt', true],
  ['[!abc].txt', 'b.txt', false],
  ['[!abc].txt', 'd.txt', true],
  ['a.b', 'axb', false], // dots are literal
  ['(x)+.ts', '(x)+.ts', true], // regex metacharacters are literal
  ['./src/*.ts', 'src/a.ts', true],
];

describe('compileGlob', () => {
  it.each(cases)('%s vs %s → %s', (glob, p, expected) => {
    expect(compileGlob(glob)(p)).toBe(expected);
  });

  it('rejects an unclosed brace, naming the glob', () => {
    expect(() => globToRegExp('*.{ts,js')).toThrow('"*.{ts,js"');
  });
});
