'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the board when the board's live channel says it changed (at most once per `minMs`). */
export function BoardLive({ minMs = 500 }: { minMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const es = new EventSource('/api/board/live');
    let first: string | null = null;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    es.addEventListener('board', (e) => {
      const fp = (JSON.parse((e as MessageEvent<string>).data) as { fingerprint: string }).fingerprint;
      if (first === null) {
        first = fp;
        return;
      }
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = Date.now();
          router.refresh();
        },
        Math.max(0, minMs - (Date.now() - last)),
      );
    });
    return () => {
      es.close();
      if (timer) clearTimeout(timer);
    };
  }, [router, minMs]);
  return null;
}
