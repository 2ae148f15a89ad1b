import { db } from '../../../lib/db.js';
import { withErrors } from '../../../lib/errors.js';
import { getInsights, queryObject } from '../../../lib/insights.js';
import { insightsQuery } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/insights?project=&days=|from=&to= – The loop's figures over the period (core/insights.ts defines them).
export const GET = withErrors('GET /api/insights', async (req: Request) => {
  const query = insightsQuery.parse(queryObject(new URL(req.url).searchParams));
  return Response.json(getInsights(db(), query), { headers: { 'cache-control': 'no-store' } });
});
