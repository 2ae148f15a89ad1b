/** Which kill points a soak runs, from the reference run's activity count. */
import type { Client } from '@temporalio/client';
import { UNCOUNTED_ACTIVITIES, type KillPoint } from '../../core/kill-point.js';

/** The activity types the reference run executed, in start order, poll cycles left out. */
export async function countedActivities(client: Client, taskQueue: string): Promise<string[]> {
  const started: { type: string; at: number }[] = [];
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const types = new Map<string, string>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name) types.set(String(e.eventId), s.activityType.name);
      const st = e.activityTaskStartedEventAttributes;
      const type = st ? types.get(String(st.scheduledEventId)) : undefined;
      if (type && !UNCOUNTED_ACTIVITIES.has(type) && e.eventTime) {
        started.push({ type, at: Number(e.eventTime.seconds) * 1e3 + (e.eventTime.nanos ?? 0) / 1e6 });
      }
    }
  }
  return started.sort((a, b) => a.at - b.at).map((s) => s.type);
}

/**
 * Every boundary (`full`): n:start and n:end for each of the `count` activities. Otherwise one
 * boundary per activity, alternating (odd n at its start, even n at its end), which still visits
 * every activity of the loop.
 */
export function soakPoints(count: number, full: boolean): KillPoint[] {
  const out: KillPoint[] = [];
  for (let n = 1; n <= count; n++) {
    if (full) out.push({ n, phase: 'start' }, { n, phase: 'end' });
    else out.push({ n, phase: n % 2 === 1 ? 'start' : 'end' });
  }
  return out;
}

/** Both boundaries of every counted activity whose type is one of `types` (e.g. every agent turn). */
export function pointsOfActivities(activities: readonly string[], types: readonly string[]): KillPoint[] {
  const unknown = types.filter((t) => !activities.includes(t));
  if (unknown.length > 0)
    throw new Error(
      `--activity: the reference run has no ${unknown.join(', ')} (it ran ${[...new Set(activities)].join(', ')})`,
    );
  const out: KillPoint[] = [];
  activities.forEach((type, i) => {
    if (types.includes(type)) out.push({ n: i + 1, phase: 'start' }, { n: i + 1, phase: 'end' });
  });
  return out;
}

/** A rotating sample for `npm test`: `size` points picked by a seed (the UTC day unless given). */
export function samplePoints(
  all: readonly KillPoint[],
  size: number,
  seed = Math.floor(Date.now() / 86_400_000),
): KillPoint[] {
  const picked: KillPoint[] = [];
  const pool = [...all];
  let x = seed >>> 0 || 1;
  while (picked.length < size && pool.length > 0) {
    // xorshift32: the same seed gives the same points on every machine.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    picked.push(...pool.splice(x % pool.length, 1));
  }
  return picked;
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i] ?? null;
}
