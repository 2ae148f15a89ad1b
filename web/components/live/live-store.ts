'use client';

/**
 * The browser side of the live channel: one EventSource per workspace page (shared by the
 * transcript, timeline, Spend and Ratchet card), folding batches into one snapshot that components
 * read with `useLive`. Stored rows are the record; a tail is the unfinished text or tool activity
 * of one stream, dropped when its `end` delta arrives, when the stored row it became arrives, or
 * when a reset row says its attempt died.
 */
import { useSyncExternalStore } from 'react';
import type { WorkspaceEvent } from '../../../db/schema.js';
import type { LiveDeltaRow } from '../../../db/queries/live-deltas.js';
import type { LiveBatch, LiveState } from '../../lib/live-hub.js';
import type { TranscriptMessage } from '../../lib/queries.js';
import { appendTranscript } from '../../lib/transcript.js';

export interface Tail {
  stream: string;
  sessionId: string;
  attempt: number;
  startedAt: number;
  lastAt: number;
  text: string;
  /** Tools named by the model (`tool_use`) or running (`tool_start`). */
  tools: Array<{ toolCallId: string; name: string; running: boolean; startedAt: number }>;
  /** The last Claude Code stream-json event seen, e.g. `assistant` or `result/success`. */
  lastEvent: string | null;
}

export interface LiveSnapshot {
  messages: TranscriptMessage[];
  tails: Tail[];
  events: WorkspaceEvent[];
  state: LiveState | null;
  connected: boolean;
  error: string | null;
  /** Batches applied so far (tests and the Ratchet card watch it). */
  version: number;
}

function applyDelta(tails: Map<string, Tail>, ended: Set<string>, d: LiveDeltaRow): void {
  if (d.kind === 'end') {
    tails.delete(d.stream);
    ended.add(d.stream);
    return;
  }
  if (ended.has(d.stream)) return;
  let t = tails.get(d.stream);
  if (!t) {
    t = {
      stream: d.stream,
      sessionId: d.sessionId,
      attempt: d.attempt,
      startedAt: d.at,
      lastAt: d.at,
      text: '',
      tools: [],
      lastEvent: null,
    };
    tails.set(d.stream, t);
  }
  t.lastAt = d.at;
  const data = (d.data ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : '');
  if (d.kind === 'text') t.text += str('text');
  else if (d.kind === 'tool_use' || d.kind === 'tool_start') {
    const id = str('toolCallId');
    const known = t.tools.find((x) => x.toolCallId === id);
    if (known) known.running = known.running || d.kind === 'tool_start';
    else
      t.tools.push({ toolCallId: id, name: str('name'), running: d.kind === 'tool_start', startedAt: d.at });
  } else if (d.kind === 'tool_end') {
    const id = str('toolCallId');
    t.tools = t.tools.filter((x) => x.toolCallId !== id);
  } else if (d.kind === 'cli_event') {
    t.lastEvent = str('subtype') ? `${str('type')}/${str('subtype')}` : str('type');
  }
}

class LiveStore {
  private snapshot: LiveSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly tails = new Map<string, Tail>();
  private readonly ended = new Set<string>();
  private source: EventSource | null = null;
  private refs = 0;

  constructor(
    private readonly workspaceId: string,
    initialEvents: WorkspaceEvent[],
  ) {
    this.snapshot = {
      messages: [],
      tails: [],
      events: initialEvents,
      state: null,
      connected: false,
      error: null,
      version: 0,
    };
  }

  get = () => this.snapshot;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  retain(): () => void {
    this.refs += 1;
    if (!this.source) this.open();
    return () => {
      this.refs -= 1;
      // Let a remount in the same frame (React strict mode, a refresh) keep the connection.
      setTimeout(() => {
        if (this.refs === 0) this.close();
      }, 0);
    };
  }

  private set(patch: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  private open(): void {
    // A fresh connection replays the open streams whole: start their tails again.
    this.tails.clear();
    this.ended.clear();
    const lastEvent = this.snapshot.events.at(-1)?.id ?? 0;
    const lastMessage = this.snapshot.messages.at(-1)?.id ?? 0;
    // Same-origin: the cookie and the proxy's checks apply as to every other request.
    const es = new EventSource(
      `/api/workspaces/${encodeURIComponent(this.workspaceId)}/live?m=${lastMessage}&e=${lastEvent}`,
    );
    this.source = es;
    es.addEventListener('open', () => this.set({ connected: true, error: null }));
    es.addEventListener('error', () => {
      // EventSource reconnects by itself with Last-Event-ID; a closed one (an HTTP error) does not.
      const closed = es.readyState === EventSource.CLOSED;
      this.set({
        connected: false,
        error: closed ? 'the live channel was refused; reload the page' : 'reconnecting…',
      });
    });
    es.addEventListener('problem', (e) => {
      try {
        this.set({ error: (JSON.parse((e as MessageEvent<string>).data) as { message: string }).message });
      } catch {
        this.set({ error: 'the live channel reported a problem' });
      }
    });
    es.addEventListener('batch', (e) =>
      this.apply(JSON.parse((e as MessageEvent<string>).data) as LiveBatch),
    );
  }

  private close(): void {
    this.source?.close();
    this.source = null;
    this.set({ connected: false });
  }

  private apply(batch: LiveBatch): void {
    let messages = this.snapshot.messages;
    if (batch.messages.length) {
      messages = appendTranscript(messages, batch.messages);
      for (const m of batch.messages) {
        if (m.role === 'reset') {
          const attempt = (m.content as { attempt?: unknown } | null)?.attempt;
          for (const [k, t] of this.tails)
            if (t.sessionId === m.sessionId && (typeof attempt !== 'number' || t.attempt < attempt)) {
              this.tails.delete(k);
              this.ended.add(k);
            }
        } else if (m.role === 'assistant') {
          // The stored message this tail became: drop the tail now rather than at its `end`.
          for (const t of this.tails.values())
            if (t.sessionId === m.sessionId && t.startedAt <= m.createdAt && t.tools.every((x) => !x.running))
              t.text = '';
        } else if (m.role === 'tool_result' && m.toolCallId) {
          for (const t of this.tails.values()) t.tools = t.tools.filter((x) => x.toolCallId !== m.toolCallId);
        } else if (m.role === 'tool_call' && m.toolCallId) {
          for (const t of this.tails.values())
            t.tools = t.tools.filter((x) => x.running || x.toolCallId !== m.toolCallId);
        }
      }
    }
    for (const d of batch.deltas) applyDelta(this.tails, this.ended, d);
    let events = this.snapshot.events;
    if (batch.events.length) {
      const seen = new Set(events.map((e) => e.id));
      events = [...events, ...batch.events.filter((e) => !seen.has(e.id))];
    }
    this.set({
      messages,
      events,
      tails: [...this.tails.values()].map((t) => ({ ...t, tools: [...t.tools] })),
      state: batch.state ?? this.snapshot.state,
      connected: true,
      error: null,
      version: this.snapshot.version + 1,
    });
  }
}

const stores = new Map<string, LiveStore>();

/** The page's store for a workspace (one per page load). */
export function liveStore(workspaceId: string, initialEvents: WorkspaceEvent[] = []): LiveStore {
  let s = stores.get(workspaceId);
  if (!s) {
    s = new LiveStore(workspaceId, initialEvents);
    stores.set(workspaceId, s);
  }
  return s;
}

const EMPTY: LiveSnapshot = {
  messages: [],
  tails: [],
  events: [],
  state: null,
  connected: false,
  error: null,
  version: 0,
};

/** The live snapshot of a workspace; the first caller's `initialEvents` seed the timeline. */
export function useLive(workspaceId: string, initialEvents?: WorkspaceEvent[]): LiveSnapshot {
  const store = liveStore(workspaceId, initialEvents);
  return useSyncExternalStore(store.subscribe, store.get, () => EMPTY);
}

export type { LiveStore };
