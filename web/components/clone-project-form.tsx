'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiFailure, errorText } from './api.js';

interface Clone {
  id: string;
  url: string;
  targetPath: string;
  status: 'running' | 'succeeded' | 'failed';
  progress: string | null;
  errorCode: string | null;
  error: string | null;
  projectId: string | null;
}

/** Clone by URL: starts the console's clone job, then shows git's progress until it ends. */
export function CloneProjectForm() {
  const router = useRouter();
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [clone, setClone] = useState<Clone | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!clone || clone.status !== 'running') return;
    const t = setTimeout(() => {
      api<{ clone: Clone }>(`/api/projects/clones/${clone.id}`).then(
        (r) => {
          setClone(r.clone);
          if (r.clone.status === 'succeeded') router.refresh();
        },
        (err: unknown) => setError(errorText(err)),
      );
    }, 300);
    return () => clearTimeout(t);
  }, [clone, router]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setClone(null);
    try {
      const r = await api<{ clone: Clone }>('/api/projects/clones', { method: 'POST', body: { url } });
      setClone(r.clone);
    } catch (err) {
      setError(
        err instanceof ApiFailure
          ? err.field('url')
            ? `URL ${err.field('url')}`
            : err.message
          : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Clone project">
      <h2>Clone by URL</h2>
      <label>
        Repository URL
        <input
          name="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://github.com/owner/repo.git or git@github.com:owner/repo.git"
          required
          aria-invalid={error ? true : undefined}
        />
      </label>
      <p className="hint muted">
        Cloned into the projects directory. Credentials never go in the URL: git uses your credential helper
        or SSH key.
      </p>
      {error && (
        <p className="error" role="alert" data-testid="clone-error">
          {error}
        </p>
      )}
      {clone && (
        <p
          className={clone.status === 'failed' ? 'error' : 'notice'}
          data-testid="clone-status"
          data-status={clone.status}
          role="status"
        >
          {clone.status === 'running' && `Cloning into ${clone.targetPath}: ${clone.progress ?? '…'}`}
          {clone.status === 'succeeded' && `Cloned into ${clone.targetPath} and registered.`}
          {clone.status === 'failed' && `Clone failed (${clone.errorCode}): ${clone.error}`}
        </p>
      )}
      <button type="submit" disabled={busy || clone?.status === 'running'}>
        {busy || clone?.status === 'running' ? 'Cloning…' : 'Clone'}
      </button>
    </form>
  );
}
