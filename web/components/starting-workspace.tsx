'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { api, errorText } from './api.js';

/** Shown while the workflow runs but its first activity has not written the row yet. */
export function StartingWorkspace({
  workspaceId,
  workflowStatus,
}: {
  workspaceId: string;
  workflowStatus: string;
}) {
  const router = useRouter();
  const [status, setStatus] = useState(workflowStatus);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const timer = setInterval(() => {
      api<{ state: string; workflowStatus?: string }>(`/api/workspaces/${workspaceId}`)
        .then((v) => {
          if (stopped) return;
          setError(null);
          if (v.state === 'ready') router.refresh();
          else if (v.workflowStatus) setStatus(v.workflowStatus);
        })
        .catch((err: unknown) => setError(errorText(err)));
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [workspaceId, router]);
  const running = status === 'RUNNING';
  return (
    <section className="card">
      <h1>Workspace {workspaceId}</h1>
      <p data-testid="starting">
        {running
          ? 'Starting…'
          : `The workflow is ${status.toLowerCase()} and has not recorded this workspace.`}
      </p>
      {error && <p className="error">{error}</p>}
    </section>
  );
}
