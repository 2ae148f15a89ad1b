'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { AgentMode, RunnerName } from '../../core/agent.js';
import { api, ApiFailure, errorText } from './api.js';

export interface ProjectOption {
  id: string;
  name: string;
  defaultBranch: string;
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
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const project = projects.find((p) => p.id === projectId);
  const modelFor = (r: RunnerName) => (r === defaults.runner ? defaults.model : '');

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
        body: { projectId, title, prompt, baseBranch, agent, ratchet: { enabled: ratchet, autoMerge } },
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
      <label>
        Title
        <input
          name="title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="Add rate limiting to the API"
          required
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
          placeholder="What should the agent do?"
          required
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
