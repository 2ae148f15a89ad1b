/**
 * `npm run bench`: runs every benchmark, prints each figure as a ratio to the baseline measured in
 * the same run, and rewrites bench/RESULTS.md. `npm run bench -- worktree startup` runs a subset.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRatio, type Figure } from './figure.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const suites: Record<string, () => Promise<Figure[]>> = {
  startup: async () => (await import('./startup.js')).benchStartup(),
  'worker-start': async () => (await import('./worker-start.js')).benchWorkerStart(),
  worktree: async () => (await import('./worktree.js')).benchWorktree(),
  agents: async () => (await import('./agent-loop.js')).benchAgentLoop(),
  acp: async () => (await import('./acp.js')).benchAcp(),
  'acp-real': async () => (await import('./acp-real.js')).benchAcpReal(),
  'poll-cost': async () => (await import('./poll-cost.js')).benchPollCost(),
  'poke-latency': async () => (await import('./poke-latency.js')).benchPokeLatency(),
  'live-stream': async () => (await import('./live-stream.js')).benchLiveStream(),
  board: async () => (await import('./board.js')).benchBoard(),
  insights: async () => (await import('./insights.js')).benchInsights(),
  'workspace-page': async () => (await import('./workspace-page.js')).benchWorkspacePage(),
};

async function main() {
  const only = process.argv.slice(2);
  const results: Array<{ suite: string; figures: Figure[] }> = [];
  /** Load average (1 min) when each suite started and ended: the machine is shared. */
  const loads = new Map<string, [number, number]>();
  for (const [name, run] of Object.entries(suites)) {
    if (only.length && !only.includes(name)) continue;
    process.stdout.write(`\n== ${name}\n`);
    const loadBefore = os.loadavg()[0]!;
    const figures = await run();
    loads.set(name, [loadBefore, os.loadavg()[0]!]);
    for (const f of figures) {
      const goal = f.goal ? `  goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}` : '';
      process.stdout.write(
        `${f.name}: ${f.value} ${f.unit} = ${formatRatio(f.ratio)} ${f.baselineName} (${f.baseline} ${f.unit})${goal}\n`,
      );
    }
    results.push({ suite: name, figures });
  }
  const file = path.join(HERE, 'RESULTS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const sections = new Map<string, string>();
  for (const m of previous.matchAll(/^## (\S+)\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)) sections.set(m[1]!, m[2]!);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  for (const r of results) {
    const rows = r.figures.map(
      (f) =>
        `| ${f.name} | ${f.value} ${f.unit} | ${f.baseline} ${f.unit} (${f.baselineName}) | ${formatRatio(f.ratio)} | ${f.goal ? `${f.goal} ${f.met ? '✔' : '✘'}` : ''} |`,
    );
    sections.set(
      r.suite,
      `Measured ${when} UTC on ${os.cpus().length} cores, Node ${process.version}, load average ${loads
        .get(r.suite)!
        .map((l) => l.toFixed(1))
        .join(
          ' at the start, ',
        )} at the end.\n\n| figure | value | baseline (same run) | ratio | goal |\n|---|---|---|---|---|\n${rows.join('\n')}\n\n`,
    );
  }
  const body = [...sections.entries()].map(([k, v]) => `## ${k}\n${v}`).join('');
  fs.writeFileSync(
    file,
    `# Benchmark results\n\nWritten by \`npm run bench\`; each figure is a ratio to a baseline measured in the same run.\n\n${body}`,
  );
  process.stdout.write(`\nwrote ${file}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
