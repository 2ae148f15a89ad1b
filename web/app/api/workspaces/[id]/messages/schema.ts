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
