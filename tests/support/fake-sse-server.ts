/**
 * The loopback HTTP core shared by the fake model servers: records every request, hands each one
 * the next scripted turn, and fails loudly (500 + a recorded failure that `close()` rethrows)
 * when a request arrives after the script ran out, so a runner that calls the model more often
 * than the test expects cannot pass.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeServerCore<Turn> {
  url: string;
  requests: RecordedRequest[];
  /** Problems seen by the server (script exhausted, wrong path, unparsable body). */
  failures: string[];
  /** Turns not yet served. */
  remaining(): number;
  /** Closes the server (and any hanging streams); throws if the server saw a failure. */
  close(): Promise<void>;
  /** Throws unless every scripted turn was served and nothing failed. */
  assertDone(): void;
  /** Internal: used by the specific fakes. */
  readonly _turns: Turn[];
}

export type TurnHandler<Turn> = (turn: Turn, res: http.ServerResponse, req: RecordedRequest) => void;

/**
 * Answers a request that is not a model call (a client's model-list or health probe) and returns
 * true, or returns false to let it fail as unexpected. Such requests are recorded in `side`.
 */
export type SideHandler = (req: { method: string; path: string }, res: http.ServerResponse) => boolean;

export async function startFakeServer<Turn>(
  name: string,
  endpoint: string,
  script: readonly Turn[],
  handle: TurnHandler<Turn>,
  opts: { side?: SideHandler; sideRequests?: Array<{ method: string; path: string }> } = {},
): Promise<FakeServerCore<Turn>> {
  const turns = [...script];
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];
  const fail = (res: http.ServerResponse, message: string) => {
    failures.push(message);
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `${name}: ${message}` } }));
  };
  const server = http.createServer((req, res) => {
    // A reachability probe (the Claude Agent SDK's bundled CLI sends `HEAD /` before its first
    // call), answered as the real API answers it; not a model call, so not a turn.
    if (req.method === 'HEAD' && (req.url ?? '/') === '/') {
      res.writeHead(200);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const side = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '' };
      if (opts.side && !(side.method === 'POST' && side.path === endpoint) && opts.side(side, res)) {
        opts.sideRequests?.push(side);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        fail(res, `request body is not JSON (${req.method ?? ''} ${req.url ?? ''})`);
        return;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      if (recorded.method !== 'POST' || recorded.path !== endpoint) {
        fail(res, `unexpected ${recorded.method} ${recorded.path} (this fake serves POST ${endpoint})`);
        return;
      }
      const turn = turns.shift();
      if (turn === undefined) {
        fail(res, `script exhausted: request #${requests.length} has no scripted turn`);
        return;
      }
      handle(turn, res, recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const assertDone = () => {
    if (failures.length) throw new Error(`${name} failed:\n${failures.join('\n')}`);
    if (turns.length) throw new Error(`${name}: ${turns.length} scripted turn(s) were never requested`);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failures,
    remaining: () => turns.length,
    _turns: turns,
    assertDone,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (failures.length) throw new Error(`${name} failed:\n${failures.join('\n')}`);
    },
  };
}

/** Splits text into pieces of at most `size` characters (how real streams deliver deltas). */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
