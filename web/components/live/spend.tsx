'use client';

/** The header's Spend, from the live state (summed from stored rows), updated as messages land. */
import type { WorkspaceCosts } from '../../../db/queries/costs.js';
import { usd } from './live-transcript.js';
import { useLive } from './live-store.js';

export function Spend({
  workspaceId,
  initial,
  budgetUsd,
}: {
  workspaceId: string;
  initial: WorkspaceCosts;
  budgetUsd: number | null;
}) {
  const live = useLive(workspaceId);
  const c = live.state?.costs ?? initial;
  return (
    <span data-testid="spend" data-usd={c.workspaceUsd}>
      {usd(c.workspaceUsd)}
      {budgetUsd !== null ? ` of $${budgetUsd.toFixed(2)}` : ''} · {c.sessions.length} session
      {c.sessions.length === 1 ? '' : 's'} ·{' '}
      <span
        title="Spent today (UTC) by every workspace; what the daily budget counts"
        data-testid="spend-today"
        data-usd={c.todayUsd}
      >
        today {usd(c.workspaceTodayUsd)} here, {usd(c.todayUsd)} in all
      </span>
    </span>
  );
}
