import { z } from 'zod';
import { budgetUsdSchema } from '../../../../../../core/settings.js';

/** POST /api/workspaces/:id/budget body: a new budget in USD (0.01 to 100000), or `cancel: true` to stop waiting. */
export const budgetBody = z.union([
  z.object({ budgetUsd: budgetUsdSchema, cancel: z.literal(false).optional() }),
  z.object({ cancel: z.literal(true) }),
]);
export type BudgetBody = z.infer<typeof budgetBody>;
