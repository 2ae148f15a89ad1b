/**
 * Streams that go quiet: a provider can accept a request and then send nothing. The request runs
 * under a signal that aborts when the caller's signal does, or when `touch` has not been called
 * for `idleMs`; an idle abort surfaces as an ordinary error (retryable upstream).
 */
export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`the stream sent nothing for ${idleMs} ms`);
    this.name = 'StreamIdleError';
  }
}

export async function withIdleTimeout<T>(
  outer: AbortSignal,
  idleMs: number,
  fn: (signal: AbortSignal, touch: () => void) => Promise<T>,
): Promise<T> {
  const idle = new AbortController();
  // One timer, pushed back on every event (refresh() re-arms it without a new allocation).
  const timer: NodeJS.Timeout = setTimeout(() => idle.abort(new StreamIdleError(idleMs)), idleMs);
  const touch = () => {
    timer.refresh();
  };
  const signal = AbortSignal.any([outer, idle.signal]);
  try {
    return await fn(signal, touch);
  } catch (err) {
    if (idle.signal.aborted && !outer.aborted) throw idle.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
