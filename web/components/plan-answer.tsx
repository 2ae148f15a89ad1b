'use client';

import { useState } from 'react';

/**
 * The plan card's answers: Approve (with an optional note for the implementation), Reject, or
 * Revise with a note (the agent plans again). Posts to /api/workspaces/:id/approve-plan.
 */
export function PlanAnswer(props: {
  busy: boolean;
  onAnswer: (decision: 'approve' | 'reject' | 'revise', note: string) => void;
}) {
  const [note, setNote] = useState('');
  return (
    <span className="inline plan-answer">
      <label>
        Note for the agent
        <textarea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          rows={2}
          placeholder="Optional; required to revise"
        />
      </label>
      <button type="button" disabled={props.busy} onClick={() => props.onAnswer('approve', note)}>
        Approve plan
      </button>
      <button
        type="button"
        disabled={props.busy || note.trim() === ''}
        onClick={() => props.onAnswer('revise', note)}
      >
        Revise plan
      </button>
      <button type="button" disabled={props.busy} onClick={() => props.onAnswer('reject', note)}>
        Reject plan
      </button>
    </span>
  );
}
