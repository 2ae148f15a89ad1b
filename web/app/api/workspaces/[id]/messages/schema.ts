/** POST /api/workspaces/:id/messages body: the follow-up for the agent. */
export {
  sendMessageInputSchema as sendMessageBody,
  type SendMessageInput as SendMessageBody,
} from '../../../../../../core/workspace.js';

import { z } from 'zod';
import { idempotencyKeySchema, sendMessageInputSchema } from '../../../../../../core/workspace.js';

/** The body with its optional `idempotencyKey`; the `Idempotency-Key` header takes precedence. */
export const queueMessageBody = sendMessageInputSchema.extend({ idempotencyKey: idempotencyKeySchema.optional() });
export const idempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });
