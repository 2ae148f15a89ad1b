/**
 * The kill matrix's rotating sample in `npm test` (the whole matrix is `npm run soak`): a kill-free
 * reference run of the full loop, then two kill points picked by the UTC day (the seed is printed;
 * `RATCHET_SOAK_SEED=<n>` picks again), each with a real SIGKILL of the worker and a restart under
 * the supervisor's policy. Each run must end in the reference's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatKillPoint } from '../../core/kill-point.js';
import { diffOutcomes, runScenario, startSoakEnv, type RunResult, type SoakEnv } from './kill-matrix.js';
import { countedActivities, samplePoints, soakPoints } from './points.js';

let env: SoakEnv;
let ref: RunResult;
let activities: string[] = [];

beforeAll(async () => {
  env = await startSoakEnv();
});

afterAll(async () => {
  await env?.close();
});

const seed = Number(process.env.RATCHET_SOAK_SEED ?? Math.floor(Date.now() / 86_400_000));

describe('kill matrix (rotating sample)', () => {
  it('the kill-free reference run ends merged and archived with one of each write', async () => {
    ref = await runScenario(env, { point: null });
    expect(ref.error).toBeNull();
    expect(ref.diffs).toEqual([]);
    activities = await countedActivities(env.client, ref.taskQueue);
    // The loop has dozens of activity boundaries; the matrix needs at least 30 points.
    expect(activities.length).toBeGreaterThanOrEqual(30);
  }, 420_000);

  it('two sampled kill points each end in the reference state, the retry starting soon after the restart', async () => {
    expect(ref?.outcome, 'the reference run must pass first').toBeTruthy();
    // The last few activities vary with timing (one decision more or less), so a run may end before
    // a point near the end; the sample stays clear of them (the soak reports them as not reached).
    const points = samplePoints(soakPoints(activities.length - 5, false), 2, seed);
    process.stderr.write(
      `[kill matrix] seed ${seed}: points ${points.map(formatKillPoint).join(', ')} of ${activities.length}\n`,
    );
    for (const point of points) {
      const r = await runScenario(env, { point });
      const diffs = [...r.diffs, ...(r.outcome && ref.outcome ? diffOutcomes(ref.outcome, r.outcome) : [])];
      process.stderr.write(
        `[kill matrix] ${r.label} at ${r.kill?.activity}: restart ${r.restartMs} ms, resumed ${r.resumedMs} ms\n`,
      );
      expect({ point: r.label, error: r.error, diffs }).toEqual({ point: r.label, error: null, diffs: [] });
      expect(r.kill?.point).toBe(r.label);
      expect(r.exits.map((e) => e.signal)).toEqual(['SIGKILL']);
      // The restarted worker fails its predecessor's attempt at once (worker/inflight.ts): the retry
      // runs seconds after the restart, not after the 30 s – 2 min start-to-close timeout.
      expect(r.resumedMs).not.toBeNull();
      expect((r.resumedMs ?? 0) - (r.restartMs ?? 0)).toBeLessThan(10_000);
    }
  }, 900_000);
});
