/**
 * Phase 1 of a workspace (first run only): the read-model row, the worktree, the setup script
 * (only a text this project trusts), then either the implement turn queued or, for "Ratchet this
 * PR", the adopted PR handed to its loop.
 */
import { condition, patched } from '@temporalio/workflow';
import { keys } from '../core/ids.js';
import type { DecideTrustInput } from '../core/script-trust.js';
import { adoptPr } from './workspace-pr.js';
import type { WorkspaceRun } from './workspace-run.js';

/** Setup runs only for a trusted text (before it, unasked: such histories replay that way). */
const SCRIPT_TRUST_PATCH = 'script-trust';

export async function startWorkspace(run: WorkspaceRun): Promise<void> {
  const { spec, acts } = run;
  await acts.store.recordWorkspace({ spec, dedupeKey: run.key('created') });
  await run.setStatus('creating_worktree', `Creating worktree at ${spec.worktreePath}`);
  const wt = await acts.git.createWorktree({
    workspaceId: spec.workspaceId,
    repoPath: spec.repoPath,
    worktreeRoot: spec.worktreeRoot,
    worktreePath: spec.worktreePath,
    branch: spec.branch,
    baseBranch: spec.baseBranch,
    remote: spec.remote,
    ...(spec.existingBranch ? { existingBranch: true } : {}),
  });
  await run.event(
    'worktree.ready',
    `Worktree ready on ${spec.branch} from ${wt.startPoint} (${wt.head.slice(0, 8)})`,
    {
      data: wt,
      what: 'worktree',
    },
  );
  if (patched(SCRIPT_TRUST_PATCH)) {
    await runTrustedSetup(run);
  } else {
    // Histories from before trust: setup ran unasked; they replay that way.
    await run.setStatus('setting_up', 'Running setup script');
    await acts.setup.runSetupScript({
      workspaceId: spec.workspaceId,
      worktreePath: spec.worktreePath,
      defaultTimeoutMs: run.timings.setupTimeoutMs,
    });
  }
  // "Ratchet this PR": the PR exists, so no implement turn; the prompt is a description, not a task.
  if (!(await adoptPr(run))) run.queue.unshift({ text: spec.prompt, purpose: 'implement' });
}

/**
 * The setup script runs only when this project trusts its exact text (`script-trust` patch):
 * trusted → runs; untrusted → `awaiting_trust` until the person approves (trust recorded, then
 * it runs) or skips (recorded, visibly not run); no script or a broken config → nothing runs.
 */
async function runTrustedSetup(run: WorkspaceRun): Promise<void> {
  const { spec, acts, requests } = run;
  await run.setStatus('setting_up', 'Checking the setup script');
  const check = await acts.setup.checkScriptTrust({
    projectId: spec.projectId,
    worktreePath: spec.worktreePath,
    kind: 'setup',
  });
  const event = (kind: string, message: string, level: 'info' | 'warn' | 'error' = 'info', data?: unknown) =>
    run.event(kind, message, { level, data });
  if (check.state === 'no_script') return event('setup.skipped', 'No setup script in .ratchet/config.json');
  if (check.state === 'invalid_config') return event('setup.failed', check.error, 'error');
  const runScript = async (sha256: string) => {
    await acts.setup.runSetupScript({
      workspaceId: spec.workspaceId,
      worktreePath: spec.worktreePath,
      defaultTimeoutMs: run.timings.setupTimeoutMs,
      trustedSha256: sha256,
    });
  };
  if (check.state === 'trusted') {
    await event(
      'trust.trusted',
      `Setup script approved before for this project (sha256 ${check.sha256.slice(0, 12)}…)`,
      'info',
      { kind: check.kind, sha256: check.sha256 },
    );
    return runScript(check.sha256);
  }
  const { kind, sha256, script } = check;
  run.pendingTrust = { kind, sha256, script };
  requests.trust = null;
  const asked = check.previously === 'rejected' ? ' (you ran without this exact script before)' : '';
  await event(
    'trust.requested',
    `The ${kind} script has not been approved for this project${asked}; it runs only once you approve it`,
    'warn',
    { kind, sha256, script },
  );
  await acts.store.recordNotification({
    workspaceId: spec.workspaceId,
    level: 'warn',
    title: `Approve the ${kind} script of "${spec.title}"?`,
    body: script.length > 2000 ? `${script.slice(0, 2000)}…` : script,
    dedupeKey: keys.trustNotification(spec.workspaceId, sha256),
  });
  await run.setStatus('awaiting_trust', `Waiting for you to approve the ${kind} script`, 'trust');
  await condition(() => requests.trust !== null || requests.archive);
  run.pendingTrust = null;
  const decision = requests.trust as DecideTrustInput['decision'] | null;
  if (decision === null) return; // archived while waiting: nothing runs
  const approved = decision === 'approve';
  await acts.setup.recordScriptTrust({
    projectId: spec.projectId,
    workspaceId: spec.workspaceId,
    kind,
    sha256,
    script,
    decision: approved ? 'approved' : 'rejected',
  });
  if (!approved) {
    return event('setup.skipped', `You chose to run without the ${kind} script; it was not run`, 'warn', {
      kind,
      sha256,
      decision: 'skip',
    });
  }
  await event(
    'trust.approved',
    `You approved the ${kind} script (sha256 ${sha256.slice(0, 12)}…) for this project`,
    'info',
    { kind, sha256 },
  );
  await run.setStatus('setting_up', 'Running the approved setup script');
  return runScript(sha256);
}
