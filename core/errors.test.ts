import { describe, expect, it } from 'vitest';
import { ERROR_TYPES, ErrorTypes, errorTypeOf, isErrorType, isRetryableErrorType } from './errors.js';

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
