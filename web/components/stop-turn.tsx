'use client';

import { useEffect, useState } from 'react';
import { api, errorText } from './api.js';
import { useLive } from './live/live-store.js';

/**
 * The Stop button: shown while an agent turn runs (the status comes over the page's live channel),
 * it asks the workflow to cancel the turn (`POST /stop`). What the agent said stays; the workspace
 * goes back to idle and the next follow-up starts a new turn.
 */
export function StopTurn({ workspaceId, initialStatus }: { workspaceId: string; initialStatus: string }) {
  const live = useLive(workspaceId);
  const running = (live.state?.status ?? initialStatus) === 'agent_running';
  // 'sent': the workflow accepted the Stop and is waiting for the agent's process to die.
  const [phase, setPhase] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!running) {
      setPhase('idle');
      setError(null);
    }
  }, [running]);
  if (!running) return null;
  async function stop() {
    setPhase('sending');
    setError(null);
    try {
      await api(`/api/workspaces/${encodeURIComponent(workspaceId)}/stop`, { method: 'POST', body: {} });
      setPhase('sent');
    } catch (err) {
      setError(errorText(err));
      setPhase('idle');
    }
  }
  return (
    <span className="stop-turn" data-testid="stop-turn">
      <button
        type="button"
        className="danger"
        onClick={stop}
        disabled={phase !== 'idle'}
        title="Cancel the running agent turn; what it already said is kept"
      >
        {phase === 'idle' ? 'Stop' : 'Stopping…'}
      </button>
      {error && <span className="error">{error}</span>}
    </span>
  );
}
