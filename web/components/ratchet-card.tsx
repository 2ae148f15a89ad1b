'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { RatchetControlAction } from '../lib/ratchet-control.js';
import type { RatchetView } from '../lib/ratchet-view.js';
import { api, errorText } from './api.js';
import { useLive } from './live/live-store.js';

const CONTROLS: Record<RatchetControlAction, { label: string; busy: string; title: string }> = {
  pause: {
    label: 'Pause',
    busy: 'Pausing…',
    title:
      'Stop acting on this PR: the loop keeps watching it but starts no fixer and merges nothing until resumed.',
  },
  resume: {
    label: 'Resume',
    busy: 'Resuming…',
    title: 'Let the loop act on this PR again, from its current attempt counts.',
  },
  retry: {
    label: 'Retry now',
    busy: 'Retrying…',
    title:
      'Forget the attempt counts and open questions on this PR and let the loop decide again now: a stalled or asking loop starts a new fixer on the same snapshot instead of waiting for the PR to change.',
  },
};

const RETRYABLE = new Set(['stalled', 'awaiting_human']);

const spaced = (s: string) => s.replaceAll('_', ' ');
const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '—');

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function Time({ at }: { at: number }) {
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()} suppressHydrationWarning>
      {d.toLocaleTimeString()}
    </time>
  );
}

export function RatchetCard({
  workspaceId,
  initial,
  canSteer,
}: {
  workspaceId: string;
  initial: RatchetView;
  /** False for an archived workspace: the API refuses its actions. */
  canSteer: boolean;
}) {
  const url = `/api/workspaces/${workspaceId}/ratchet`;
  const [fetched, setFetched] = useState<RatchetView | null>(null);
  const [busy, setBusy] = useState<RatchetControlAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState<string | null>(null);
  const inFlight = useRef(false);
  // The page re-renders on timeline events and hands a fresh `initial`; show whichever is newer.
  const view = fetched && fetched.observedAt >= initial.observedAt ? fetched : initial;

  // A reload asked for while one is in flight runs again after it: the one in flight may have
  // read the loop before the change that asked for the new one (there is no timer to catch up).
  const again = useRef(false);
  const reload = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        try {
          const next = await api<RatchetView>(url);
          setFetched((prev) => (prev && prev.observedAt > next.observedAt ? prev : next));
          setStale(null);
        } catch (err) {
          setStale(errorText(err));
        }
      } while (again.current);
    } finally {
      inFlight.current = false;
    }
  }, [url]);

  // The page's live channel says when the PR row or a fixer changed; the card then asks again
  // (instead of polling on a timer).
  const channel = useLive(workspaceId);
  const changed = channel.state
    ? JSON.stringify([channel.state.pr, channel.state.fixes, channel.state.status, channel.events.length])
    : null;
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (changed === null) return;
    if (seen.current !== null && seen.current !== changed) void reload();
    seen.current = changed;
  }, [changed, reload]);

  const controlButton = (action: RatchetControlAction, className?: string) => (
    <button
      type="button"
      className={className}
      disabled={busy !== null}
      title={CONTROLS[action].title}
      onClick={() => void control(action)}
    >
      {busy === action ? CONTROLS[action].busy : CONTROLS[action].label}
    </button>
  );

  async function control(action: RatchetControlAction) {
    setBusy(action);
    setError(null);
    try {
      await api(url, { method: 'POST', body: { action } });
      await reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  const live = view.live;
  const state = live?.state ?? view.pr?.ratchetState ?? null;
  const reason = live?.reason ?? view.pr?.ratchetReason ?? null;
  const paused = live ? live.paused : state === 'paused';
  const questions = Object.entries(live?.memory.questions ?? {});
  const attemptsOnPr = live ? Object.values(live.memory.attempts).reduce((sum, a) => sum + a.count, 0) : null;
  const running = view.workflowStatus === 'RUNNING' && !live?.done;
  const steerable = canSteer && running;

  return (
    <section className="card ratchet" aria-label="Ratchet" data-testid="ratchet-card">
      <div className="ratchet-head">
        <h2>Ratchet</h2>
        {state ? (
          <span className={`badge rstate-${state}`} data-testid="ratchet-state">
            {spaced(state)}
          </span>
        ) : (
          <span className="badge">no decision yet</span>
        )}
        <span className="muted source" data-testid="ratchet-source">
          {view.source === 'live' ? `live from ${view.workflowId}` : `from the read model: ${view.note}`}
        </span>
      </div>
      {reason && (
        <p className="reason" data-testid="ratchet-reason">
          {reason}
        </p>
      )}

      {questions.length > 0 && (
        <div
          className={state === 'awaiting_human' ? 'callout' : 'questions'}
          role={state === 'awaiting_human' ? 'note' : undefined}
          data-testid="ratchet-questions"
        >
          <h3>{state === 'awaiting_human' ? 'The fixer is asking you' : 'Open questions'}</h3>
          <ul>
            {questions.map(([key, question]) => (
              <li key={key} title={`snapshot ${key}`}>
                {question}
              </li>
            ))}
          </ul>
          {state === 'awaiting_human' && (
            <p className="muted">
              Answer on the pull request (a push or a review starts the next attempt), or press Retry now to
              let the fixer try again on this snapshot.
            </p>
          )}
        </div>
      )}

      <dl className="facts wide">
        <dt>Paused</dt>
        <dd data-testid="ratchet-paused">{paused ? 'yes: the loop watches but does not act' : 'no'}</dd>
        <dt>Fixer</dt>
        <dd data-testid="ratchet-fixer">
          {live?.fixer ? (
            <>
              <code>{live.fixer.workflowId}</code> ({live.fixer.kind})
            </>
          ) : live ? (
            'none running'
          ) : (
            '—'
          )}
        </dd>
        <dt>Head</dt>
        <dd>
          <code title={live?.headSha ?? view.pr?.headSha ?? undefined}>
            {shortSha(live?.headSha ?? view.pr?.headSha)}
          </code>
          {view.pr?.ciStatus ? ` · CI ${view.pr.ciStatus}` : ''}
        </dd>
        {live && (
          <>
            <dt>Attempts</dt>
            <dd data-testid="ratchet-attempts">
              {attemptsOnPr} counted on this PR · {live.fixNo} fixer{live.fixNo === 1 ? '' : 's'} started
            </dd>
          </>
        )}
      </dl>

      {steerable && (
        <div className="actions">
          {paused ? controlButton('resume') : controlButton('pause', 'secondary')}
          {state !== null && RETRYABLE.has(state) && controlButton('retry')}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stale && <p className="warn">Live updates paused: {stale}</p>}

      <h3>Fix attempts</h3>
      {view.fixAttempts.length === 0 ? (
        <p className="muted">No fixer has run on this PR.</p>
      ) : (
        <table className="attempts" data-testid="fix-attempts">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Attempt</th>
              <th>Head</th>
              <th>Status</th>
              <th>Detail</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {view.fixAttempts.map((f) => (
              <tr key={f.workflowId} data-testid="fix-attempt">
                <td title={f.workflowId}>{f.kind}</td>
                <td>{f.attempt}</td>
                <td>
                  <code title={f.headSha}>{shortSha(f.headSha)}</code>
                </td>
                <td>
                  <span className={`badge fix-${f.status}`}>{spaced(f.status)}</span>
                </td>
                <td className="detail">{f.detail ?? ''}</td>
                <td>
                  <Time at={f.startedAt} />
                </td>
                <td>
                  {f.endedAt !== null
                    ? duration(f.endedAt - f.startedAt)
                    : `running ${duration(view.observedAt - f.startedAt)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {view.notifications.length > 0 && (
        <>
          <h3>Notifications</h3>
          <ul className="notifications" data-testid="ratchet-notifications">
            {view.notifications.map((n) => (
              <li key={n.id} className={`level-${n.level}`}>
                <Time at={n.createdAt} /> <strong>{n.title}</strong>
                <span className="msg">{n.body}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
