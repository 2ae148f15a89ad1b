/**
 * The pull request at a glance, from its last stored snapshot: checks (state, link to the run),
 * reviews, unresolved threads, mergeability and conflicts, and the ratchet's state with the
 * reason for its next action. "Check now" pokes the poller.
 */
import { prSnapshotSchema } from '../../core/pr.js';
import { prPanelOf } from '../../core/pr-panel.js';
import type { PullRequest } from '../../db/schema.js';
import type { RatchetView } from '../lib/ratchet-view.js';
import { CheckNowButton } from './check-now-button.js';

const spaced = (s: string) => s.toLowerCase().replaceAll('_', ' ');
const clip = (s: string, n = 280) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function PrPanel({
  pr,
  ratchet,
  projectId,
  canPoke,
}: {
  pr: PullRequest;
  ratchet: RatchetView | null;
  projectId: string;
  canPoke: boolean;
}) {
  const parsed = prSnapshotSchema.safeParse(pr.snapshot);
  const panel = parsed.success ? prPanelOf(parsed.data) : null;
  const state = ratchet?.live?.state ?? pr.ratchetState;
  const reason = ratchet?.live?.reason ?? pr.ratchetReason;
  return (
    <section className="card pr-panel" aria-label="Pull request" data-testid="pr-panel">
      <div className="ratchet-head">
        <h2>
          Pull request{' '}
          <a href={pr.url} rel="noreferrer">
            #{pr.number}
          </a>
        </h2>
        <span className={`badge ci-${panel?.ci ?? pr.ciStatus ?? 'none'}`} data-testid="pr-ci">
          CI {panel?.ci ?? pr.ciStatus ?? 'unknown'}
        </span>
        {pr.lastSnapshotAt && (
          <span className="muted source" suppressHydrationWarning>
            read from GitHub at {new Date(pr.lastSnapshotAt).toLocaleTimeString()}
          </span>
        )}
      </div>
      <dl className="facts wide">
        <dt>Ratchet</dt>
        <dd data-testid="pr-ratchet">
          {state ? (
            <span className={`badge rstate-${state}`}>{state.replaceAll('_', ' ')}</span>
          ) : (
            'no decision yet'
          )}
          {reason ? <span className="reason"> {reason}</span> : null}
        </dd>
        <dt>Mergeable</dt>
        <dd data-testid="pr-merge" className={panel?.conflict ? 'error' : undefined}>
          {panel
            ? `${panel.mergeSummary} (${spaced(panel.mergeable)}, ${spaced(panel.mergeStateStatus)})`
            : '—'}
        </dd>
        <dt>Review</dt>
        <dd>{panel?.reviewDecision ? spaced(panel.reviewDecision) : 'no decision'}</dd>
      </dl>
      {!panel && <p className="muted">No snapshot of this PR yet: the loop has not read it from GitHub.</p>}
      {panel && (
        <>
          <h3>Checks</h3>
          {panel.checks.length === 0 ? (
            <p className="muted">No checks reported on {panel.headSha.slice(0, 7)}.</p>
          ) : (
            <ul className="pr-checks" data-testid="pr-checks">
              {panel.checks.map((c) => (
                <li key={`${c.workflowName ?? ''}/${c.name}`} data-testid="pr-check" data-result={c.result}>
                  <span className={`badge check-${c.result}`}>{spaced(c.outcome)}</span>{' '}
                  {c.url ? (
                    <a href={c.url} rel="noreferrer">
                      {c.workflowName ? `${c.workflowName} / ${c.name}` : c.name}
                    </a>
                  ) : (
                    <span>{c.workflowName ? `${c.workflowName} / ${c.name}` : c.name}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
          <h3>Reviews</h3>
          {panel.reviews.length === 0 ? (
            <p className="muted">No reviews yet.</p>
          ) : (
            <ul className="pr-reviews" data-testid="pr-reviews">
              {panel.reviews.map((r) => (
                <li key={r.author}>
                  <strong>{r.author}</strong>
                  {r.isBot ? ' (bot)' : ''}{' '}
                  <span className={`badge review-${r.state}`}>{spaced(r.state)}</span>
                  {r.body && <span className="msg"> {clip(r.body)}</span>}
                </li>
              ))}
            </ul>
          )}
          <h3>Unresolved threads</h3>
          {panel.threads.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="pr-threads" data-testid="pr-threads">
              {panel.threads.map((t, i) => (
                <li key={i}>
                  <code>
                    {t.path}
                    {t.line !== null ? `:${t.line}` : ''}
                  </code>
                  {t.outdated ? ' (outdated)' : ''} <strong>{t.author}</strong>: {clip(t.body)}
                  {t.comments > 1 ? ` (+${t.comments - 1} repl${t.comments === 2 ? 'y' : 'ies'})` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {canPoke && <CheckNowButton projectId={projectId} />}
    </section>
  );
}
