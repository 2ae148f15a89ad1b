'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import type { AgentMode, RunnerName } from '../../core/agent.js';
import { api, ApiFailure, errorText } from './api.js';

export interface ProjectOption {
  id: string;
  name: string;
  defaultBranch: string;
  /** The project has a GitHub repository behind origin (issues and PRs need one). */
  github?: boolean;
}

type SourceKind = 'prompt' | 'issue' | 'branch' | 'pr';
const SOURCE_LABELS: Record<SourceKind, string> = {
  prompt: 'Prompt',
  issue: 'GitHub issue',
  branch: 'Existing branch',
  pr: 'Ratchet a PR',
};

interface IssueOption {
  number: number;
  title: string;
  labels: string[];
  assignees: string[];
}

/** The same list as core/agent.ts, spelled out so the browser bundle does not pull in zod. */
export const RUNNERS = [
  'script',
  'anthropic',
  'openai',
  'claude-code',
  'acp',
] as const satisfies readonly RunnerName[];

/** What the form starts with: the stored agent defaults, or the page's credential-based pick. */
export interface FormAgentDefaults {
  runner: RunnerName;
  /** Belongs to `runner`; '' = the runner's own default. */
  model: string;
  mode: AgentMode;
}

export function NewWorkspaceForm({
  projects,
  defaults,
  acpAgents = [],
}: {
  projects: ProjectOption[];
  defaults: FormAgentDefaults;
  /** Installed ACP agents (`claude`, `codex`, `gemini`, config-file names); the acp runner needs one. */
  acpAgents?: string[];
}) {
  const router = useRouter();
  const [projectId, setProjectId] = useState(projects[0]?.id ?? '');
  const [title, setTitle] = useState('');
  const [prompt, setPrompt] = useState('');
  const [baseBranch, setBaseBranch] = useState('');
  const [runner, setRunner] = useState<RunnerName>(defaults.runner);
  const [model, setModel] = useState(defaults.model);
  const [mode, setMode] = useState<AgentMode>(defaults.mode);
  const [acpAgent, setAcpAgent] = useState(acpAgents[0] ?? '');
  const [ratchet, setRatchet] = useState(true);
  const [autoMerge, setAutoMerge] = useState(false);
  const [source, setSource] = useState<SourceKind>('prompt');
  const [issueQuery, setIssueQuery] = useState('');
  const [issues, setIssues] = useState<IssueOption[] | null>(null);
  const [issuesError, setIssuesError] = useState<string | null>(null);
  const [issueNumber, setIssueNumber] = useState<number | null>(null);
  const [branchName, setBranchName] = useState('');
  const [prRef, setPrRef] = useState('');
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const project = projects.find((p) => p.id === projectId);
  const modelFor = (r: RunnerName) => (r === defaults.runner ? defaults.model : '');

  // The issue picker: the project's open issues, searched on the server (debounced) as you type.
  useEffect(() => {
    if (source !== 'issue' || !projectId) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      const q = issueQuery.trim() ? `?q=${encodeURIComponent(issueQuery.trim())}` : '';
      setIssuesError(null);
      api<{ issues: IssueOption[] }>(`/api/projects/${encodeURIComponent(projectId)}/issues${q}`, {
        signal: ctrl.signal,
      })
        .then((r) => setIssues(r.issues))
        .catch((err: unknown) => {
          if (!ctrl.signal.aborted) setIssuesError(errorText(err));
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [source, projectId, issueQuery]);

  const sourceBody = () => {
    switch (source) {
      case 'issue':
        return issueNumber ? { kind: 'issue', number: issueNumber } : { kind: 'issue' };
      case 'branch':
        return { kind: 'branch', branch: branchName.trim() };
      case 'pr':
        return { kind: 'pr', pr: prRef.trim() };
      default:
        return { kind: 'prompt' };
    }
  };
  const ownText = source === 'prompt' || source === 'branch';

  // The default model belongs to the default runner: switching runner swaps it, unless it was edited.
  function chooseRunner(next: RunnerName) {
    if (model === modelFor(runner)) setModel(modelFor(next));
    setRunner(next);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setError(null);
    try {
      const agent = {
        runner,
        mode,
        ...(model.trim() ? { model: model.trim() } : {}),
        ...(runner === 'acp' && acpAgent ? { provider: acpAgent } : {}),
      };
      const { workspaceId } = await api<{ workspaceId: string }>('/api/workspaces', {
        method: 'POST',
        body: {
          projectId,
          source: sourceBody(),
          ...(title.trim() || ownText ? { title } : {}),
          ...(prompt.trim() || ownText ? { prompt } : {}),
          baseBranch: source === 'pr' ? '' : baseBranch,
          agent,
          ratchet: { enabled: source === 'pr' ? true : ratchet, autoMerge },
        },
      });
      router.push(`/workspaces/${workspaceId}`);
    } catch (err) {
      if (err instanceof ApiFailure) setFailure(err);
      else setError(errorText(err));
      setBusy(false);
    }
  }

  const fieldError = (path: string) =>
    failure?.field(path) && <span className="error">{failure.field(path)}</span>;
  if (projects.length === 0) {
    return (
      <section className="card form">
        <h2>New workspace</h2>
        <p className="muted">Register a project first.</p>
      </section>
    );
  }
  return (
    <form className="card form" onSubmit={submit} aria-label="New workspace">
      <h2>New workspace</h2>
      <label>
        Project
        <select name="projectId" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {fieldError('projectId')}
      </label>
      <div className="source-tabs" role="group" aria-label="Start from">
        {(Object.keys(SOURCE_LABELS) as SourceKind[]).map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={source === k}
            disabled={(k === 'issue' || k === 'pr') && project?.github === false}
            title={
              (k === 'issue' || k === 'pr') && project?.github === false ? 'Needs a GitHub origin' : undefined
            }
            onClick={() => setSource(k)}
          >
            {SOURCE_LABELS[k]}
          </button>
        ))}
      </div>
      {source === 'issue' && (
        <div className="intake-issue">
          <label>
            Search open issues
            <input
              name="issueQuery"
              value={issueQuery}
              onChange={(e) => setIssueQuery(e.target.value)}
              placeholder="title or text"
            />
          </label>
          {issuesError && <span className="error">{issuesError}</span>}
          {issues === null && !issuesError && <p className="muted">Loading issues…</p>}
          {issues?.length === 0 && <p className="muted">No open issues match.</p>}
          {issues && issues.length > 0 && (
            <ul className="issue-picker" data-testid="issue-picker">
              {issues.map((i) => (
                <li key={i.number}>
                  <button
                    type="button"
                    aria-pressed={issueNumber === i.number}
                    data-issue={i.number}
                    onClick={() => setIssueNumber(i.number)}
                  >
                    #{i.number} {i.title}
                    {i.labels.map((l) => (
                      <span key={l} className="pill">
                        {l}
                      </span>
                    ))}
                    {i.assignees.length > 0 && <span className="muted"> · {i.assignees.join(', ')}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {fieldError('source.number')}
        </div>
      )}
      {source === 'branch' && (
        <label>
          Branch (local or on origin)
          <input
            name="branch"
            value={branchName}
            onChange={(e) => setBranchName(e.target.value)}
            placeholder="feature/my-branch"
          />
          {fieldError('source.branch')}
        </label>
      )}
      {source === 'pr' && (
        <label>
          Pull request (URL or number)
          <input
            name="pr"
            value={prRef}
            onChange={(e) => setPrRef(e.target.value)}
            placeholder="https://github.com/owner/repo/pull/12 or 12"
          />
          {fieldError('source.pr')}
        </label>
      )}
      <label>
        Title
        <input
          name="title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder={ownText ? 'Add rate limiting to the API' : 'from the issue or PR when left blank'}
          required={ownText}
        />
        {fieldError('title')}
      </label>
      <label>
        Prompt
        <textarea
          name="prompt"
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          rows={4}
          placeholder={ownText ? 'What should the agent do?' : 'optional: the issue or PR is the task'}
          required={ownText}
        />
        {fieldError('prompt')}
      </label>
      <div className="row">
        <label>
          Base branch
          <input
            name="baseBranch"
            value={baseBranch}
            onChange={(e) => setBaseBranch(e.target.value)}
            placeholder={project?.defaultBranch ?? 'main'}
          />
          {fieldError('baseBranch')}
        </label>
        <label>
          Runner
          <select name="runner" value={runner} onChange={(e) => chooseRunner(e.target.value as RunnerName)}>
            {RUNNERS.filter((r) => r !== 'acp' || acpAgents.length > 0 || runner === 'acp').map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {runner === 'acp' && (
          <label>
            ACP agent
            <select name="acpAgent" value={acpAgent} onChange={(e) => setAcpAgent(e.target.value)}>
              {acpAgents.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
            {fieldError('agent.provider')}
          </label>
        )}
        <label>
          Model
          <input
            name="model"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="runner default"
          />
          {fieldError('agent.model')}
        </label>
        <label>
          Mode
          <select name="mode" value={mode} onChange={(e) => setMode(e.target.value as AgentMode)}>
            <option value="agent">agent</option>
            <option value="plan">plan first</option>
          </select>
        </label>
      </div>
      <div className="checks">
        <label>
          <input type="checkbox" checked={ratchet} onChange={(e) => setRatchet(e.target.checked)} /> Ratchet
          the PR (fix CI, reviews, conflicts)
        </label>
        <label>
          <input
            type="checkbox"
            checked={autoMerge}
            disabled={!ratchet}
            onChange={(e) => setAutoMerge(e.target.checked)}
          />{' '}
          Auto-merge when ready
        </label>
      </div>
      {failure && failure.fields.length === 0 && (
        <p className="error" role="alert">
          {failure.message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start workspace'}
      </button>
    </form>
  );
}
