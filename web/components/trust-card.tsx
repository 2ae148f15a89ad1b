'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { PendingTrust } from '../../core/script-trust.js';
import { api, errorText } from './api.js';

/**
 * The repository's script waiting for the person: the exact text, and the two answers. The sha256
 * of the text shown goes with the answer, so the server approves only what was on screen.
 */
export function TrustCard({ workspaceId, pending }: { workspaceId: string; pending: PendingTrust }) {
  const router = useRouter();
  const [busy, setBusy] = useState<'approve' | 'skip' | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function decide(decision: 'approve' | 'skip') {
    setBusy(decision);
    setError(null);
    try {
      await api(`/api/workspaces/${workspaceId}/trust`, {
        method: 'POST',
        body: { decision, sha256: pending.sha256 },
      });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card trust-card" data-testid="trust-card">
      <h2>Run this repository&apos;s {pending.kind} script?</h2>
      <p>
        <code>.ratchet/config.json</code> asks to run this command in the new worktree, as you. It has not
        been approved for this project. Approving trusts this exact text for later workspaces too; a changed
        script asks again.
      </p>
      <pre data-testid="trust-script">{pending.script}</pre>
      <p className="muted">
        sha256 <code>{pending.sha256}</code>
      </p>
      <div className="actions">
        <button type="button" disabled={busy !== null} onClick={() => void decide('approve')}>
          {busy === 'approve' ? 'Approving…' : 'Approve and run'}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void decide('skip')}>
          {busy === 'skip' ? 'Continuing…' : `Run without ${pending.kind}`}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
