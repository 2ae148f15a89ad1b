'use client';

import { useEffect, useRef } from 'react';
import { api } from './api.js';

/**
 * Polls an incremental endpoint (`?after=<cursor>` → `{ items, cursor }`) every `ms` and hands new
 * rows to `onRows`. One request at a time; a full page is followed immediately by the next one, so
 * a long backlog drains quickly; errors back off to 5 s and are reported through `onError`.
 */
export function useTail<T>({
  url,
  key,
  initialCursor,
  ms,
  onRows,
  onError,
}: {
  url: string;
  key: string;
  initialCursor: number;
  ms: number;
  onRows: (rows: T[]) => void;
  onError: (message: string | null) => void;
}) {
  const handlers = useRef({ onRows, onError });
  handlers.current = { onRows, onError };
  useEffect(() => {
    let cursor = initialCursor;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    async function tick() {
      let delay = ms;
      try {
        const res = await api<Record<string, unknown> & { cursor: number }>(`${url}?after=${cursor}`, {
          signal: controller.signal,
        });
        const rows = (res[key] as T[] | undefined) ?? [];
        cursor = res.cursor;
        handlers.current.onError(null);
        if (rows.length > 0) handlers.current.onRows(rows);
        if (rows.length >= 500) delay = 0;
      } catch (err) {
        if (stopped) return;
        handlers.current.onError(err instanceof Error ? err.message : String(err));
        delay = 5000;
      }
      if (!stopped) timer = setTimeout(() => void tick(), delay);
    }
    void tick();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [url, key, initialCursor, ms]);
}
