'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, errorText } from './api.js';
import { PlanAnswer } from './plan-answer.js';

export function WorkspaceActions(props: {
  workspaceId: string;
  canArchive: boolean;
  canApprovePlan: boolean;
  canRaiseBudget: boolean;
  /** The ratchet is off and no PR is open yet: the person may open it. */
  canOpenPr?: boolean;
  budgetUsd: number | null;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [budget, setBudget] = useState(String(Math.max(1, Math.ceil((props.budgetUsd ?? 5) * 2))));
  const base = `/api/workspaces/${props.workspaceId}`;

  async function run(name: string, url: string, body: unknown) {
    setBusy(name);
    setError(null);
    try {
      await api(url, { method: 'POST', body });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  if (!props.canArchive && !props.canApprovePlan && !props.canRaiseBudget && !props.canOpenPr) return null;
  return (
    <div className="actions">
      {props.canApprovePlan && (
        <PlanAnswer
          busy={busy !== null}
          onAnswer={(decision, note) =>
            run(
              'approve',
              `${base}/approve-plan`,
              note.trim() ? { decision, note: note.trim() } : { decision },
            )
          }
        />
      )}
      {props.canRaiseBudget && (
        <span className="inline">
          <label>
            New budget (USD)
            <input
              type="number"
              min="0.01"
              step="0.01"
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
            />
          </label>
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => run('budget', `${base}/budget`, { budgetUsd: Number(budget) })}
          >
            {busy === 'budget' ? 'Raising…' : 'Raise budget'}
          </button>
        </span>
      )}
      {props.canOpenPr && (
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void run('open-pr', `${base}/open-pr`, {})}
        >
          {busy === 'open-pr' ? 'Opening…' : 'Open pull request'}
        </button>
      )}
      {props.canArchive && (
        <button
          type="button"
          className="danger"
          disabled={busy !== null}
          onClick={() => {
            if (window.confirm('Archive this workspace? The worktree is removed; the branch is kept.'))
              void run('archive', `${base}/archive`, {});
          }}
        >
          {busy === 'archive' ? 'Archiving…' : 'Archive'}
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
