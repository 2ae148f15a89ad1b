/** runProcess's extra input pipes and the retry-side kill of a recorded process group (real processes). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  extraInputFd,
  groupMembers,
  killRecordedGroup,
  processStartTicks,
  runProcess,
} from '../../activities/process.js';

describe('runProcess extraInputs', () => {
  for (const parentWatchdog of [false, true]) {
    it(`hands each value to the command on its own fd, not in its environment (watchdog ${parentWatchdog ? 'on' : 'off'})`, async () => {
      const fd = extraInputFd(0, parentWatchdog);
      const res = await runProcess('/bin/sh', ['-c', `cat <&${fd}; echo; env`], {
        parentWatchdog,
        extraInputs: ['s3cret-value'],
        env: { PATH: process.env.PATH },
      });
      expect(res.code).toBe(0);
      expect(res.stdout.split('\n')[0]).toBe('s3cret-value');
      expect(res.stdout.split('\n').slice(1).join('\n')).not.toContain('s3cret-value');
    });
  }
});

describe('killRecordedGroup', () => {
  it('leaves a live group alone when its leader has another start time (a recycled pid), and kills it when it matches', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    try {
      const startTicks = processStartTicks(pgid);
      expect(startTicks).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
      expect(await killRecordedGroup({ pgid, startTicks: `${startTicks}0` })).toBe(false);
      expect(groupMembers(pgid).length).toBe(3);
      expect(await killRecordedGroup({ pgid, startTicks })).toBe(true);
      expect(groupMembers(pgid)).toEqual([]);
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
});
