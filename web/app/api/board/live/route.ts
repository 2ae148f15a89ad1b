import { subscribeBoard } from '../../../../lib/board-live.js';
import { db } from '../../../../lib/db.js';
import { withErrors } from '../../../../lib/errors.js';

export const dynamic = 'force-dynamic';

// GET /api/board/live – Server-Sent Events: a `board` event whenever what the board shows changes.
export const GET = withErrors('GET /api/board/live', async (req: Request) => {
  const database = db();
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | null = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('retry: 1000\n\n'));
      unsubscribe = subscribeBoard(database, (frame) => controller.enqueue(encoder.encode(frame)));
      req.signal.addEventListener('abort', () => {
        unsubscribe?.();
        unsubscribe = null;
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      unsubscribe?.();
      unsubscribe = null;
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    },
  });
});
