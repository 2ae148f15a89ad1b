'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api, ApiFailure, errorText } from './api.js';

export function RegisterProjectForm() {
  const router = useRouter();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const { project } = await api<{ project: { name: string; defaultBranch: string } }>('/api/projects', {
        method: 'POST',
        body: { path },
      });
      setNotice(`Registered ${project.name} (default branch ${project.defaultBranch}).`);
      setPath('');
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? (err.field('path') ?? err.message) : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Register project">
      <h2>Register project</h2>
      <label>
        Repository path
        <input
          name="path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/home/me/src/my-repo"
          required
          aria-invalid={error ? true : undefined}
        />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="project-error">
          {error}
        </p>
      )}
      {notice && <p className="notice">{notice}</p>}
      <button type="submit" disabled={busy}>
        {busy ? 'Registering…' : 'Register'}
      </button>
    </form>
  );
}
