'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { ProjectDetail, ProjectScriptView } from '../lib/project-settings.js';
import { api, ApiFailure, errorText } from './api.js';

const TRIGGERS = [
  ['changes_requested', 'Changes requested'],
  ['unresolved_threads', 'Unresolved review threads'],
  ['commented', 'Comment-only reviews'],
] as const;

function TrustLine({
  view,
  projectId,
  onDone,
}: {
  view: ProjectScriptView;
  projectId: string;
  onDone: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  if (view.script === null) return <p className="muted">No {view.kind} script.</p>;
  const decide = async (decision: 'approve' | 'reject') => {
    setError(null);
    try {
      await api(`/api/projects/${projectId}/trust`, {
        method: 'POST',
        body: { kind: view.kind, sha256: view.sha256, decision },
      });
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div data-testid={`trust-${view.kind}`} data-trust={view.trust ?? 'none'}>
      <p className="hint">
        From the {view.source === 'console' ? 'console' : 'repository (.ratchet/config.json)'} · sha256{' '}
        <code>{view.sha256?.slice(0, 12)}…</code> ·{' '}
        <strong>
          {view.trust === 'approved' ? 'approved' : view.trust === 'rejected' ? 'rejected' : 'not approved'}
        </strong>
      </p>
      <pre className="script">{view.script}</pre>
      {view.trust !== 'approved' && (
        <button type="button" onClick={() => void decide('approve')}>
          Approve this {view.kind} script
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Per project: default base branch, scripts with their trust, ratchet policy, removal. */
export function ProjectSettingsForm({ detail }: { detail: ProjectDetail }) {
  const router = useRouter();
  const p = detail.policy;
  const id = detail.project.id;
  const [defaultBranch, setDefaultBranch] = useState(detail.project.defaultBranch);
  const [worktreeDir, setWorktreeDir] = useState(detail.project.worktreeDir ?? '');
  const [allowlist, setAllowlist] = useState(p.reviewBotAllowlist.join(', '));
  const [requireApproval, setRequireApproval] = useState(p.requireApproval);
  const [mergeMethod, setMergeMethod] = useState(p.mergeMethod);
  const [perKey, setPerKey] = useState(String(p.maxAttemptsPerKey));
  const [perPr, setPerPr] = useState(String(p.maxAttemptsPerPr));
  const [triggers, setTriggers] = useState<string[]>(p.reviewTriggers);
  const [setup, setSetup] = useState(detail.scripts.setup ?? '');
  const [run, setRun] = useState(detail.scripts.run ?? '');
  const [runPort, setRunPort] = useState(detail.scripts.runPort ? String(detail.scripts.runPort) : '');
  const [cleanup, setCleanup] = useState(detail.scripts.cleanup ?? '');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await api<{ signalledLoops: number }>(`/api/projects/${id}`, {
        method: 'PATCH',
        body: {
          defaultBranch,
          worktreeDir: worktreeDir.trim() ? worktreeDir.trim() : null,
          policy: {
            reviewBotAllowlist: allowlist
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
            requireApproval,
            mergeMethod,
            maxAttemptsPerKey: Number(perKey),
            maxAttemptsPerPr: Number(perPr),
            reviewTriggers: triggers,
          },
          scripts: {
            ...(setup.trim() ? { setup } : {}),
            ...(run.trim() ? { run } : {}),
            runPort: runPort.trim() ? Number(runPort) : null,
            ...(cleanup.trim() ? { cleanup } : {}),
          },
        },
      });
      setNotice(
        `Saved${r.signalledLoops ? `; ${r.signalledLoops} running ratchet loop(s) use the new policy` : ''}.`,
      );
      router.refresh();
    } catch (err) {
      setError(
        err instanceof ApiFailure && err.fields.length
          ? err.fields.map((f) => `${f.path}: ${f.message}`).join('; ')
          : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!window.confirm(`Remove ${detail.project.name} from Ratchet? The repository on disk is not touched.`))
      return;
    setError(null);
    try {
      await api(`/api/projects/${id}`, { method: 'DELETE' });
      router.push('/projects');
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    }
  }

  const view = (k: string) => detail.scriptViews.find((v) => v.kind === k)!;
  return (
    <>
      <form className="card form" onSubmit={save} aria-label="Project settings">
        <h2>Branch and worktrees</h2>
        <label>
          Default base branch
          <input
            name="defaultBranch"
            value={defaultBranch}
            onChange={(e) => setDefaultBranch(e.target.value)}
          />
        </label>
        <label>
          Worktree directory (for new workspaces; absolute, or relative to the repository)
          <input
            name="worktreeDir"
            value={worktreeDir}
            onChange={(e) => setWorktreeDir(e.target.value)}
            placeholder="<RATCHET_HOME>/worktrees/<project> (the default)"
          />
        </label>

        <h2>Ratchet policy</h2>
        <label>
          Review bots whose feedback counts (comma-separated logins)
          <input
            name="reviewBotAllowlist"
            value={allowlist}
            onChange={(e) => setAllowlist(e.target.value)}
            placeholder="coderabbitai, copilot-pull-request-reviewer"
          />
        </label>
        <label className="row">
          <input
            type="checkbox"
            name="requireApproval"
            checked={requireApproval}
            onChange={(e) => setRequireApproval(e.target.checked)}
          />
          Require a human approval before merge-ready
        </label>
        <label>
          Merge method
          <select
            name="mergeMethod"
            value={mergeMethod}
            onChange={(e) => setMergeMethod(e.target.value as typeof mergeMethod)}
          >
            <option value="squash">squash</option>
            <option value="merge">merge</option>
            <option value="rebase">rebase</option>
          </select>
        </label>
        <label>
          Fix attempts per unchanged snapshot
          <input
            name="maxAttemptsPerKey"
            type="number"
            min="1"
            max="20"
            value={perKey}
            onChange={(e) => setPerKey(e.target.value)}
          />
        </label>
        <label>
          Fix attempts per PR
          <input
            name="maxAttemptsPerPr"
            type="number"
            min="1"
            max="500"
            value={perPr}
            onChange={(e) => setPerPr(e.target.value)}
          />
        </label>
        <fieldset>
          <legend>Review feedback that triggers a fix</legend>
          {TRIGGERS.map(([value, label]) => (
            <label className="row" key={value}>
              <input
                type="checkbox"
                name={`trigger-${value}`}
                checked={triggers.includes(value)}
                onChange={(e) =>
                  setTriggers((t) => (e.target.checked ? [...t, value] : t.filter((x) => x !== value)))
                }
              />
              {label}
            </label>
          ))}
        </fieldset>

        <h2>Scripts</h2>
        <p className="hint muted">
          A script set here replaces the repository&apos;s of that kind. Nothing runs before you approve its
          exact text; an edited script asks again.
        </p>
        <label>
          Setup (runs in each new worktree)
          <textarea name="setup" rows={3} value={setup} onChange={(e) => setSetup(e.target.value)} />
        </label>
        <TrustLine view={view('setup')} projectId={id} onDone={() => router.refresh()} />
        <label>
          Run (a long-running dev server)
          <textarea name="run" rows={2} value={run} onChange={(e) => setRun(e.target.value)} />
        </label>
        <label>
          Its port
          <input
            name="runPort"
            type="number"
            min="1"
            max="65535"
            value={runPort}
            onChange={(e) => setRunPort(e.target.value)}
          />
        </label>
        <TrustLine view={view('run')} projectId={id} onDone={() => router.refresh()} />
        <label>
          Cleanup (runs before a worktree is removed on archive)
          <textarea name="cleanup" rows={2} value={cleanup} onChange={(e) => setCleanup(e.target.value)} />
        </label>
        <TrustLine view={view('cleanup')} projectId={id} onDone={() => router.refresh()} />

        {error && (
          <p className="error" role="alert" data-testid="project-settings-error">
            {error}
          </p>
        )}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      <section className="card" aria-label="Remove project">
        <h2>Remove project</h2>
        <p className="muted">
          Forgets the project in Ratchet (refused while it has live workspaces). The repository on disk is not
          touched.
        </p>
        <button type="button" className="danger" onClick={() => void remove()}>
          Remove project
        </button>
      </section>
    </>
  );
}
