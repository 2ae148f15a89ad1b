/** Budget arithmetic: what a session may still spend, given the per-workspace and daily caps. */

export interface BudgetInput {
  /** null = no per-workspace cap. */
  workspaceCapUsd: number | null;
  workspaceSpentUsd: number;
  /** null = no global daily cap. */
  dailyCapUsd: number | null;
  dailySpentUsd: number;
}

/** Remaining dollars before the tighter cap, or null when nothing is capped. Never negative. */
export function remainingBudgetUsd(b: BudgetInput): number | null {
  const left: number[] = [];
  if (b.workspaceCapUsd !== null) left.push(b.workspaceCapUsd - b.workspaceSpentUsd);
  if (b.dailyCapUsd !== null) left.push(b.dailyCapUsd - b.dailySpentUsd);
  if (left.length === 0) return null;
  return Math.max(0, Math.min(...left));
}

/** Which cap binds, for the message shown while a workspace waits in `awaiting_budget`. */
export function bindingCap(b: BudgetInput): 'workspace' | 'daily' | null {
  const ws = b.workspaceCapUsd === null ? Infinity : b.workspaceCapUsd - b.workspaceSpentUsd;
  const day = b.dailyCapUsd === null ? Infinity : b.dailyCapUsd - b.dailySpentUsd;
  if (ws === Infinity && day === Infinity) return null;
  return ws <= day ? 'workspace' : 'daily';
}

/** Start of the UTC day containing `now` (ms), the boundary of the daily budget. */
export function utcDayStart(now: number): number {
  return now - (now % 86_400_000);
}
