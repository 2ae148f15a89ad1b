'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, errorText } from './api.js';

interface PokeAnswer {
  poked: boolean;
  pollerId: string | null;
  reason?: string;
}

/** Asks the project's poller to read GitHub now (POST /api/projects/:id/poke), then re-renders the page as the answer lands. */
export function CheckNowButton({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function poke() {
    setBusy(true);
    setError(null);
    try {
      const res = await api<PokeAnswer>(`/api/projects/${projectId}/poke`, {
        method: 'POST',
        body: { reason: 'check now from the console' },
      });
      setNote(
        res.poked
          ? 'Asked GitHub now; the panel follows when the loop has read it.'
          : `Nothing to check: ${res.reason ?? 'no poller'}.`,
      );
      // The poll takes a moment; refresh a few times rather than wait for the next timeline event.
      for (const ms of [1000, 2500, 5000]) setTimeout(() => router.refresh(), ms);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="actions">
      <button
        type="button"
        disabled={busy}
        title="Poll GitHub for this PR now instead of at the end of the interval"
        onClick={() => void poke()}
      >
        {busy ? 'Checking…' : 'Check now'}
      </button>
      {note && (
        <span className="muted" role="status" data-testid="check-now-note">
          {note}
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
