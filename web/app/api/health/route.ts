import { childEnv, getConfig } from '../../../lib/env.js';
import { db } from '../../../lib/db.js';
import { withErrors } from '../../../lib/errors.js';
import { checkHealth } from '../../../lib/health.js';
import { temporalClient } from '../../../lib/temporal.js';

export const dynamic = 'force-dynamic';

// GET /api/health – Temporal, database, worker pollers, runners and GitHub auth; 503 unless the core three are ok.
export const GET = withErrors('GET /api/health', async () => {
  const report = await checkHealth({
    config: getConfig(),
    db,
    client: temporalClient,
    processEnv: childEnv(),
  });
  const ok = report.temporal.ok && report.database.ok && report.worker.ok;
  return Response.json(report, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
