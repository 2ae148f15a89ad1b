import Link from 'next/link';
import type { BoardCard } from '../../../db/queries/board.js';

/** `3m`, `5h`, `12d`: how long ago the workspace was created. */
export function ageOf(createdAt: number, now: number): string {
  const s = Math.max(0, Math.floor((now - createdAt) / 1000));
  if (s < 3600) return `${Math.max(1, Math.floor(s / 60))}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

const label = (s: string) => s.replaceAll('_', ' ');

/** One workspace on the board: title, reason, and the facts a person scans for. */
export function Card({ card, now, selected }: { card: BoardCard; now: number; selected: boolean }) {
  return (
    <li
      className={`card ws-card${selected ? ' selected' : ''}`}
      data-testid="workspace-card"
      data-id={card.id}
      data-selected={selected ? 'true' : undefined}
      aria-current={selected ? 'true' : undefined}
    >
      <Link href={`/workspaces/${card.id}`} className="ws-title" prefetch={false}>
        {card.title}
      </Link>
      <p className="reason">{card.reason}</p>
      <div className="chips">
        <span className="muted">{card.projectName}</span>
        <span className={`badge status-${card.status}`}>{label(card.status)}</span>
        {card.prNumber !== null && card.prUrl && (
          <a href={card.prUrl} className="badge" data-testid="card-pr">
            #{card.prNumber}
            {card.prState === 'draft' ? ' draft' : ''}
          </a>
        )}
        {card.ciStatus && card.ciStatus !== 'none' && (
          <span className={`badge ci-${card.ciStatus}`} data-testid="card-ci">
            CI {card.ciStatus}
          </span>
        )}
        {card.ratchetState && (
          <span className="badge" data-testid="card-ratchet">
            {label(card.ratchetState)}
            {card.attempts > 0 ? ` · ${card.attempts} ${card.attempts === 1 ? 'attempt' : 'attempts'}` : ''}
          </span>
        )}
        {!card.ratchetState && card.attempts > 0 && (
          <span className="badge" data-testid="card-ratchet">
            {card.attempts} {card.attempts === 1 ? 'attempt' : 'attempts'}
          </span>
        )}
        {card.unread > 0 && (
          <span className="badge unread" title="Unread notifications">
            {card.unread} new
          </span>
        )}
      </div>
      <div className="card-foot">
        <code>{card.branch}</code>
        <span data-testid="card-spend">
          ${card.spentUsd.toFixed(2)}
          {card.budgetUsd !== null ? ` of $${card.budgetUsd.toFixed(2)}` : ''}
        </span>
        <span className="muted" data-testid="card-age" title={new Date(card.createdAt).toISOString()}>
          {ageOf(card.createdAt, now)}
        </span>
      </div>
    </li>
  );
}
