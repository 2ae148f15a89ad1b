'use client';

/**
 * The Insights charts, drawn by uPlot on canvas: PRs opened and merged per day, and dollars per
 * day. uPlot sets element styles through the CSSOM (allowed by the page CSP) and runs no inline
 * script. Each chart is redrawn when its data changes and destroyed on unmount.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { InsightDay } from '../../../core/insights.js';

const DAY_S = 86_400;
const HEIGHT = 220;

interface Series {
  label: string;
  values: number[];
  color: string;
  bars?: boolean;
}

function Chart({
  days,
  series,
  testId,
  yLabel,
}: {
  days: InsightDay[];
  series: Series[];
  testId: string;
  yLabel: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] } },
      axes: [{}, { label: yLabel, size: 56 }],
      series: [
        { label: 'day' },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(s.bars && bars ? { paths: bars, fill: `${s.color}55` } : {}),
          points: { show: !s.bars },
        })),
      ],
    };
    const chart = new uPlot(opts, [xs, ...series.map((s) => s.values)], el);
    const resize = () => chart.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [days, series, yLabel]);
  return <div ref={ref} className="insights-chart" data-testid={testId} />;
}

export function InsightsCharts({ days }: { days: InsightDay[] }) {
  return (
    <div className="insights-charts">
      <section className="card">
        <h2>PRs per day</h2>
        <Chart
          days={days}
          testId="chart-prs"
          yLabel="PRs"
          series={[
            { label: 'opened', values: days.map((d) => d.opened), color: '#3b5bdb' },
            { label: 'merged', values: days.map((d) => d.merged), color: '#2b8a3e' },
          ]}
        />
      </section>
      <section className="card">
        <h2>Dollars per day</h2>
        <Chart
          days={days}
          testId="chart-spend"
          yLabel="USD"
          series={[{ label: 'spend', values: days.map((d) => d.usd), color: '#b7791f', bars: true }]}
        />
      </section>
    </div>
  );
}
