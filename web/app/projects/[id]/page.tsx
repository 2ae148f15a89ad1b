import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ProjectSettingsForm } from '../../../components/project-settings-form.js';
import { db } from '../../../lib/db.js';
import { DomainError } from '../../../lib/errors.js';
import { getProjectDetail, type ProjectDetail } from '../../../lib/project-settings.js';

export const dynamic = 'force-dynamic';

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let detail: ProjectDetail;
  try {
    detail = getProjectDetail(db(), id);
  } catch (err) {
    if (err instanceof DomainError && err.type === 'ProjectNotFound') notFound();
    throw err;
  }
  const { project } = detail;
  return (
    <div className="narrow">
      <p>
        <Link href="/projects">← Projects</Link>
      </p>
      <section className="card" aria-label="Project">
        <h2>{project.name}</h2>
        <dl className="facts">
          <dt>Repository</dt>
          <dd>{project.repoPath}</dd>
          <dt>Remote</dt>
          <dd>{project.remoteUrl ?? 'none'}</dd>
          <dt>Worktrees</dt>
          <dd>{project.worktreeDir ?? 'the default directory (<RATCHET_HOME>/worktrees/<project>)'}</dd>
          <dt>Open PRs</dt>
          <dd>{detail.openPrs}</dd>
          <dt>Live workspaces</dt>
          <dd>{detail.liveWorkspaces}</dd>
          <dt>Spend</dt>
          <dd>${detail.spentUsd.toFixed(2)}</dd>
        </dl>
        {detail.repoConfigError && <p className="warn">{detail.repoConfigError}</p>}
      </section>
      <ProjectSettingsForm detail={JSON.parse(JSON.stringify(detail)) as ProjectDetail} />
    </div>
  );
}
