import Link from 'next/link';
import { BoardLive } from '../components/live/board-live.js';
import { NewWorkspaceForm } from '../components/new-workspace-form.js';
import { RegisterProjectForm } from '../components/register-project-form.js';
import { COLUMNS, placeWorkspace, type Column } from '../lib/board.js';
import { getConsoleSettings } from '../../db/queries/settings.js';
import { db } from '../lib/db.js';
import { getSpendByWorkspace } from '../lib/costs.js';
import { listProjects } from '../lib/projects.js';
import { listBoardRows, type BoardRow } from '../lib/queries.js';
import { credentialRunner, installedAcpAgents } from '../lib/runners.js';

export const dynamic = 'force-dynamic';

const TITLES: Record<Column, string> = { working: 'Working', waiting: 'Waiting', done: 'Done' };

function Card({ row, reason, spentUsd }: { row: BoardRow; reason: string; spentUsd: number }) {
  const ws = row.workspace;
  return (
    <li className="card ws-card" data-testid="workspace-card">
      <Link href={`/workspaces/${ws.id}`} className="ws-title">
        {ws.title}
      </Link>
      <p className="reason">{reason}</p>
      <dl className="facts">
        <dt>Project</dt>
        <dd>{row.project.name}</dd>
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${ws.status}`}>{ws.status.replaceAll('_', ' ')}</span>
        </dd>
        <dt>Branch</dt>
        <dd>
          <code>{ws.branch}</code>
        </dd>
        {row.pr && (
          <>
            <dt>PR</dt>
            <dd>
              <a href={row.pr.url}>#{row.pr.number}</a> {row.pr.ciStatus ? `· CI ${row.pr.ciStatus}` : ''}
            </dd>
          </>
        )}
        <dt>Spend</dt>
        <dd>
          ${spentUsd.toFixed(2)}
          {ws.budgetUsd !== null ? ` of $${ws.budgetUsd.toFixed(2)}` : ''}
        </dd>
      </dl>
    </li>
  );
}

export default function BoardPage() {
  const database = db();
  const projects = listProjects(database);
  // Stored agent defaults pre-fill the form; without them, the first runner with credentials.
  const stored = getConsoleSettings({ db: database }).values['agent.defaults'];
  // Spend is summed from the stored rows, never read from the budget route's cached column.
  const spend = getSpendByWorkspace({ db: database });
  const placed = listBoardRows(database).flatMap((row) => {
    const p = placeWorkspace(row.workspace, row.pr);
    return p.column ? [{ row, column: p.column, reason: p.reason }] : [];
  });
  return (
    <div className="board-page">
      <BoardLive />
      <section className="board" aria-label="Board">
        {COLUMNS.map((column) => {
          const cards = placed.filter((p) => p.column === column);
          return (
            <div key={column} className="column" data-column={column}>
              <h2>
                {TITLES[column]} <span className="count">{cards.length}</span>
              </h2>
              {cards.length === 0 ? (
                <p className="muted empty">Nothing here.</p>
              ) : (
                <ul>
                  {cards.map((c) => (
                    <Card
                      key={c.row.workspace.id}
                      row={c.row}
                      reason={c.reason}
                      spentUsd={spend.get(c.row.workspace.id) ?? 0}
                    />
                  ))}
                </ul>
              )}
            </div>
          );
        })}
      </section>
      <aside className="side">
        <NewWorkspaceForm
          projects={projects.map((p) => ({
            id: p.id,
            name: p.name,
            defaultBranch: p.defaultBranch,
            github: p.githubOwner !== null && p.githubRepo !== null,
          }))}
          defaults={
            stored
              ? { runner: stored.runner, model: stored.model ?? '', mode: stored.mode }
              : { runner: credentialRunner(), model: '', mode: 'agent' }
          }
          acpAgents={installedAcpAgents()}
        />
        <RegisterProjectForm />
        <section className="card" aria-label="Projects">
          <h2>Projects</h2>
          {projects.length === 0 ? (
            <p className="muted">No projects yet.</p>
          ) : (
            <ul className="projects" data-testid="project-list">
              {projects.map((p) => (
                <li key={p.id}>
                  <strong>{p.name}</strong>
                  <span className="muted">
                    {p.githubOwner ? ` ${p.githubOwner}/${p.githubRepo}` : ' local only'} · {p.defaultBranch}
                  </span>
                  <div className="path">
                    <code>{p.repoPath}</code>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
    </div>
  );
}
