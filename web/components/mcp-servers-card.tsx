'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ProjectMcpView } from '../lib/mcp-servers.js';
import { api, errorText } from './api.js';

const STATE_TEXT: Record<ProjectMcpView['state'], string> = {
  none: 'no MCP servers configured',
  invalid: 'config invalid: nothing starts',
  approved: 'approved: started for every agent turn',
  not_approved: 'not approved: nothing starts',
  rejected: 'rejected: nothing starts',
};

/**
 * One project's MCP servers from `.ratchet/config.json`: names, commands or URLs, and the NAMES of
 * the variables each takes (set or not on this machine), never a value. A config that is not
 * approved shows its exact text; the answer carries its sha256, so only what was shown is trusted.
 * Settings posts to the project's endpoint (the default branch's text); the workspace page to the
 * workspace's (its worktree's text).
 */
export function McpServersCard({
  view,
  endpoint = `/api/projects/${view.projectId}/mcp-trust`,
  testId = `mcp-${view.projectId}`,
}: {
  view: ProjectMcpView;
  endpoint?: string;
  testId?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function decide(decision: 'approve' | 'reject') {
    setBusy(true);
    setError(null);
    try {
      await api(endpoint, {
        method: 'POST',
        body: { decision, sha256: view.sha256 },
      });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mcp-project" data-testid={testId}>
      <h3>
        {view.projectName} <span className="muted">({STATE_TEXT[view.state]})</span>
      </h3>
      {view.error && <p className="error">{view.error}</p>}
      {view.servers.length > 0 && (
        <table className="settings">
          <tbody>
            {view.servers.map((s) => (
              <tr key={s.name}>
                <th>{s.name}</th>
                <td>
                  {s.type} <code>{s.target}</code>
                  {s.envNames.length > 0 && (
                    <>
                      {' '}
                      · variables{' '}
                      {s.envNames.map((n) => (
                        <code key={n} title={s.envSet[n] ? 'set on this machine' : 'not set on this machine'}>
                          {n}
                          {s.envSet[n] ? '' : ' (not set)'}{' '}
                        </code>
                      ))}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view.sha256 && view.state !== 'approved' && (
        <>
          <p>
            Approving starts these servers as you, in each workspace of this project, with the named
            variables. A changed config asks again.
          </p>
          <pre data-testid="mcp-config-text">{view.text}</pre>
          <p className="muted">
            {view.source} · sha256 <code>{view.sha256}</code>
          </p>
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void decide('approve')}>
              Approve MCP servers
            </button>
            {view.state !== 'rejected' && (
              <button type="button" disabled={busy} onClick={() => void decide('reject')}>
                Reject
              </button>
            )}
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
