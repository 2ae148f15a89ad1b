import { describeScopes, type HealthPart } from '../../../core/health-problems.js';
import '../../components/health/health.css';
import { db } from '../../lib/db.js';
import { getConfig, parentEnv } from '../../lib/env.js';
import { checkHealth, type HealthReport } from '../../lib/health.js';
import { temporalClient } from '../../lib/temporal.js';

export const dynamic = 'force-dynamic';

const ago = (ms: number | null) => (ms === null ? 'never' : `${Math.round(ms / 1000)} s ago`);

function rows(
  r: HealthReport,
): Array<{ part: HealthPart | 'providers'; name: string; ok: boolean; detail: string }> {
  const gh = r.github;
  const hb = r.worker.heartbeat;
  return [
    {
      part: 'temporal',
      name: 'Temporal',
      ok: r.temporal.ok,
      detail: `${r.temporal.address ?? 'no address'} · namespace ${r.temporal.namespace}${r.temporal.error ? ` · ${r.temporal.error}` : ''}`,
    },
    {
      part: 'worker',
      name: 'Worker',
      ok: r.problems.every((p) => p.part !== 'worker'),
      detail: `${r.worker.pollers} poller(s) on "${r.worker.taskQueue ?? ''}" · heartbeat ${ago(hb.ageMs)}${hb.pid ? ` (pid ${hb.pid})` : ''}`,
    },
    {
      part: 'database',
      name: 'Database',
      ok: r.database.ok,
      detail: `${r.database.file} · ${r.database.migrations} migrations${r.database.error ? ` · ${r.database.error}` : ''}`,
    },
    {
      part: 'github',
      name: 'GitHub',
      ok: r.problems.every((p) => p.part !== 'github'),
      detail:
        gh.auth === 'missing'
          ? 'no token'
          : `token from ${gh.auth === 'gh' ? 'gh' : 'the environment'} · ${
              gh.valid === true
                ? `valid, user ${gh.login ?? '?'}`
                : gh.valid === false
                  ? 'refused'
                  : 'not checked'
            }${gh.error ? ` (${gh.error})` : ''} · scopes: ${gh.valid ? describeScopes(gh.scopes) : '–'}`,
    },
    {
      part: 'runner',
      name: 'Default runner',
      ok: r.runner.ok,
      detail: `${r.runner.name}: ${r.runner.detail}`,
    },
  ];
}

export default async function HealthPage() {
  const report = await checkHealth({
    config: getConfig(),
    db,
    client: temporalClient,
    processEnv: parentEnv(),
  });
  return (
    <div className="health-page">
      <h1>
        Health: <span data-testid="health-status">{report.status}</span>
      </h1>
      <section className="card" aria-label="Problems">
        <h2>What to do</h2>
        {report.problems.length === 0 ? (
          <p className="notice">Everything answers.</p>
        ) : (
          <ul data-testid="health-problems">
            {report.problems.map((p) => (
              <li key={p.part} data-part={p.part}>
                <strong>{p.title}.</strong> <span className="action">{p.action}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-label="Parts">
        <h2>Parts</h2>
        <table data-testid="health-parts">
          <tbody>
            {rows(report).map((r) => (
              <tr key={r.part} data-part={r.part}>
                <th>{r.name}</th>
                <td className={r.ok ? 'ok' : 'down'}>{r.ok ? 'ok' : 'down'}</td>
                <td>{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Machine-readable: <a href="/api/health">/api/health</a>. Runners and agents are listed in{' '}
          <a href="/settings">Settings</a>.
        </p>
      </section>
    </div>
  );
}
