'use client';

/**
 * The workspace terminal: tabs of real shells in the worktree (xterm.js in the page, node-pty on
 * the console, one WebSocket and one shell per tab; web/terminal-server.ts). Nothing starts until
 * "New terminal" is pressed. A tab's shell ends when the tab is closed, the page is left, or the
 * workspace is archived; the tab then says why. The fit addon sizes the terminal to its box and
 * every new size is sent to the pty, so `stty size` and full-screen programs agree with the page.
 */
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { TERMINAL_CLOSE, type TerminalClientMessage } from '../../core/terminal.js';

interface Tab {
  key: number;
  /** Set once the socket closed: why, in a few words. */
  ended: string | null;
}

function endedText(code: number, reason: string): string {
  if (code === TERMINAL_CLOSE.shellExited) return 'shell exited';
  if (code === TERMINAL_CLOSE.workspaceClosed) return reason || 'workspace archived';
  if (code === 1006) return 'connection lost';
  return reason || `closed (${code})`;
}

function TerminalView({
  workspaceId,
  active,
  onEnded,
}: {
  workspaceId: string;
  active: boolean;
  onEnded: (why: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const fitRef = useRef<(() => void) | null>(null);
  const [size, setSize] = useState<{ cols: number; rows: number } | null>(null);
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    void (async () => {
      // xterm touches the DOM when loaded: only in the browser, never during server rendering.
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
      ]);
      if (disposed || !box.current) return;
      const term = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        fontSize: 13,
        scrollback: 5000,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(box.current);
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(
        `${scheme}://${window.location.host}/api/workspaces/${encodeURIComponent(workspaceId)}/terminal`,
      );
      const send = (m: TerminalClientMessage) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
      };
      const refit = () => {
        if (!box.current || box.current.offsetParent === null) return; // hidden tab: no size
        fit.fit();
        setSize({ cols: term.cols, rows: term.rows });
      };
      fitRef.current = refit;
      term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
      term.onData((data) => send({ type: 'input', data }));
      socket.onopen = () => {
        refit();
        send({ type: 'resize', cols: term.cols, rows: term.rows });
        term.focus();
      };
      socket.onmessage = (e) => term.write(typeof e.data === 'string' ? e.data : '');
      socket.onclose = (e) => {
        const why = endedText(e.code, e.reason);
        term.write(`\r\n\x1b[2m[${why}]\x1b[0m\r\n`);
        ended.current(why);
      };
      const observer = new ResizeObserver(() => refit());
      observer.observe(box.current);
      cleanup = () => {
        observer.disconnect();
        socket.onclose = null;
        socket.close(1000, 'tab closed');
        term.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [workspaceId]);

  useEffect(() => {
    if (active) fitRef.current?.();
  }, [active]);

  return (
    <div
      ref={box}
      className="terminal-screen"
      hidden={!active}
      data-testid="terminal-screen"
      data-cols={size?.cols}
      data-rows={size?.rows}
    />
  );
}

export function TerminalPanel({ workspaceId, available }: { workspaceId: string; available: boolean }) {
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [active, setActive] = useState<number | null>(null);
  const next = useRef(1);

  const add = () => {
    const key = next.current++;
    setTabs((t) => [...t, { key, ended: null }]);
    setActive(key);
  };
  const close = (key: number) => {
    const rest = tabs.filter((x) => x.key !== key);
    setTabs(rest);
    if (active === key) setActive(rest.at(-1)?.key ?? null);
  };
  const markEnded = (key: number, why: string) =>
    setTabs((t) => t.map((x) => (x.key === key ? { ...x, ended: why } : x)));

  return (
    <section className="card terminal-panel" aria-label="Terminal" data-testid="terminal-panel">
      <div className="terminal-head">
        <h2>Terminal</h2>
        <div className="terminal-tabs" role="tablist" aria-label="Terminals">
          {tabs.map((t) => (
            <span key={t.key} className={`terminal-tab${t.key === active ? ' active' : ''}`}>
              <button
                type="button"
                role="tab"
                aria-selected={t.key === active}
                className={t.key === active ? '' : 'secondary'}
                data-testid={`terminal-tab-${t.key}`}
                onClick={() => setActive(t.key)}
              >
                Shell {t.key}
                {t.ended ? ` (${t.ended})` : ''}
              </button>
              <button
                type="button"
                className="link"
                aria-label={`Close shell ${t.key}`}
                onClick={() => close(t.key)}
              >
                ×
              </button>
            </span>
          ))}
        </div>
        <button type="button" className="secondary" disabled={!available} onClick={add}>
          New terminal
        </button>
      </div>
      {!available && <p className="muted">The workspace is archived: its worktree is gone.</p>}
      {available && tabs.length === 0 && (
        <p className="muted">
          A shell in the worktree, with only PATH, HOME, the locale and TERM from the console&apos;s
          environment (no model or GitHub keys).
        </p>
      )}
      {tabs.map((t) => (
        <TerminalView
          key={t.key}
          workspaceId={workspaceId}
          active={t.key === active}
          onEnded={(why) => markEnded(t.key, why)}
        />
      ))}
    </section>
  );
}
