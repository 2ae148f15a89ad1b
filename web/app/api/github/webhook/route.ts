import { db } from '../../../../lib/db.js';
import { getConfig } from '../../../../lib/env.js';
import { DomainError, readBodyText, withErrors } from '../../../../lib/errors.js';
import {
  WEBHOOK_EVENTS,
  handleGithubWebhook,
  verifyWebhookSignature,
  webhookPayloadSchema,
} from '../../../../lib/ratchet.js';
import { temporalClient } from '../../../../lib/temporal.js';

const ignored = (event: string, reason: string) =>
  Response.json({ event, poked: false, pollerId: null, reason }, { status: 202 });

// POST /api/github/webhook – A signed GitHub delivery (PR, review, check, status, push) pokes the repository's poller.
// The event type is checked first: an event Ratchet ignores gets 202 at once, without reading the
// body, the database or Temporal (so `star` deliveries succeed while Temporal is down).
export const POST = withErrors('POST /api/github/webhook', async (req: Request) => {
  const secret = getConfig().env.GITHUB_WEBHOOK_SECRET;
  if (!secret)
    throw new DomainError(
      'BadRequest',
      'Webhooks are disabled: set GITHUB_WEBHOOK_SECRET (and the same secret on GitHub).',
    );
  const event = req.headers.get('x-github-event') ?? '';
  if (event !== 'ping' && !(WEBHOOK_EVENTS as readonly string[]).includes(event)) {
    return ignored(event, `event ${event || '(none)'} does not affect the ratchet`);
  }
  const body = await readBodyText(req);
  if (!verifyWebhookSignature(secret, body, req.headers.get('x-hub-signature-256'))) {
    return Response.json(
      { error: { type: 'InvalidSignature', message: 'X-Hub-Signature-256 does not match the body.' } },
      { status: 401 },
    );
  }
  if (event === 'ping') return Response.json({ ok: true, event });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DomainError('BadRequest', 'The delivery body is not JSON.');
  }
  // Org, installation and membership events carry no repository: nothing to poke.
  const payload = webhookPayloadSchema.safeParse(json);
  if (!payload.success) return ignored(event, 'the delivery names no repository');
  // Only now the database and Temporal (both opened lazily, on first call).
  return Response.json(
    await handleGithubWebhook({ db: db(), client: await temporalClient(), event, payload: payload.data }),
    { status: 202 },
  );
});
