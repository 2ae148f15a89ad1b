import { describe, expect, it } from 'vitest';
import { adoptionRefusal, intakeSourceSchema, parsePrReference, type AdoptionCandidate } from './intake.js';

describe('parsePrReference', () => {
  it.each<[string, string, ReturnType<typeof parsePrReference>]>([
    ['a bare number', '12', { ok: true, number: 12 }],
    ['#number', '#7', { ok: true, number: 7 }],
    ['spaces around', '  42 ', { ok: true, number: 42 }],
    [
      'a GitHub pull URL',
      'https://github.com/acme/app/pull/12',
      { ok: true, number: 12, owner: 'acme', repo: 'app' },
    ],
    [
      'a URL to the PR files tab',
      'https://github.com/acme/app/pull/12/files',
      { ok: true, number: 12, owner: 'acme', repo: 'app' },
    ],
    ['zero', '0', { ok: false, reason: 'must be a positive PR number' }],
    [
      'an issue URL',
      'https://github.com/acme/app/issues/3',
      {
        ok: false,
        reason: 'is not a pull request URL (…/<owner>/<repo>/pull/<number>)',
      },
    ],
    ['a word', 'twelve', { ok: false, reason: 'must be a pull request URL, #number or number' }],
    [
      'another scheme',
      'ftp://github.com/acme/app/pull/1',
      { ok: false, reason: 'must be an http(s) pull request URL' },
    ],
  ])('parsePrReference reads %s', (_name, raw, want) => {
    expect(parsePrReference(raw)).toEqual(want);
  });
});

const open: AdoptionCandidate = {
  number: 5,
  state: 'open',
  merged: false,
  headRef: 'feature/x',
  headRepo: 'acme/app',
  baseRef: 'main',
};
const project = { owner: 'acme', repo: 'app' };

describe('adoptionRefusal', () => {
  it.each<[string, Partial<AdoptionCandidate>, { owner?: string; repo?: string } | undefined, string | null]>(
    [
      ['an open PR from the same repository is adopted', {}, undefined, null],
      ['the repository name is compared case-insensitively', { headRepo: 'ACME/App' }, undefined, null],
      [
        'a URL of another repository is refused',
        {},
        { owner: 'other', repo: 'app' },
        'PR URL names other/app',
      ],
      ['a merged PR is refused', { merged: true, state: 'closed' }, undefined, 'already merged'],
      ['a closed PR is refused', { state: 'closed' }, undefined, 'is closed, not open'],
      [
        'a fork PR is refused with the reason',
        { headRepo: 'mallory/app' },
        undefined,
        'comes from the fork mallory/app',
      ],
      ['a deleted fork is refused', { headRepo: null }, undefined, 'deleted fork'],
      ['a head branch Ratchet cannot use is refused', { headRef: '-x' }, undefined, 'is not a branch name'],
    ],
  )('adoptionRefusal: %s', (_name, patch, named, want) => {
    const got = adoptionRefusal({ ...open, ...patch }, project, named);
    if (want === null) expect(got).toBeNull();
    else expect(got).toContain(want);
  });
});

describe('intakeSourceSchema', () => {
  it('intakeSourceSchema names the bad field of each kind', () => {
    const paths = (raw: unknown) => {
      const r = intakeSourceSchema.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ kind: 'issue' })).toEqual(['number']);
    expect(paths({ kind: 'issue', number: -1 })).toEqual(['number']);
    expect(new Set(paths({ kind: 'branch', branch: '../etc' }))).toEqual(new Set(['branch']));
    expect(paths({ kind: 'pr', pr: '' })).toEqual(['pr']);
    expect(paths({ kind: 'nope' })).toEqual(['kind']);
    expect(paths({ kind: 'prompt' })).toEqual([]);
  });
});
