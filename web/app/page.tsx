import { boardQueryToSearch, parseBoardQuery } from '../../core/board-query.js';
import { listBoard } from '../../db/queries/board.js';
import { getConsoleSettings } from '../../db/queries/settings.js';
import { BoardView } from '../components/board/board-view.js';
import { NewWorkspaceForm } from '../components/new-workspace-form.js';
import { RegisterProjectForm } from '../components/register-project-form.js';
import { db } from '../lib/db.js';
import { listProjects } from '../lib/projects.js';
import { credentialRunner, installedAcpAgents } from '../lib/runners.js';

export const dynamic = 'force-dynamic';

export default async function BoardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const database = db();
  const parsed = parseBoardQuery(await searchParams);
  const projects = listProjects(database);
  // Stored agent defaults pre-fill the form; without them, the first runner with credentials.
  const stored = getConsoleSettings({ db: database }).values['agent.defaults'];
  const renderedAt = Date.now();
  return (
    <div className="board-page">
      {parsed.success ? (
        <BoardView
          key={boardQueryToSearch(parsed.data)}
          query={parsed.data}
          initial={listBoard({ db: database, query: parsed.data }).columns}
          projects={projects.map((p) => ({ id: p.id, name: p.name }))}
          renderedAt={renderedAt}
        />
      ) : (
        <section className="card" aria-label="Board">
          <p className="error" role="alert">
            This board address is not valid:{' '}
            {parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}.
          </p>
          <a href="/">Open the board</a>
        </section>
      )}
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
