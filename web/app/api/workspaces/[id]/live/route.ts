import { db } from '../../../../../lib/db.js';
import { DomainError, withErrors } from '../../../../../lib/errors.js';
import { parseCursor, workspaceHub } from '../../../../../lib/live-hub.js';
import { getWorkspaceDetail } from '../../../../../lib/queries.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { liveQuery } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/live?m=&e= – Server-Sent Events: stored transcript rows, live deltas, timeline events and state, resumable with Last-Event-ID.
export const GET = withErrors(
  'GET /api/workspaces/:id/live',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const url = new URL(req.url);
    const fresh = liveQuery.parse({
      m: url.searchParams.get('m') ?? undefined,
      e: url.searchParams.get('e') ?? undefined,
    });
    const from = parseCursor(req.headers.get('last-event-id'));
    const database = db();
    if (!getWorkspaceDetail(database, id))
      throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
    const encoder = new TextEncoder();
    let unsubscribe: (() => void) | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (frame: string) => controller.enqueue(encoder.encode(frame));
        // Reconnect after 1 s when the connection drops (the browser then sends Last-Event-ID).
        send('retry: 1000\n\n');
        unsubscribe = workspaceHub(database, id).subscribe(send, from, {
          messages: fresh.m,
          events: fresh.e,
        });
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
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      },
    });
  },
);
