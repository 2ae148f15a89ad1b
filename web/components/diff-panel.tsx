'use client';

/**
 * The workspace's diff: the whole branch against its base, one turn's commit, or the uncommitted
 * changes in the worktree. The file list (with +/- counts) comes first; each file's patch is
 * fetched when it is opened (all of them at once only for a small diff), and rendered by
 * @git-diff-view/react in a unified or split view with syntax highlighting. Dragging over line
 * numbers (or the + beside one) opens a comment that is sent to the agent as a follow-up.
 */
import { DiffModeEnum, DiffViewWithMultiSelect, SplitSide } from '@git-diff-view/react';
import '@git-diff-view/react/styles/diff-view-pure.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { excerptOf, patchLines, type DiffFileEntry, type DiffScopeKind } from '../../core/diff.js';
import type { DiffSummary, FileDiff } from '../lib/diff.js';
import { api, errorText } from './api.js';

/** Open every file at once only below these sizes; otherwise each loads when opened. */
const AUTO_OPEN_FILES = 30;
const AUTO_OPEN_LINES = 3000;

type Mode = 'unified' | 'split';

interface Scope {
  kind: DiffScopeKind;
  sha?: string;
}

const scopeQuery = (s: Scope) => `scope=${s.kind}${s.sha ? `&sha=${s.sha}` : ''}`;

const STATUS_LABEL: Record<DiffFileEntry['status'], string> = {
  modified: 'modified',
  added: 'added',
  deleted: 'deleted',
  renamed: 'renamed',
  copied: 'copied',
  type_changed: 'type changed',
};

function Counts({ f }: { f: DiffFileEntry }) {
  if (f.binary) return <span className="muted">binary</span>;
  return (
    <span className="diff-counts">
      <span className="add">+{f.additions}</span> <span className="del">−{f.deletions}</span>
    </span>
  );
}

export function DiffPanel({
  workspaceId,
  version,
  canComment,
}: {
  workspaceId: string;
  /** Changes when the workspace row changes (a turn committed): the open diff reloads. */
  version: number;
  canComment: boolean;
}) {
  const [scope, setScope] = useState<Scope>({ kind: 'branch' });
  const [mode, setMode] = useState<Mode>('unified');
  const [summary, setSummary] = useState<DiffSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const base = `/api/workspaces/${workspaceId}/diff`;

  const latest = useRef('');
  const load = useCallback(async () => {
    const key = scopeQuery(scope);
    latest.current = key;
    try {
      const s = await api<DiffSummary>(`${base}?${key}`);
      // An answer for a scope the person has already left is dropped.
      if (latest.current !== key) return;
      setSummary(s);
      setError(null);
      const lines = s.files.reduce((n, f) => n + (f.additions ?? 0) + (f.deletions ?? 0), 0);
      const auto = s.files.length <= AUTO_OPEN_FILES && lines <= AUTO_OPEN_LINES;
      setOpen((prev) =>
        auto ? Object.fromEntries(s.files.map((f) => [f.path, prev[f.path] ?? true])) : prev,
      );
    } catch (err) {
      if (latest.current !== key) return;
      setSummary(null);
      setError(errorText(err));
    }
  }, [base, scope]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const commits = summary?.commits ?? [];
  const scopeValue = scope.kind === 'commit' ? `commit:${scope.sha}` : scope.kind;

  return (
    <section className="card diff-panel" aria-label="Diff" data-testid="diff-panel">
      <div className="diff-head">
        <h2>Diff</h2>
        <label>
          Show{' '}
          <select
            aria-label="Diff scope"
            value={scopeValue}
            onChange={(e) => {
              const v = e.target.value;
              setOpen({});
              setSummary(null);
              setScope(
                v.startsWith('commit:') ? { kind: 'commit', sha: v.slice(7) } : { kind: v as DiffScopeKind },
              );
            }}
          >
            <option value="branch">
              Branch against {summary?.base?.ref.replace(/^refs\/(remotes|heads)\//, '') ?? 'base'}
            </option>
            {commits.map((c) => (
              <option key={c.sha} value={`commit:${c.sha}`}>
                {c.turn !== null ? `Turn ${c.turn}` : 'Commit'} {c.sha.slice(0, 7)}: {c.subject.slice(0, 60)}
              </option>
            ))}
            {(summary?.worktree ?? true) && <option value="worktree">Uncommitted changes</option>}
          </select>
        </label>
        <div className="toggle" role="group" aria-label="Diff view">
          {(['unified', 'split'] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={mode === m ? '' : 'secondary'}
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
            >
              {m === 'unified' ? 'Unified' : 'Split'}
            </button>
          ))}
        </div>
        <button type="button" className="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summary && !summary.unavailable && (
        <p className="muted" data-testid="diff-totals">
          {summary.totals.files} file{summary.totals.files === 1 ? '' : 's'} changed, +
          {summary.totals.additions} −{summary.totals.deletions}
          {summary.truncated ? ' (list cut at 2,000 files)' : ''}
        </p>
      )}
      {summary?.unavailable && (
        <p className="muted" data-testid="diff-unavailable">
          {summary.unavailable}
        </p>
      )}
      {summary && !summary.unavailable && summary.files.length === 0 && <p className="muted">No changes.</p>}
      {summary && summary.files.length > 0 && (
        <ul className="diff-files" data-testid="diff-files">
          {summary.files.map((f) => (
            <li
              key={`${scopeValue}:${f.path}`}
              data-testid="diff-file"
              data-path={f.path}
              data-status={f.status}
            >
              <button
                type="button"
                className="diff-file-head"
                aria-expanded={open[f.path] ?? false}
                onClick={() => setOpen((o) => ({ ...o, [f.path]: !o[f.path] }))}
              >
                <span className={`badge diff-${f.status}`}>{STATUS_LABEL[f.status]}</span>{' '}
                <code className="diff-path">{f.oldPath ? `${f.oldPath} → ${f.path}` : f.path}</code>{' '}
                <Counts f={f} />
              </button>
              {open[f.path] && (
                <FileView
                  url={`${base}?${scopeQuery(scope)}&path=${encodeURIComponent(f.path)}`}
                  entry={f}
                  mode={mode}
                  workspaceId={workspaceId}
                  scope={scope}
                  canComment={canComment}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function FileView({
  url,
  entry,
  mode,
  workspaceId,
  scope,
  canComment,
}: {
  url: string;
  entry: DiffFileEntry;
  mode: Mode;
  workspaceId: string;
  scope: Scope;
  canComment: boolean;
}) {
  const [diff, setDiff] = useState<FileDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api<FileDiff>(url).then(
      (d) => live && setDiff(d),
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [url]);
  const lines = useMemo(() => (diff?.patch ? patchLines(diff.patch) : null), [diff]);
  // Lines picked by dragging over (or clicking) line numbers; the comment form opens under the file.
  const [picked, setPicked] = useState<{ side: 'old' | 'new'; from: number; to: number; key: number } | null>(
    null,
  );

  if (error) return <p className="error">{error}</p>;
  if (!diff) return <p className="muted">Loading…</p>;
  if (entry.binary)
    return (
      <p className="muted" data-testid="diff-binary">
        Binary file; no text diff to show.
      </p>
    );
  if (diff.tooLarge)
    return <p className="muted">This file&apos;s diff is larger than 1 MiB; open it in your editor.</p>;
  if (!diff.patch || !/^@@ /m.test(diff.patch)) {
    return (
      <p className="muted">{entry.status === 'renamed' ? 'Renamed without changes.' : 'No text changes.'}</p>
    );
  }
  return (
    <div className="diff-view" data-testid="diff-view" data-mode={mode}>
      <DiffViewWithMultiSelect
        data={{
          oldFile: { fileName: entry.oldPath ?? entry.path, fileLang: diff.language ?? undefined },
          newFile: { fileName: entry.path, fileLang: diff.language ?? undefined },
          hunks: [diff.patch],
        }}
        diffViewMode={mode === 'split' ? DiffModeEnum.Split : DiffModeEnum.Unified}
        diffViewHighlight
        diffViewWrap
        diffViewFontSize={13}
        diffViewAddWidget={canComment}
        enableMultiSelect={canComment}
        onMultiSelectComplete={({ range }) =>
          setPicked({
            side: range.side,
            from: Math.min(range.startLineNumber, range.endLineNumber),
            to: Math.max(range.startLineNumber, range.endLineNumber),
            key: Date.now(),
          })
        }
        renderWidgetLine={({ lineNumber, fromLineNumber, side, onClose }) => (
          <CommentForm
            workspaceId={workspaceId}
            scope={scope}
            path={entry.path}
            side={side === SplitSide.old ? 'old' : 'new'}
            from={Math.min(fromLineNumber || lineNumber, lineNumber)}
            to={Math.max(fromLineNumber || lineNumber, lineNumber)}
            lines={lines}
            onClose={onClose}
          />
        )}
      />
      {picked && (
        <CommentForm
          key={picked.key}
          workspaceId={workspaceId}
          scope={scope}
          path={entry.path}
          side={picked.side}
          from={picked.from}
          to={picked.to}
          lines={lines}
          onClose={() => setPicked(null)}
        />
      )}
    </div>
  );
}

function CommentForm({
  workspaceId,
  scope,
  path,
  side,
  from,
  to,
  lines,
  onClose,
}: {
  workspaceId: string;
  scope: Scope;
  path: string;
  side: 'old' | 'new';
  from: number;
  to: number;
  lines: ReturnType<typeof patchLines> | null;
  onClose: () => void;
}) {
  const [start, setStart] = useState(from);
  const [end, setEnd] = useState(to);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  // One key per comment: a resend after a failed or cut-off POST is the same follow-up, run once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setBusy(true);
    setError(null);
    try {
      const excerpt = lines ? excerptOf(side === 'old' ? lines.old : lines.new, start, end) : undefined;
      await api<{ queued: true }>(`/api/workspaces/${workspaceId}/messages`, {
        method: 'POST',
        body: {
          diffComment: {
            path,
            side,
            startLine: start,
            endLine: end,
            comment,
            scope: scope.kind,
            ...(scope.sha ? { sha: scope.sha } : {}),
            ...(excerpt ? { excerpt } : {}),
          },
          idempotencyKey: key,
        },
      });
      setSent(true);
      setKey(crypto.randomUUID());
      setComment('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="diff-comment"
      aria-label="Comment on the diff"
      data-testid="diff-comment"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="diff-comment-lines">
        <code>{path}</code> {side === 'old' ? 'old' : 'new'} lines{' '}
        <input
          aria-label="From line"
          type="number"
          min={1}
          value={start}
          onChange={(e) => setStart(Number(e.target.value))}
        />
        –
        <input
          aria-label="To line"
          type="number"
          min={1}
          value={end}
          onChange={(e) => setEnd(Number(e.target.value))}
        />
      </div>
      <textarea
        aria-label="Comment"
        rows={3}
        value={comment}
        placeholder="What should the agent change here?"
        onChange={(e) => setComment(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={busy || comment.trim() === ''}>
          {busy ? 'Sending…' : 'Send to agent'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
        {sent && (
          <span className="ok" role="status" data-testid="diff-comment-sent">
            Queued as a follow-up
          </span>
        )}
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
