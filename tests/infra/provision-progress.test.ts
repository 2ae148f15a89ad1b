/**
 * First starts build the Temporal CLI for minutes: `runWithProgress` keeps the terminal informed
 * with a periodic line counting units of work, and a failure carries the command's last lines.
 */
import { describe, expect, it } from 'vitest';
import { runWithProgress } from '../../scripts/temporal-servers.js';

const script = (body: string) => ['-e', body];

describe('runWithProgress', () => {
  it('prints periodic progress lines counting the lines that match', async () => {
    const lines: string[] = [];
    await runWithProgress(
      process.execPath,
      script(
        `let i = 0; const t = setInterval(() => { console.error(i % 2 ? 'github.com/x/pkg' + i : 'go: downloading y v1'); if (++i === 8) clearInterval(t); }, 40);`,
      ),
      {
        env: process.env,
        log: (l) => lines.push(l),
        what: 'building',
        unit: 'packages compiled',
        counts: (l) => /^[\w.-]+(\/[\w.@~+-]+)*$/.test(l),
        everyMs: 60,
      },
    );
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^still building: 0m0\ds, \d+ packages compiled$/);
    const last = Number(/, (\d+) packages/.exec(lines.at(-1)!)![1]);
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThanOrEqual(4);
  });

  it('rejects with the exit code and the last lines of output when the command fails', async () => {
    await expect(
      runWithProgress(
        process.execPath,
        script(`console.error('cannot reach proxy.golang.org'); process.exit(3)`),
        {
          env: process.env,
          log: () => {},
          what: 'building',
          unit: 'packages',
          counts: () => false,
        },
      ),
    ).rejects.toThrow(/exited with code 3: cannot reach proxy\.golang\.org/);
  });
});
