'use client';

/**
 * The browser side of the live channel: one EventSource per workspace page (shared by the
 * transcript, timeline, Spend and Ratchet card), folding batches into one snapshot that components
 * read with `useLive`. Stored rows are the record; a tail is the unfinished text or tool activity
 * of one stream, dropped when its `end` delta arrives, when the stored row it became arrives, or
 * when a reset row says its attempt died.
 *
 * Paging. The page's server render hands over the newest page of stored rows (`seed`); the live
 * channel starts after its last row, and "Load earlier" (`loadEarlier`) fetches older pages by
 * keyset (`?before=<oldest id held>`) and folds them in front, so the transcript never holds a row
 * twice and a reset in a newer page still drops the partial attempt it ends.
 */
import { useSyncExternalStore } from 'react';
import type { WorkspaceEvent } from '../../../db/schema.js';
import type { LiveDeltaRow } from '../../../db/queries/live-deltas.js';
import type { LiveBatch, LiveState } from '../../lib/live-hub.js';
import type { TranscriptMessage, TranscriptPage } from '../../../db/queries/workspace-page.js';
import { appendTranscript } from '../../lib/transcript.js';
import { api, errorText } from '../api.js';

/** Rows a "Load earlier" fetches (the server's first page is as long: TRANSCRIPT_PAGE). @default 100 */
export const PAGE_SIZE = 100;

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
  /** Stored rows older than the first one held exist ("Load earlier"). */
  hasEarlier: boolean;
  loadingEarlier: boolean;
  earlierError: string | null;
  /** Earlier pages folded in so far (the transcript keeps its scroll position on each). */
  earlierPages: number;
}

/** What the page's server render hands the store: the timeline and the newest transcript page. */
export interface LiveSeed {
  events: WorkspaceEvent[];
  page: TranscriptPage;
}

const EMPTY: LiveSnapshot = {
  messages: [],
  tails: [],
  events: [],
  state: null,
  connected: false,
  error: null,
  version: 0,
  hasEarlier: false,
  loadingEarlier: false,
  earlierError: null,
  earlierPages: 0,
};

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
  private seeded = false;
  /** The smallest stored row id received (the `before` cursor of the next earlier page). */
  private earliestId: number | null = null;
  /** The largest stored row id received (where the live channel starts). */
  private lastMessageId = 0;

  constructor(private readonly workspaceId: string) {
    this.snapshot = { ...EMPTY };
  }

  /**
   * Takes the server render's rows, once per page load and before the live channel opens (a later
   * render's props, after router.refresh(), are older than what the channel has brought since).
   */
  seed({ events, page }: LiveSeed): void {
    if (this.seeded || this.source) return;
    this.seeded = true;
    this.earliestId = page.messages[0]?.id ?? null;
    this.lastMessageId = page.messages.at(-1)?.id ?? 0;
    // Before anyone subscribed (the first render): no listener to tell.
    this.snapshot = {
      ...this.snapshot,
      events,
      messages: appendTranscript([], page.messages),
      hasEarlier: page.hasEarlier,
    };
  }

  /** Fetches the page before the oldest row held and folds it in front (one fetch at a time). */
  loadEarlier = async (): Promise<void> => {
    const before = this.earliestId;
    if (this.snapshot.loadingEarlier || !this.snapshot.hasEarlier || before === null) return;
    this.set({ loadingEarlier: true, earlierError: null });
    try {
      const page = await api<{ messages: TranscriptMessage[]; hasEarlier: boolean }>(
        `/api/workspaces/${encodeURIComponent(this.workspaceId)}/messages?before=${before}&limit=${PAGE_SIZE}`,
      );
      const older = page.messages.filter((m) => m.id < before);
      if (older.length) this.earliestId = older[0]!.id;
      this.set({
        // Older rows first, then what is held: a reset held still drops the attempt it ends.
        messages: appendTranscript(appendTranscript([], older), this.snapshot.messages),
        hasEarlier: page.hasEarlier && older.length > 0,
        loadingEarlier: false,
        earlierPages: this.snapshot.earlierPages + 1,
      });
    } catch (err) {
      this.set({ loadingEarlier: false, earlierError: errorText(err) });
    }
  };

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
    // After the newest row held (the seeded page, or what an earlier connection brought).
    const lastMessage = this.lastMessageId;
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
      this.lastMessageId = Math.max(this.lastMessageId, batch.messages.at(-1)!.id);
      this.earliestId ??= batch.messages[0]!.id;
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

/** The page's store for a workspace (one per page load, in the browser only). */
export function liveStore(workspaceId: string): LiveStore {
  let s = stores.get(workspaceId);
  if (!s) {
    s = new LiveStore(workspaceId);
    stores.set(workspaceId, s);
  }
  return s;
}

const noSubscribe = () => () => {};
const empty = () => EMPTY;

/**
 * The live snapshot of a workspace; `seed` (the transcript's caller passes the server render's
 * rows) fills the store once, whichever component made it first. The server render shows the
 * empty snapshot and makes no store: a module-level store there would outlive the request.
 */
export function useLive(workspaceId: string, seed?: LiveSeed): LiveSnapshot {
  const store = typeof window === 'undefined' ? null : liveStore(workspaceId);
  if (store && seed) store.seed(seed);
  return useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.get ?? empty, empty);
}

export type { LiveStore };
