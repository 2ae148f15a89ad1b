/**
 * A Server-Sent Events response over a subscription: `retry: 1000` first (the browser reconnects
 * after 1 s and sends Last-Event-ID), then every frame the subscription sends, until the client goes
 * away (request aborted or stream cancelled), when the subscription is ended exactly once.
 */
export function eventStream(
  req: Request,
  subscribe: (send: (frame: string) => void) => () => void,
): Response {
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | null = null;
  const end = () => {
    unsubscribe?.();
    unsubscribe = null;
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (frame: string) => controller.enqueue(encoder.encode(frame));
      send('retry: 1000\n\n');
      unsubscribe = subscribe(send);
      req.signal.addEventListener('abort', () => {
        end();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel: end,
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
