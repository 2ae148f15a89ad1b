import { notFound } from 'next/navigation';
import { DiffPanel } from '../../../components/diff-panel.js';
import { McpServersCard } from '../../../components/mcp-servers-card.js';
import { PrPanel } from '../../../components/pr-panel.js';
import { Spend } from '../../../components/live/spend.js';
import { RatchetCard } from '../../../components/ratchet-card.js';
import { RunPanel } from '../../../components/run-panel.js';
import { StartingWorkspace } from '../../../components/starting-workspace.js';
import { StopTurn } from '../../../components/stop-turn.js';
import { TerminalPanel } from '../../../components/terminal-panel.js';
import { TrustCard } from '../../../components/trust-card.js';
import { WorkspaceActions } from '../../../components/workspace-actions.js';
import { WorkflowLinks } from '../../../components/workflow-links.js';
import { WorkspaceLive } from '../../../components/workspace-live.js';
import { placeWorkspace } from '../../../lib/board.js';
import { db } from '../../../lib/db.js';
import { DomainError } from '../../../lib/errors.js';
import { getWorkspaceCosts } from '../../../../db/queries/costs.js';
import { getRatchetView } from '../../../lib/ratchet-view.js';
import { getRunScriptInfo } from '../../../lib/run-script.js';
import { temporalClient } from '../../../lib/temporal.js';
import { listMessagesBefore } from '../../../../db/queries/workspace-page.js';
import { getWorkflowLinks } from '../../../lib/workflow-links.js';
import { getWorkspaceMcp } from '../../../lib/mcp-servers.js';
import { getWorkspaceView, type WorkspaceView } from '../../../lib/workspace-view.js';
import { getPendingTrust, isArchived, workspaceIdSchema } from '../../../lib/workspaces.js';

export const dynamic = 'force-dynamic';

async function load(id: string): Promise<WorkspaceView | { state: 'unavailable'; message: string }> {
  if (!workspaceIdSchema.safeParse(id).success) notFound();
  try {
    return await getWorkspaceView({ db: db(), client: temporalClient, id });
  } catch (err) {
    if (err instanceof DomainError && err.type === 'WorkspaceNotFound') notFound();
    if (err instanceof DomainError) return { state: 'unavailable', message: err.message };
    throw err;
  }
}

export default async function WorkspacePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const view = await load(id);
  if (view.state === 'unavailable') {
    return (
      <section className="card">
        <h1>Workspace {id}</h1>
        <p className="error">{view.message}</p>
      </section>
    );
  }
  if (view.state === 'starting')
    return <StartingWorkspace workspaceId={id} workflowStatus={view.workflowStatus} />;

  const { workspace: ws, project, pr, events } = view;
  const placement = placeWorkspace(ws, pr);
  const archived = isArchived(ws);
  // The loop exists only once the PR is open; its card asks Temporal (briefly) and then SQLite.
  const trust = archived ? null : getPendingTrust({ db: db(), workspace: ws });
  const [ratchet, workflows, mcp] = await Promise.all([
    pr ? getRatchetView({ db: db(), client: temporalClient, workspaceId: ws.id }) : null,
    getWorkflowLinks({ db: db(), client: temporalClient, workspaceId: ws.id }),
    // The worktree's MCP config, as the agent activity reads it; asked about only until approved.
    archived ? null : getWorkspaceMcp(db(), ws.id),
  ]);
  const mcpPrompt = mcp && mcp.state !== 'none' && mcp.state !== 'approved' ? mcp : null;
  return (
    <div className="workspace-page">
      <header className="card ws-header">
        <div className="ws-heading">
          <h1>{ws.title}</h1>
          <span className={`badge status-${ws.status}`} data-testid="ws-status">
            {ws.status.replaceAll('_', ' ')}
          </span>
          {!archived && <StopTurn workspaceId={ws.id} initialStatus={ws.status} />}
        </div>
        <p className="reason">{placement.column ? `${placement.column}: ${placement.reason}` : 'Archived'}</p>
        <dl className="facts wide">
          <dt>Project</dt>
          <dd>{project.name}</dd>
          <dt>Branch</dt>
          <dd>
            <code>{ws.branch}</code> from <code>{ws.baseBranch}</code>
          </dd>
          <dt>Worktree</dt>
          <dd>
            <code>{ws.worktreePath}</code>
          </dd>
          {pr && (
            <>
              <dt>Pull request</dt>
              <dd>
                <a href={pr.url}>
                  #{pr.number} ({pr.state})
                </a>
                {pr.ciStatus ? ` · CI ${pr.ciStatus}` : ''}
              </dd>
            </>
          )}
          <dt>Spend</dt>
          <dd>
            <Spend
              workspaceId={ws.id}
              initial={getWorkspaceCosts({ db: db(), workspaceId: ws.id })}
              budgetUsd={ws.budgetUsd}
            />
          </dd>
          {ws.lastError && (
            <>
              <dt>Last error</dt>
              <dd className="error">{ws.lastError}</dd>
            </>
          )}
        </dl>
        <WorkspaceActions
          workspaceId={ws.id}
          canArchive={!archived}
          canApprovePlan={ws.status === 'awaiting_plan_approval'}
          canRaiseBudget={ws.status === 'awaiting_budget'}
          canOpenPr={!archived && !ws.ratchetEnabled && !pr && project.githubOwner !== null}
          budgetUsd={ws.budgetUsd}
        />
      </header>
      {trust && <TrustCard workspaceId={ws.id} pending={trust} />}
      {mcpPrompt && (
        <section className="card" data-testid="workspace-mcp">
          <h2>MCP servers in this worktree</h2>
          <p>
            The agent reads <code>.ratchet/config.json</code> from this worktree; its turns run without these
            servers until this exact text is approved for the project.
            {mcpPrompt.sha256 && mcpPrompt.sha256 !== mcpPrompt.defaultBranchSha256
              ? ` It differs from the config on ${project.defaultBranch}.`
              : ''}
          </p>
          <McpServersCard
            view={mcpPrompt}
            endpoint={`/api/workspaces/${ws.id}/mcp-trust`}
            testId="workspace-mcp-servers"
          />
        </section>
      )}
      {pr && (
        <PrPanel
          pr={pr}
          ratchet={ratchet}
          projectId={project.id}
          canPoke={!archived && (pr.state === 'open' || pr.state === 'draft')}
        />
      )}
      {ratchet && <RatchetCard workspaceId={ws.id} initial={ratchet} canSteer={!archived} />}
      <DiffPanel workspaceId={ws.id} version={ws.updatedAt} canComment={!archived} />
      <RunPanel workspaceId={ws.id} available={!archived} script={getRunScriptInfo(db(), project.id)} />
      <TerminalPanel workspaceId={ws.id} available={!archived} />
      <WorkflowLinks links={workflows} />
      <WorkspaceLive
        workspaceId={ws.id}
        initialEvents={events}
        initialPage={listMessagesBefore(db(), ws.id, null)}
        rendered={{ status: ws.status, statusReason: ws.statusReason, prUpdatedAt: pr?.updatedAt ?? null }}
        canMessage={!archived}
      />
    </div>
  );
}
