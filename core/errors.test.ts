import { describe, expect, it } from 'vitest';
import {
  ERROR_TYPES,
  ErrorTypes,
  errorTypeOf,
  GITHUB_PERMANENT_ERRORS,
  isErrorType,
  isRetryableErrorType,
  LOCAL_PERMANENT_ERRORS,
  messageOf,
} from './errors.js';

describe('ErrorTypes', () => {
  it('ErrorTypes values equal their keys (the wire name is the code name)', () => {
    for (const [key, value] of Object.entries(ErrorTypes)) expect(value).toBe(key);
  });

  it('ErrorTypes includes every type activities rely on', () => {
    expect(ERROR_TYPES).toEqual(
      expect.arrayContaining([
        'NotAGitRepo',
        'PathEscape',
        'PrClosed',
        'GithubRateLimited',
        'BudgetExceeded',
        'ConfigInvalid',
      ]),
    );
  });
});

describe('errorTypeOf', () => {
  it.each([
    ['a direct type', { type: 'PrClosed' }, 'PrClosed'],
    [
      'a nested cause (ActivityFailure → ApplicationFailure)',
      { message: 'activity failed', cause: { type: 'GithubAuth' } },
      'GithubAuth',
    ],
    ['an unknown type', { type: 'SomethingElse' }, null],
    ['a plain Error', new Error('boom'), null],
    ['a string', 'PrClosed', null],
    ['null', null, null],
  ])('errorTypeOf reads %s', (_name, err, expected) => {
    expect(errorTypeOf(err)).toBe(expected);
  });

  it('errorTypeOf stops on a cause cycle', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(errorTypeOf(a)).toBeNull();
  });
});

describe('isRetryableErrorType', () => {
  it.each([
    ['GithubRateLimited', true],
    ['ProviderUnavailable', true],
    ['PrClosed', false],
    ['BudgetExceeded', false],
  ] as const)('isRetryableErrorType %s → %s', (type, expected) => {
    expect(isErrorType(type)).toBe(true);
    expect(isRetryableErrorType(type)).toBe(expected);
  });
});

describe('permanent error lists', () => {
  it('never list a type a retry can fix', () => {
    for (const type of [...GITHUB_PERMANENT_ERRORS, ...LOCAL_PERMANENT_ERRORS])
      expect(isRetryableErrorType(type), type).toBe(false);
  });

  it('cover every non-retryable GitHub type the GitHub folder throws', () => {
    const github = ERROR_TYPES.filter((t) => t.startsWith('Github') && !isRetryableErrorType(t));
    expect([...GITHUB_PERMANENT_ERRORS].sort()).toEqual(
      [...github, ErrorTypes.PrClosed, ErrorTypes.BranchDeleted].sort(),
    );
  });
});

describe('messageOf', () => {
  it.each([
    ['an Error', new Error('boom'), 'boom'],
    [
      'an activity failure with a cause',
      Object.assign(new Error('Activity task failed'), { cause: new Error('git: exit 128') }),
      'git: exit 128',
    ],
    ['a cause without a message', Object.assign(new Error('outer'), { cause: {} }), 'outer'],
    ['a string', 'plain', 'plain'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
  ] as const)('%s', (_name, err, expected) => {
    expect(messageOf(err)).toBe(expected);
  });
});
