/**
 * `npm run bench -- board`: the board page and `GET /api/workspaces` on the seeded heavy-user read
 * model (10,000 workspaces, 1,000,000 events, 200,000 messages, 20 projects; bench/seed-read-model.ts),
 * each served by `next start` (production build). The baseline is main's code path measured in the
 * same run: main's own production build (/work/main by default, `RATCHET_BASELINE_ROOT` to change)
 * served against an identical copy of the database, requests interleaved with ours so both see the
 * same machine load.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, type Figure } from './figure.js';
import { seedReadModel } from './seed-read-model.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE_ROOT = process.env.RATCHET_BASELINE_ROOT ?? '/work/main';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Served {
  base: string;
  stop: () => Promise<void>;
}

/** `next start web` from `root`'s build with RATCHET_HOME=home; resolves once `/api/projects` answers. */
async function serve(root: string, home: string): Promise<Served> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(root, 'node_modules', '.bin', 'next'),
    ['start', 'web', '-H', '127.0.0.1', '-p', String(port)],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        RATCHET_HOME: home,
        RATCHET_HOST: '127.0.0.1',
        RATCHET_PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start (${root}) exited ${child.exitCode}: ${log}`);
    try {
      if ((await fetch(`${base}/api/projects`)).ok) return { base, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start (${root}) did not answer within 120 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return { ms, bytes: body.byteLength };
}

function p(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export async function benchBoard(): Promise<Figure[]> {
  const n = Number(process.env.RATCHET_BENCH_BOARD_N ?? 40);
  const nBase = Number(process.env.RATCHET_BENCH_BOARD_BASELINE_N ?? 10);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-board-'));
  const home = path.join(tmp, 'new');
  const baseHome = path.join(tmp, 'main');
  fs.mkdirSync(home);
  fs.mkdirSync(baseHome);
  const servers: Served[] = [];
  try {
    const seeded = await seedReadModel(path.join(home, 'ratchet.db'), {
      workspaces: 10_000,
      events: 1_000_000,
      messages: 200_000,
      projects: 20,
    });
    process.stdout.write(`seeded ${JSON.stringify(seeded)}\n`);
    fs.copyFileSync(path.join(home, 'ratchet.db'), path.join(baseHome, 'ratchet.db'));
    if (!fs.existsSync(path.join(ROOT, 'web', '.next', 'BUILD_ID'))) {
      const build = spawnSync('npm', ['run', 'web:build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('npm run web:build failed');
    }
    const baselineBuilt = fs.existsSync(path.join(BASELINE_ROOT, 'web', '.next', 'BUILD_ID'));
    if (!baselineBuilt) throw new Error(`no production build of the baseline in ${BASELINE_ROOT}/web/.next`);
    const commit = spawnSync('git', ['-C', BASELINE_ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).stdout.trim();
    const ours = await serve(ROOT, home);
    servers.push(ours);
    const main = await serve(BASELINE_ROOT, baseHome);
    servers.push(main);

    const views = {
      page: '/',
      api: '/api/workspaces',
      // A mix a person uses: a project, a search, the second Done page, the archive, needs-me.
      mixed: [
        '/?project=prj_seed_07',
        '/?q=auth',
        '/?needsMe=1',
        '/?view=archived',
        '/?column=done&limit=50',
      ],
    };
    // Warm both (route compilation caches, SQLite page cache).
    for (let i = 0; i < 3; i++) {
      await timed(ours.base + views.page);
      await timed(ours.base + views.api);
      await timed(main.base + views.page);
      await timed(main.base + views.api);
    }
    const sample = { page: [] as number[], api: [] as number[], mixed: [] as number[] };
    const base = { page: [] as number[], api: [] as number[] };
    let bytes = { page: 0, api: 0, basePage: 0, baseApi: 0 };
    const every = Math.max(1, Math.floor(n / nBase));
    for (let i = 0; i < n; i++) {
      const a = await timed(ours.base + views.page);
      const b = await timed(ours.base + views.api);
      const c = await timed(ours.base + views.mixed[i % views.mixed.length]!);
      sample.page.push(a.ms);
      sample.api.push(b.ms);
      sample.mixed.push(c.ms);
      bytes = { ...bytes, page: a.bytes, api: b.bytes };
      if (i % every === 0 && base.page.length < nBase) {
        const d = await timed(main.base + views.page);
        const e = await timed(main.base + views.api);
        base.page.push(d.ms);
        base.api.push(e.ms);
        bytes = { ...bytes, basePage: d.bytes, baseApi: e.bytes };
      }
    }
    const mb = (b: number) => `${(b / 1_000_000).toFixed(2)} MB`;
    const where = `10k workspaces, 1M events, 200k messages; ${n} requests, baseline ${base.page.length} (main ${commit})`;
    const goalPage = 100;
    const goalApi = 50;
    return [
      figure({
        name: `Board page \`/\` p95 (${where}; ${mb(bytes.page)} vs ${mb(bytes.basePage)})`,
        value: round(p(sample.page, 0.95)),
        unit: 'ms',
        baselineName: "main's board page p95",
        baseline: round(p(base.page, 0.95)),
        goal: `≤ ${goalPage} ms`,
        met: p(sample.page, 0.95) <= goalPage,
      }),
      figure({
        name: 'Board page `/` p50',
        value: round(p(sample.page, 0.5)),
        unit: 'ms',
        baselineName: "main's board page p50",
        baseline: round(p(base.page, 0.5)),
      }),
      figure({
        name: `Board page p95 over filtered views (project, search, needs me, archive, Done ×50)`,
        value: round(p(sample.mixed, 0.95)),
        unit: 'ms',
        baselineName: "main's board page p95 (it has no filters)",
        baseline: round(p(base.page, 0.95)),
        goal: `≤ ${goalPage} ms`,
        met: p(sample.mixed, 0.95) <= goalPage,
      }),
      figure({
        name: `\`GET /api/workspaces\` p95 (${mb(bytes.api)} vs ${mb(bytes.baseApi)})`,
        value: round(p(sample.api, 0.95)),
        unit: 'ms',
        baselineName: "main's GET /api/workspaces p95",
        baseline: round(p(base.api, 0.95)),
        goal: `≤ ${goalApi} ms`,
        met: p(sample.api, 0.95) <= goalApi,
      }),
      figure({
        name: '`GET /api/workspaces` p50',
        value: round(p(sample.api, 0.5)),
        unit: 'ms',
        baselineName: "main's GET /api/workspaces p50",
        baseline: round(p(base.api, 0.5)),
      }),
      figure({
        name: 'Board page size',
        value: Math.round(bytes.page / 1000),
        unit: 'kB',
        baselineName: "main's board page",
        baseline: Math.round(bytes.basePage / 1000),
      }),
    ];
  } finally {
    for (const s of servers) await s.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
