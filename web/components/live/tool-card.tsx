'use client';

/** One tool call and its result as a collapsible card: name, arguments, result, duration, exit code. */
import type { TranscriptMessage } from '../../../db/queries/workspace-page.js';
import { CodeBlock } from './code-block.js';
import { Folded } from './folded.js';

function argsOf(content: unknown): unknown {
  if (content && typeof content === 'object') {
    const c = content as Record<string, unknown>;
    return c.input ?? c.args ?? c.arguments ?? content;
  }
  return content;
}

function resultOf(content: unknown): { ok: boolean | null; output: string } {
  if (content && typeof content === 'object' && 'output' in content) {
    const c = content as { ok?: unknown; output?: unknown };
    return {
      ok: typeof c.ok === 'boolean' ? c.ok : null,
      output: typeof c.output === 'string' ? c.output : JSON.stringify(c.output),
    };
  }
  return { ok: null, output: typeof content === 'string' ? content : JSON.stringify(content, null, 2) };
}

/** `exit code 3 (0.2s)` / `killed by SIGTERM` / `command timed out…`, as run_command reports it. */
export function exitStatus(output: string): string | null {
  const first = output.split('\n', 1)[0] ?? '';
  const code = /^exit code (-?\d+)/.exec(first);
  if (code) return `exit ${code[1]}`;
  if (/^killed by /.test(first)) return first.replace(/\s*\(.*$/, '');
  if (/^command timed out/.test(first)) return 'timed out';
  return null;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line of arguments for the summary: a command, a path, or the JSON cut short. */
function summary(args: unknown): string {
  if (args && typeof args === 'object') {
    const a = args as Record<string, unknown>;
    for (const k of ['command', 'path', 'file_path', 'pattern', 'query', 'url'])
      if (typeof a[k] === 'string') return a[k] as string;
  }
  const s = JSON.stringify(args) ?? '';
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

export function ToolCard({
  call,
  result,
  running,
}: {
  call: TranscriptMessage;
  result: TranscriptMessage | null;
  running: boolean;
}) {
  const args = argsOf(call.content);
  const res = result ? resultOf(result.content) : null;
  const exit = res ? exitStatus(res.output) : null;
  const state = res ? (res.ok === false ? 'error' : 'ok') : running ? 'running' : 'pending';
  const parseError =
    call.content && typeof call.content === 'object' && 'parseError' in call.content
      ? String((call.content as { parseError: unknown }).parseError)
      : null;
  return (
    <details
      className={`msg tool-card tool-${state}`}
      data-testid="tool-card"
      data-tool={call.toolName ?? ''}
    >
      <summary>
        <span className="tool">{call.toolName || 'tool'}</span>
        <span className="tool-args">{summary(args)}</span>
        <span className="tool-meta">
          {state === 'running' && <span data-testid="tool-running">running</span>}
          {state === 'pending' && <span>no result yet</span>}
          {result && <span data-testid="tool-duration">{formatMs(result.createdAt - call.createdAt)}</span>}
          {exit && <span data-testid="tool-exit">{exit}</span>}
          {res && <span className={`tool-state ${state}`}>{res.ok === false ? 'failed' : 'ok'}</span>}
        </span>
      </summary>
      <div className="tool-body">
        <h4>Arguments</h4>
        {parseError && <p className="error">Unreadable arguments: {parseError}</p>}
        <CodeBlock code={JSON.stringify(args, null, 2) ?? ''} lang="json" />
        {res && (
          <>
            <h4>Result</h4>
            <Folded text={res.output} lines={20} />
          </>
        )}
      </div>
    </details>
  );
}
