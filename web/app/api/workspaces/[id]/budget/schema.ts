import { z } from 'zod';

/** POST /api/workspaces/:id/budget body: a new budget in USD, or `cancel: true` to stop waiting. */
export const budgetBody = z.union([
  z.object({ budgetUsd: z.number().positive().max(100_000), cancel: z.literal(false).optional() }),
  z.object({ cancel: z.literal(true) }),
]);
export type BudgetBody = z.infer<typeof budgetBody>;
