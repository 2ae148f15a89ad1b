/**
 * `npm run soak`: the kill matrix (issue 10, items 7 and 8).
 *
 * 1. A kill-free reference run of the full loop; its activities (poll cycles left out) give the
 *    points: one boundary per activity, alternating start/end (`--full`: both boundaries of each).
 * 2. One run per point, the worker SIGKILLed there (RATCHET_TEST_KILL_AT) and restarted under the
 *    supervisor's policy (core/restart-policy.ts). Each run's end state must equal the reference's
 *    and meet the fixed invariants (one PR, one comment per marker, one fixer per snapshot, …).
 * 3. The crash loop: a worker that fails at start-up, restarted N times; the delays it got.
 *
 * Prints a table point → activity → result → recovery times, and with `--write` replaces the
 * `## soak` section of bench/RESULTS.md. Bounded: every run has a deadline (`--run-timeout-s`).
 *
 *   npm run soak                          # every point, 2 runs at a time
 *   npm run soak -- --points 3:start,8:end --concurrency 1
 *   npm run soak -- --full --write
 *   npm run soak -- --activity runAgentTurn --concurrency 1   # both boundaries of every agent turn
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killPointSchema, type KillPoint } from '../../core/kill-point.js';
import { RESTART_POLICY } from '../../core/restart-policy.js';
import { diffOutcomes, runScenario, startSoakEnv, type RunResult } from './kill-matrix.js';
import { countedActivities, pointsOfActivities, quantile, soakPoints } from './points.js';
import { SupervisedWorker } from './supervised-worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const say = (s: string) => process.stdout.write(`${s}\n`);

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    points: { type: 'string' },
    activity: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    'run-timeout-s': { type: 'string', default: '300' },
    'crash-loop': { type: 'string', default: '10' },
    write: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

async function crashLoop(home: string, address: string, crashes: number) {
  // A real start-up failure: the worker refuses an invalid RATCHET_TEST_KILL_AT and exits 1.
  const w = new SupervisedWorker({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: address,
    RATCHET_TASK_QUEUE: 'soak-crash-loop',
    RATCHET_TEST_KILL_AT: 'not-a-point',
  });
  const t0 = Date.now();
  w.start();
  while (w.exits.length < crashes) await new Promise((r) => setTimeout(r, 100));
  await w.stop();
  return {
    totalMs: Date.now() - t0,
    exits: w.exits.map((e, i) => ({
      lifeMs: e.exitedAt - e.startedAt,
      delayMs: e.delayMs,
      // What the supervisor actually waited: this exit → the next process's spawn.
      gapMs: (w.startedAt[i + 1] ?? NaN) - e.exitedAt,
      code: e.code,
    })),
  };
}

async function main() {
  const concurrency = Math.max(1, Number(values.concurrency));
  const timeoutMs = Number(values['run-timeout-s']) * 1000;
  const started = Date.now();
  const env = await startSoakEnv();
  const results: RunResult[] = [];
  try {
    say(`[soak] reference run (no kill)…`);
    const ref = await runScenario(env, { point: null, timeoutMs });
    if (!ref.ok || !ref.outcome) {
      say(ref.workerOutput.slice(-4000));
      throw new Error(`the reference run failed: ${ref.error ?? ref.diffs.join('; ')}`);
    }
    const activities = await countedActivities(env.client, ref.taskQueue);
    say(`[soak] reference: ${secs(ref.elapsedMs)}, ${activities.length} counted activities`);
    const points: KillPoint[] = values.points
      ? values.points.split(',').map((p) => killPointSchema.parse(p.trim()))
      : values.activity
        ? pointsOfActivities(activities, values.activity.split(','))
        : soakPoints(activities.length, values.full);
    say(`[soak] ${points.length} points, ${concurrency} at a time`);
    const queue = [...points];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const r = await runScenario(env, { point: p, timeoutMs });
        if (r.outcome && ref.outcome) r.diffs.push(...diffOutcomes(ref.outcome, r.outcome));
        r.ok = r.error === null && r.diffs.length === 0;
        results.push(r);
        say(
          `[soak] ${r.label.padEnd(8)} ${(r.kill?.activity ?? '?').padEnd(28)} ${r.ok ? 'ok  ' : 'FAIL'} run ${secs(r.elapsedMs)} restart ${secs(r.restartMs)} resumed ${secs(r.resumedMs)}${r.transcriptMs !== null ? ` transcript ${secs(r.transcriptMs)}` : ''}${r.ok ? '' : `\n         ${r.error ?? r.diffs.join('\n         ')}`}`,
        );
        if (!r.ok) fs.writeFileSync(path.join(os.tmpdir(), `soak-${r.label}.log`), r.workerOutput);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    results.sort((a, b) => (a.point?.n ?? 0) - (b.point?.n ?? 0));

    const n = Number(values['crash-loop']);
    const loop = n > 0 ? await crashLoop(env.home, env.server.address, n) : null;

    const resumed = results.flatMap((r) => (r.resumedMs !== null ? [r.resumedMs] : []));
    const restart = results.flatMap((r) => (r.restartMs !== null ? [r.restartMs] : []));
    const turn = results.flatMap((r) => (r.transcriptMs !== null ? [r.transcriptMs] : []));
    const notReached = (r: RunResult) => r.kill === null && /never reached kill point/.test(r.error ?? '');
    const unreached = results.filter(notReached);
    const failed = results.filter((r) => !r.ok && !notReached(r));
    const lines: string[] = [];
    lines.push(
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)} at the end.`,
    );
    lines.push('');
    lines.push(
      `Full loop (workspace → PR → CI fix → review fix → merge → archive), real worker SIGKILLed once per point and restarted with the supervisor's policy (${RESTART_POLICY.immediateMs} ms), shared Temporal dev server, one task queue per run. Reference run ${secs(ref.elapsedMs)}, ${activities.length} counted activities; ${points.length} points: ${points.length - failed.length - unreached.length} ended in the reference state, ${failed.length} did not, ${unreached.length} not reached (that run had fewer activities).`,
    );
    lines.push('');
    lines.push('| figure | median | p95 | n |');
    lines.push('|---|---|---|---|');
    lines.push(
      `| kill → restarted worker ready | ${secs(quantile(restart, 0.5))} | ${secs(quantile(restart, 0.95))} | ${restart.length} |`,
    );
    lines.push(
      `| kill → killed activity's retry running (its ActivityTaskStarted) | ${secs(quantile(resumed, 0.5))} | ${secs(quantile(resumed, 0.95))} | ${resumed.length} |`,
    );
    lines.push(
      `| kill in an agent turn → next transcript row (goal median ≤ 5 s) | ${secs(quantile(turn, 0.5))} | ${secs(quantile(turn, 0.95))} | ${turn.length} |`,
    );
    lines.push('');
    lines.push('| point | activity killed | result | run | restart | resumed | next transcript row |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const r of results) {
      lines.push(
        `| ${r.label} | ${r.kill?.activity ?? '(not reached)'} | ${r.ok ? 'ok' : notReached(r) ? 'not reached' : `FAIL: ${(r.error ?? r.diffs.join('; ')).replace(/\|/g, '/').slice(0, 300)}`} | ${secs(r.elapsedMs)} | ${secs(r.restartMs)} | ${secs(r.resumedMs)} | ${secs(r.transcriptMs)} |`,
      );
    }
    if (loop) {
      lines.push('');
      lines.push(
        `Crash loop: a worker failing at start-up (invalid env, exit 1), ${loop.exits.length} crashes in ${secs(loop.totalMs)}. A crash counts as fast when the process lived < ${RESTART_POLICY.fastMs / 1000} s; the first ${RESTART_POLICY.freeFastCrashes} fast ones in ${RESTART_POLICY.windowMs / 1000} s restart at once, later ones back off 1 s, 2 s, … ${RESTART_POLICY.capMs / 1000} s.`,
      );
      lines.push('');
      lines.push('| crash | lived | policy delay | actual gap to next spawn |');
      lines.push('|---|---|---|---|');
      loop.exits.forEach((e, i) =>
        lines.push(
          `| ${i + 1} | ${secs(e.lifeMs)} | ${secs(e.delayMs)} | ${Number.isNaN(e.gapMs) ? '(stopped)' : secs(e.gapMs)} |`,
        ),
      );
    }
    lines.push('');
    lines.push(`Soak wall time ${secs(Date.now() - started)}.`);
    const section = lines.join('\n');
    say(`\n## soak\n${section}\n`);
    if (values.json) {
      const strip = ({ workerOutput: _, ...r }: RunResult) => r;
      fs.writeFileSync(
        values.json,
        JSON.stringify({ ref: strip(ref), results: results.map(strip), loop }, null, 1),
      );
    }
    if (values.write) {
      const file = path.join(ROOT, 'bench', 'RESULTS.md');
      const text = fs.readFileSync(file, 'utf8');
      const re = /\n## soak\n[\s\S]*?(?=\n## |$)/;
      const next = re.test(text)
        ? text.replace(re, `\n## soak\n${section}\n`)
        : `${text.trimEnd()}\n\n## soak\n${section}\n`;
      fs.writeFileSync(file, next);
      say(`[soak] wrote the soak section of ${file}`);
    }
    process.exitCode = failed.length ? 1 : 0;
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  process.stderr.write(`[soak] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
