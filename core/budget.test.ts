import { describe, expect, it } from 'vitest';
import { bindingCap, remainingBudgetUsd, utcDayStart } from './budget.js';

describe('remainingBudgetUsd', () => {
  it.each([
    [
      'no caps → null',
      { workspaceCapUsd: null, workspaceSpentUsd: 5, dailyCapUsd: null, dailySpentUsd: 9 },
      null,
    ],
    [
      'workspace cap only',
      { workspaceCapUsd: 2, workspaceSpentUsd: 0.5, dailyCapUsd: null, dailySpentUsd: 9 },
      1.5,
    ],
    [
      'daily cap only',
      { workspaceCapUsd: null, workspaceSpentUsd: 0, dailyCapUsd: 10, dailySpentUsd: 9.25 },
      0.75,
    ],
    [
      'the tighter cap wins',
      { workspaceCapUsd: 2, workspaceSpentUsd: 1, dailyCapUsd: 10, dailySpentUsd: 9.5 },
      0.5,
    ],
    [
      'overspent clamps to zero',
      { workspaceCapUsd: 1, workspaceSpentUsd: 1.2, dailyCapUsd: null, dailySpentUsd: 0 },
      0,
    ],
  ])('remainingBudgetUsd %s', (_name, input, expected) => {
    const got = remainingBudgetUsd(input);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 10);
  });

  it('bindingCap names the cap that runs out first', () => {
    expect(
      bindingCap({ workspaceCapUsd: 2, workspaceSpentUsd: 1, dailyCapUsd: 10, dailySpentUsd: 9.5 }),
    ).toBe('daily');
    expect(
      bindingCap({ workspaceCapUsd: 2, workspaceSpentUsd: 1.9, dailyCapUsd: 10, dailySpentUsd: 1 }),
    ).toBe('workspace');
    expect(
      bindingCap({ workspaceCapUsd: null, workspaceSpentUsd: 0, dailyCapUsd: null, dailySpentUsd: 0 }),
    ).toBeNull();
  });

  it('utcDayStart truncates to midnight UTC', () => {
    expect(utcDayStart(Date.UTC(2026, 10, 21, 13, 5, 7))).toBe(Date.UTC(2026, 10, 21));
  });
});
