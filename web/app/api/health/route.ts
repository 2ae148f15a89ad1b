import { HEALTH_MINIMAL_HEADER } from '../../../../core/web-guard.js';
import { getConfig, parentEnv } from '../../../lib/env.js';
import { db } from '../../../lib/db.js';
import { withErrors } from '../../../lib/errors.js';
import { checkHealth } from '../../../lib/health.js';
import { temporalClient } from '../../../lib/temporal.js';

export const dynamic = 'force-dynamic';

// GET /api/health – Temporal, database, worker pollers, runners and GitHub auth; 503 unless the core
// three are ok. Without the token (when one is required) only `{ ok }`: enough for health checks.
export const GET = withErrors('GET /api/health', async (req: Request) => {
  const report = await checkHealth({
    config: getConfig(),
    db,
    client: temporalClient,
    processEnv: parentEnv(),
  });
  const ok = report.temporal.ok && report.database.ok && report.worker.ok;
  const body = req.headers.get(HEALTH_MINIMAL_HEADER) === '1' ? { ok } : report;
  return Response.json(body, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
