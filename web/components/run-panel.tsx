'use client';

/**
 * The workspace's dev server: the project's run script, started in the worktree by "Run" (only
 * once its exact text is approved on the project page), its live output (a Server-Sent Events
 * stream from the console's process: the kept tail first, then new output, escapes removed) and
 * its port as a link. "Stop" sends SIGTERM to its process group and SIGKILL after a grace.
 */
import { useEffect, useRef, useState } from 'react';
import { RUN_OUTPUT_TAIL_CHARS, appendTail, type RunView } from '../../core/run-script.js';
import type { RunScriptInfo } from '../lib/run-script.js';
import { api, errorText } from './api.js';

export function RunPanel({
  workspaceId,
  available,
  script,
}: {
  workspaceId: string;
  /** False once the workspace is archived (its worktree is gone). */
  available: boolean;
  script: RunScriptInfo;
}) {
  const [run, setRun] = useState<RunView | null>(null);
  const [output, setOutput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pane = useRef<HTMLPreElement>(null);
  const base = `/api/workspaces/${encodeURIComponent(workspaceId)}/run`;

  useEffect(() => {
    if (script.script === 'none') return;
    const source = new EventSource(`${base}/live`);
    source.addEventListener('reset', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { text: string; state: RunView };
      setOutput(d.text);
      setRun(d.state);
    });
    source.addEventListener('output', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { text: string };
      setOutput((o) => appendTail(o, d.text, RUN_OUTPUT_TAIL_CHARS));
    });
    source.addEventListener('state', (e) => setRun(JSON.parse((e as MessageEvent<string>).data) as RunView));
    return () => source.close();
  }, [base, script.script]);

  // Follow the tail while the reader is at the bottom; leave them where they are otherwise.
  const atBottom = useRef(true);
  useEffect(() => {
    const el = pane.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [output]);

  async function act(method: 'POST' | 'DELETE') {
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ run: RunView }>(base, { method });
      setRun(res.run);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const running = run?.status === 'running' || run?.status === 'stopping';
  const url = run?.url ?? (script.port !== null ? `http://localhost:${script.port}` : null);
  return (
    <section className="card run-panel" aria-label="Run script" data-testid="run-panel">
      <div className="terminal-head">
        <h2>Dev server</h2>
        <span className={`badge run-${run?.status ?? 'stopped'}`} data-testid="run-status">
          {run?.status ?? 'stopped'}
          {running && run?.pid ? ` · pid ${run.pid}` : ''}
        </span>
        {url && (
          <a href={url} target="_blank" rel="noreferrer" data-testid="run-url">
            {url}
          </a>
        )}
        <span className="spacer" />
        {script.script === 'trusted' && available && !running && (
          <button type="button" disabled={busy} onClick={() => void act('POST')}>
            Run
          </button>
        )}
        {running && (
          <button
            type="button"
            className="secondary"
            disabled={busy || run?.status === 'stopping'}
            onClick={() => void act('DELETE')}
          >
            {run?.status === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      {script.script === 'none' && (
        <p className="muted">
          No run script. Set one (and its port) on the{' '}
          <a href={`/projects/${script.projectId}`}>project page</a>.
        </p>
      )}
      {script.script === 'untrusted' && (
        <p className="muted" data-testid="run-untrusted">
          The run script is not approved. <a href={`/projects/${script.projectId}`}>Review and approve it</a>{' '}
          on the project page before it can run.
        </p>
      )}
      {script.script === 'trusted' && !available && !running && (
        <p className="muted">The workspace is archived: its worktree is gone.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {script.script !== 'none' && (output || running) && (
        <pre
          ref={pane}
          className="run-output"
          data-testid="run-output"
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {output}
        </pre>
      )}
      {script.script !== 'none' && (
        <p className="muted small">
          Runs in the worktree with PATH, HOME, the locale and PORT only (no model, GitHub or Ratchet keys).
          Stop, archiving the workspace or stopping the console ends it and everything it started.
        </p>
      )}
    </section>
  );
}
