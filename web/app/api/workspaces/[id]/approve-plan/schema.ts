import { z } from 'zod';

/** POST /api/workspaces/:id/approve-plan body: an optional note passed to the agent with the plan. */
export const approvePlanBody = z.object({ note: z.string().trim().max(10_000).optional() });
export type ApprovePlanBody = z.infer<typeof approvePlanBody>;
