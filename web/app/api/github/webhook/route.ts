import { db } from '../../../../lib/db.js';
import { getConfig } from '../../../../lib/env.js';
import { DomainError, withErrors } from '../../../../lib/errors.js';
import { handleGithubWebhook, verifyWebhookSignature, webhookPayloadSchema } from '../../../../lib/ratchet.js';
import { temporalClient } from '../../../../lib/temporal.js';

// POST /api/github/webhook – A signed GitHub delivery (PR, review, check, status, push) pokes the repository's poller.
export const POST = withErrors('POST /api/github/webhook', async (req: Request) => {
  const secret = getConfig().env.GITHUB_WEBHOOK_SECRET;
  if (!secret) throw new DomainError('BadRequest', 'Webhooks are disabled: set GITHUB_WEBHOOK_SECRET (and the same secret on GitHub).');
  const body = await req.text();
  if (!verifyWebhookSignature(secret, body, req.headers.get('x-hub-signature-256'))) {
    return Response.json({ error: { type: 'InvalidSignature', message: 'X-Hub-Signature-256 does not match the body.' } }, { status: 401 });
  }
  const event = req.headers.get('x-github-event') ?? '';
  if (event === 'ping') return Response.json({ ok: true, event });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DomainError('BadRequest', 'The delivery body is not JSON.');
  }
  const payload = webhookPayloadSchema.parse(json);
  return Response.json(await handleGithubWebhook({ db: db(), client: await temporalClient(), event, payload }), { status: 202 });
});
