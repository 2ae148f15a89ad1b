/**
 * A loopback Gemini API (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`), the wire
 * Gemini CLI speaks through `@google/genai` when `GOOGLE_GEMINI_BASE_URL` points at it. Each
 * scripted turn is streamed as server-sent events `data: {GenerateContentResponse}`: text parts in
 * pieces, then one chunk per function call (`parts: [{ functionCall: { id, name, args } }]`), and
 * a last chunk with `finishReason: "STOP"` and `usageMetadata` (`promptTokenCount`,
 * `candidatesTokenCount`, `cachedContentTokenCount`, `totalTokenCount`). Turns can also be HTTP
 * errors in Google's error shape. The CLI's side calls (`:countTokens`, a non-streamed
 * `:generateContent` of its own, such as a routing or next-speaker check) are answered and
 * recorded in `side`, never taken as turns.
 */
import type http from 'node:http';
import { pieces, startFakeServer, type FakeServerCore } from './fake-sse-server.js';

export const FAKE_GEMINI_MODEL = 'gemini-2.5-flash';

export interface FakeGeminiCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export type FakeGeminiTurn =
  | {
      type: 'reply';
      text?: string;
      calls?: FakeGeminiCall[];
      usage?: { prompt?: number; candidates?: number; cached?: number };
      /** Wait this long before answering (a call still in flight when the agent dies). */
      delayMs?: number;
    }
  | { type: 'error'; status: number; message?: string };

export type FakeGemini = FakeServerCore<FakeGeminiTurn> & {
  /** Requests that were not the scripted model calls, in order. */
  side: Array<{ method: string; path: string }>;
};

let counter = 0;

function reply(turn: Extract<FakeGeminiTurn, { type: 'reply' }>, res: http.ServerResponse) {
  const responseId = `fake-gemini-${++counter}`;
  const chunk = (parts: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({
        candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }],
        modelVersion: FAKE_GEMINI_MODEL,
        responseId,
      })}\r\n\r\n`,
    );
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const text of pieces(turn.text ?? '', 12)) chunk([{ text }]);
  for (const call of turn.calls ?? [])
    chunk([{ functionCall: { id: call.id, name: call.name, args: call.args } }]);
  const u = turn.usage ?? {};
  const prompt = u.prompt ?? 200;
  const candidates = u.candidates ?? 30;
  res.write(
    `data: ${JSON.stringify({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: prompt,
        candidatesTokenCount: candidates,
        cachedContentTokenCount: u.cached ?? 0,
        totalTokenCount: prompt + candidates,
      },
      modelVersion: FAKE_GEMINI_MODEL,
      responseId,
    })}\r\n\r\n`,
  );
  res.end();
}

/** Starts the fake; the CLI's `GOOGLE_GEMINI_BASE_URL` is `fake.url`. */
export async function startFakeGemini(script: readonly FakeGeminiTurn[]): Promise<FakeGemini> {
  const side: Array<{ method: string; path: string }> = [];
  const core = await startFakeServer<FakeGeminiTurn>(
    'fake Gemini',
    `/v1beta/models/${FAKE_GEMINI_MODEL}:streamGenerateContent`,
    script,
    (turn, res) => {
      if (turn.type === 'error') {
        res.writeHead(turn.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: turn.status, message: turn.message ?? `HTTP ${turn.status}`, status: 'INTERNAL' },
          }),
        );
        return;
      }
      if (turn.delayMs) setTimeout(() => reply(turn, res), turn.delayMs);
      else reply(turn, res);
    },
    {
      sideRequests: side,
      side: (req, res) => {
        if (req.method === 'POST' && req.path.endsWith(':countTokens')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ totalTokens: 100 }));
          return true;
        }
        return false;
      },
    },
  );
  return Object.assign(core, { side });
}
