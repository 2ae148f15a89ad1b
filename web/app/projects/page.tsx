import Link from 'next/link';
import { CloneProjectForm } from '../../components/clone-project-form.js';
import { RegisterProjectForm } from '../../components/register-project-form.js';
import { db } from '../../lib/db.js';
import { listProjectSummaries } from '../../lib/project-settings.js';

export const dynamic = 'force-dynamic';

const usd = (n: number) => `$${n.toFixed(2)}`;

export default function ProjectsPage() {
  const rows = listProjectSummaries(db());
  return (
    <div className="narrow">
      <section className="card" aria-label="Projects">
        <h2>Projects</h2>
        {rows.length === 0 ? (
          <p className="muted">No projects yet: register a local repository or clone one by URL.</p>
        ) : (
          <table className="settings" data-testid="projects-table">
            <thead>
              <tr>
                <th>Project</th>
                <th>Remote</th>
                <th>Default branch</th>
                <th>Open PRs</th>
                <th>Live workspaces</th>
                <th>Spend</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ project, openPrs, spentUsd, liveWorkspaces }) => (
                <tr key={project.id} data-project={project.id}>
                  <td>
                    <Link href={`/projects/${project.id}`}>{project.name}</Link>
                    <div className="muted path">{project.repoPath}</div>
                  </td>
                  <td>{project.remoteUrl ?? <span className="muted">none</span>}</td>
                  <td>{project.defaultBranch}</td>
                  <td data-testid="open-prs">{openPrs}</td>
                  <td>{liveWorkspaces}</td>
                  <td data-testid="spend">{usd(spentUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <CloneProjectForm />
      <RegisterProjectForm />
    </div>
  );
}
