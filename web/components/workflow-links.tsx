/** Every workflow of the workspace, each linked to its page in the Temporal UI when one is configured. */
import type { WorkflowLinks as Links } from '../lib/workflow-links.js';

const ROLE_LABEL = { workspace: 'Workspace', ratchet: 'Ratchet loop', fixer: 'Fixer' } as const;

export function WorkflowLinks({ links }: { links: Links }) {
  return (
    <section className="card workflow-links" aria-label="Workflows" data-testid="workflow-links">
      <h2>Workflows</h2>
      {links.workflows.length === 0 ? (
        <p className="muted">Temporal lists no workflow of this workspace yet.</p>
      ) : (
        <table className="attempts">
          <thead>
            <tr>
              <th>Role</th>
              <th>Workflow</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {links.workflows.map((w) => (
              <tr key={`${w.workflowId}/${w.runId ?? ''}`} data-testid="workflow-link" data-role={w.role}>
                <td>{ROLE_LABEL[w.role]}</td>
                <td>
                  {w.url ? (
                    <a
                      href={w.url}
                      target="_blank"
                      rel="noreferrer"
                      title={w.runId ? `run ${w.runId}` : undefined}
                    >
                      <code>{w.workflowId}</code>
                    </a>
                  ) : (
                    <code title={w.runId ? `run ${w.runId}` : undefined}>{w.workflowId}</code>
                  )}
                </td>
                <td>{w.status ? w.status.toLowerCase().replaceAll('_', ' ') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!links.uiUrl && (
        <p className="muted" data-testid="workflow-links-off">
          No Temporal UI address is configured, so these are not links (set RATCHET_TEMPORAL_UI_URL, or run
          `npm start` with its local UI on).
        </p>
      )}
      {links.note && <p className="warn">{links.note}</p>}
    </section>
  );
}
