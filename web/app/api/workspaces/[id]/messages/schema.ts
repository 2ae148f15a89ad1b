/**
 * POST /api/workspaces/:id/messages body: the follow-up for the agent, either as `text` or as a
 * `diffComment` (file, lines, comment) picked on the diff, which becomes the follow-up's text; with
 * an optional `idempotencyKey` (the `Idempotency-Key` header takes precedence).
 */
import { z } from 'zod';
import { diffCommentSchema, formatDiffComment } from '../../../../../../core/diff.js';
import { idempotencyKeySchema, sendMessageInputSchema } from '../../../../../../core/workspace.js';

export const sendMessageBody = z
  .object({
    text: sendMessageInputSchema.shape.text.optional(),
    diffComment: diffCommentSchema.optional(),
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.text === undefined && b.diffComment === undefined)
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required (or give diffComment)' });
    if (b.text !== undefined && b.diffComment !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['diffComment'],
        message: 'give either text or diffComment, not both',
      });
  });
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const idempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });

/** The text the follow-up turn gets: as typed, or the diff comment with its file and lines. */
export function followUpText(body: SendMessageBody): string {
  return body.diffComment ? formatDiffComment(body.diffComment) : body.text!;
}

/** The largest page GET /api/workspaces/:id/messages answers. @default 500 */
export const MAX_MESSAGES_PAGE = 500;

/**
 * GET /api/workspaces/:id/messages query: `after=<id>` reads forward (oldest first, a client
 * catching up); otherwise the newest rows, or with `before=<id>` the page older than that row (the
 * page's "Load earlier"). `limit` rows a page (default 100, at most 500).
 */
export const listMessagesQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_MESSAGES_PAGE).default(100),
  })
  .superRefine((q, ctx) => {
    if (q.after !== undefined && q.before !== undefined)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'give either after or before, not both' });
  });
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export function listMessagesQueryFrom(req: Request): ListMessagesQuery {
  const url = new URL(req.url);
  const get = (k: string) => url.searchParams.get(k) ?? undefined;
  return listMessagesQuery.parse({ after: get('after'), before: get('before'), limit: get('limit') });
}
