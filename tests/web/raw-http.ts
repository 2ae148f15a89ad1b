/**
 * HTTP requests exactly as written, for the security suites: any method (TRACE), any `Host`,
 * `Origin` or `Sec-Fetch-Site` header (fetch forbids setting them), a raw path (`/api/workspaces/%`),
 * and a body sent as it is or streamed in chunks.
 */
import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number;
}

export interface RawRequest {
  method?: string;
  /** Path and query as sent on the request line. */
  path: string;
  headers?: Record<string, string>;
  /** Sent whole, with a Content-Length. */
  body?: string | Buffer;
  /** Sent with `Transfer-Encoding: chunked`, one chunk at a time, until the answer arrives. */
  chunks?: AsyncIterable<Buffer> | Iterable<Buffer>;
  agent?: http.Agent;
  timeoutMs?: number;
}

/** Sends one request to `127.0.0.1:port`; `Host` defaults to `127.0.0.1:port` unless given. */
export function rawRequest(port: number, req: RawRequest): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    let answered = false;
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method ?? 'GET',
        path: req.path,
        headers,
        agent: req.agent ?? false,
        setHost: false,
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        // A Server-Sent Events stream never ends: its answer is its first chunk, then it is closed.
        // A stream that ends with no chunk (HEAD, or a server that closes it) answers with an empty body.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          const answer = (body: string) => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              ms: performance.now() - started,
            });
            res.destroy();
            r.destroy();
          };
          res.once('data', (c: Buffer) => answer(c.toString('utf8')));
          res.once('end', () => answer(''));
          res.once('close', () => answer(''));
          res.on('error', () => undefined);
          return;
        }
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs ?? 30_000, () =>
      r.destroy(
        new Error(`no answer to ${req.method ?? 'GET'} ${req.path} within ${req.timeoutMs ?? 30_000} ms`),
      ),
    );
    r.on('error', (err) => {
      // The server may close while we are still writing a body it refused: the answer counts.
      if (!answered) reject(err);
    });
    if (req.chunks) {
      void (async () => {
        try {
          for await (const chunk of req.chunks!) {
            if (answered || r.destroyed) break;
            if (!r.write(chunk)) await new Promise<void>((ok) => r.once('drain', ok));
          }
          if (!r.destroyed) r.end();
        } catch {
          // Write after the server closed: the answer (or its absence) decides.
        }
      })();
    } else {
      r.end(req.body);
    }
  });
}
