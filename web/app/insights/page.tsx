import Link from 'next/link';
import { FIX_KINDS, PERIOD_DAYS, insightsQuerySchema } from '../../../core/insights.js';
import { InsightsCharts } from '../../components/insights/insights-charts.js';
import { formatDuration, formatNumber, formatRate, formatUsd } from '../../components/insights/format.js';
import '../../components/insights/insights.css';
import { db } from '../../lib/db.js';
import { DomainError, zodErrorBody } from '../../lib/errors.js';
import { getInsights, type InsightsAnswer } from '../../lib/insights.js';
import { listProjects } from '../../lib/projects.js';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const KIND_TITLES: Record<(typeof FIX_KINDS)[number], string> = {
  ci: 'CI',
  review: 'Review',
  conflict: 'Conflict',
};

function href(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/insights?${s}` : '/insights';
}

function Figure({
  label,
  value,
  testId,
  hint,
}: {
  label: string;
  value: string;
  testId: string;
  hint?: string;
}) {
  return (
    <div className="insights-figure" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
      {hint && <div className="muted hint">{hint}</div>}
    </div>
  );
}

function Report({ r }: { r: InsightsAnswer }) {
  return (
    <>
      <section className="insights-figures card" aria-label="Figures">
        <Figure label="PRs opened" value={String(r.prsOpened)} testId="fig-opened" />
        <Figure label="PRs merged" value={String(r.prsMerged)} testId="fig-merged" />
        <Figure
          label="Fix attempts per merged PR"
          value={formatNumber(r.attemptsPerMergedPr.mean, 2)}
          hint={`median ${formatNumber(r.attemptsPerMergedPr.median)}`}
          testId="fig-attempts"
        />
        <Figure
          label="Opened → merge-ready"
          value={formatDuration(r.timeToMergeReady.medianMs)}
          hint={`median · p90 ${formatDuration(r.timeToMergeReady.p90Ms)} · ${r.timeToMergeReady.n} PRs`}
          testId="fig-ready"
        />
        <Figure
          label="Opened → merged"
          value={formatDuration(r.timeToMerged.medianMs)}
          hint={`median · p90 ${formatDuration(r.timeToMerged.p90Ms)} · ${r.timeToMerged.n} PRs`}
          testId="fig-time-merged"
        />
        <Figure label="Dollars per merged PR" value={formatUsd(r.dollarsPerMergedPr)} testId="fig-usd-pr" />
        <Figure
          label="Dollars per day"
          value={formatUsd(r.dollarsPerDay)}
          hint={`${formatUsd(r.spendUsd)} in ${r.period.days} days`}
          testId="fig-usd-day"
        />
      </section>
      <InsightsCharts days={r.daily} />
      <div className="insights-tables">
        <section className="card" aria-label="Fix success">
          <h2>Fix success rate</h2>
          <table className="insights-table" data-testid="fix-success">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Rate</th>
                <th>Pushed / settled</th>
                <th>Running</th>
              </tr>
            </thead>
            <tbody>
              {FIX_KINDS.map((k) => {
                const f = r.fixSuccess[k];
                return (
                  <tr key={k} data-kind={k}>
                    <th>{KIND_TITLES[k]}</th>
                    <td>
                      <span className="rate-bar" style={{ width: `${Math.round((f.rate ?? 0) * 80)}px` }} />
                      {formatRate(f.rate)}
                    </td>
                    <td>
                      {f.succeeded} / {f.settled}
                    </td>
                    <td>{f.running}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted hint">A success is a fixer run that pushed a change.</p>
        </section>
        <section className="card" aria-label="Failing checks">
          <h2>Checks that fail most</h2>
          {r.topFailingChecks.length === 0 ? (
            <p className="muted">No CI fixes in this period.</p>
          ) : (
            <table className="insights-table" data-testid="failing-checks">
              <thead>
                <tr>
                  <th>Check</th>
                  <th>CI fixes</th>
                  <th>PRs</th>
                </tr>
              </thead>
              <tbody>
                {r.topFailingChecks.map((c) => (
                  <tr key={c.check}>
                    <td>
                      <code>{c.check}</code>
                    </td>
                    <td>{c.fixes}</td>
                    <td>{c.prs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}

export default async function InsightsPage({ searchParams }: { searchParams: SearchParams }) {
  // The form sends every field, empty ones too: an empty field means "not given", and dates win
  // over the period links' `days` (kept in a hidden field so changing only the project keeps it).
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(await searchParams)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== '') raw[k] = value;
  }
  if (raw.from !== undefined && raw.to !== undefined) delete raw.days;
  const database = db();
  const projects = listProjects(database);
  const parsed = insightsQuerySchema.safeParse(raw);
  let report: InsightsAnswer | null = null;
  let error: string | null = null;
  if (!parsed.success) error = zodErrorBody(parsed.error).error.message;
  else {
    try {
      report = getInsights(database, parsed.data);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      error = err.message;
    }
  }
  const project = parsed.success ? parsed.data.project : undefined;
  const custom = parsed.success && parsed.data.from !== undefined;
  const current = report?.period.label;
  return (
    <div className="insights-page">
      <div className="insights-head">
        <h1>Insights</h1>
        <span className="muted" data-testid="period">
          {report
            ? `${report.project?.name ?? 'All projects'} · ${report.period.from} → ${report.period.to}`
            : ''}
        </span>
      </div>
      <nav className="insights-periods" aria-label="Period">
        {PERIOD_DAYS.map((d) => (
          <Link
            key={d}
            href={href({ project, days: String(d) })}
            className={current === String(d) ? 'active' : undefined}
            data-testid={`period-${d}`}
          >
            {d} days
          </Link>
        ))}
        <form action="/insights" method="get" className="insights-range">
          {current && current !== 'custom' && <input type="hidden" name="days" value={current} />}
          <label>
            Project{' '}
            <select name="project" defaultValue={project ?? ''}>
              <option value="">All projects</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            From <input type="date" name="from" defaultValue={custom ? parsed.data.from : ''} />
          </label>
          <label>
            To <input type="date" name="to" defaultValue={custom ? parsed.data.to : ''} />
          </label>
          <button type="submit">Show</button>
        </form>
      </nav>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && <Report r={report} />}
    </div>
  );
}
