/**
 * `npm run record-histories`: runs the workflow suites with `RATCHET_RECORD_HISTORIES` set (see
 * `tests/support/histories.ts`), then keeps a small covering set in `tests/replay/histories/` with
 * `manifest.json`, which `tests/replay/replay.test.ts` replays against today's workflows.
 *
 *   npm run record-histories                      # every pass below, then curate
 *   npm run record-histories -- --from <dir>      # curate an earlier recording only (no suites run)
 *   npm run record-histories -- --pass suites     # only the named pass(es), comma-separated
 *   npm run record-histories -- --pass none --at <commit>[,<commit>]
 *                                                 # the suites as they were at a commit (a patch's old path)
 *
 * Stored cases are never replaced by a newer recording of the same case: an old history is exactly
 * what the replay test exists for. A case is new when no stored history has the same workflow type,
 * patch markers, continue-as-new in, end and set of distinct commands (activity types, children,
 * outgoing signals, timers), whatever commit it was recorded at.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/bundle.js';
import type { RecordedHistory } from '../support/histories.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HISTORIES_DIR = path.join(ROOT, 'tests/replay/histories');
export const MANIFEST = path.join(HISTORIES_DIR, 'manifest.json');

/** A history larger than this is not stored (the 1,000-cycle poller runs): a smaller one covers the same case. */
const MAX_BYTES = 600_000;

/** One stored history: its file (relative to `tests/replay/histories/`) and the facts read from it. */
export interface ManifestCase extends RecordedHistory {
  file: string;
  /** What the case covers, in words (also its file name). */
  covers: string;
}

export interface Manifest {
  /** How to add cases: the command, so a reader of the JSON finds it. */
  howToRecord: string;
  cases: ManifestCase[];
}

interface Pass {
  name: string;
  files: string[];
  /** vitest `-t`: only tests whose name matches. */
  testName?: string;
  env?: Record<string, string>;
}

/**
 * Together these run every workflow type (workspace, ratchet, fixer, poller) through every live
 * `patched()` branch and every continue-as-new point. The suggest-CAN pass lowers the dev server's
 * `continueAsNewSuggested` threshold so the workspace, ratchet and poller continue as new within a
 * short run (their own points are every 25 turns, 500 decisions and 200 cycles, which these suites
 * do not reach). A test that assumes one run may go red in that pass; its histories still count.
 */
const PASSES: Pass[] = [
  {
    name: 'suites',
    files: [
      'tests/ratchet/scenario.test.ts',
      'tests/workspace/workspace.test.ts',
      'tests/ratchet/conflict-fix.test.ts',
    ],
  },
  {
    name: 'suggest-can',
    files: ['tests/ratchet/scenario.test.ts', 'tests/workspace/workspace.test.ts'],
    env: { RATCHET_RECORD_SUGGEST_CAN: '40' },
  },
];

function runPass(pass: Pass, out: string, cwd = ROOT): void {
  const files = pass.files.filter((f) => fs.existsSync(path.join(cwd, f)));
  if (files.length === 0) return;
  const args = ['vitest', 'run', ...files, ...(pass.testName ? ['-t', pass.testName] : [])];
  process.stderr.write(`[record] pass ${pass.name} in ${cwd}: npx ${args.join(' ')}\n`);
  const res = spawnSync('npx', args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...pass.env, RATCHET_RECORD_HISTORIES: path.join(out, pass.name) },
  });
  // A red suite still recorded what it ran; its histories are as valid as a green one's.
  if (res.status !== 0)
    process.stderr.write(`[record] pass ${pass.name}: vitest exited ${res.status ?? res.signal}\n`);
}

function readRecorded(dir: string): { facts: RecordedHistory; json: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.facts.json'))
    .sort()
    .map((f) => {
      const facts = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as RecordedHistory;
      return { facts, json: path.join(dir, f.replace(/\.facts\.json$/, '.json')) };
    });
}

/** The run's end: `completed`, `continued-as-new`, `failed`, `terminated`, … or `open`. */
function endOf(f: RecordedHistory): string {
  const end = /^WORKFLOW_EXECUTION_(\w+)$/.exec(f.lastEvent)?.[1];
  // A signal or an update as the last event is a run still open, not an end.
  return end && !['SIGNALED', 'UPDATE_ACCEPTED', 'UPDATE_COMPLETED'].includes(end)
    ? end.toLowerCase().replace(/_/g, '-')
    : 'open';
}

/** The words a case is named by: workflow type, suite, patches taken, continue-as-new in, end. */
export function coversOf(f: RecordedHistory): string {
  const type = f.workflowType.replace(/Workflow$/, '');
  const suite = path.basename(f.suite, '.test.ts');
  const patches = f.patches.length > 0 ? f.patches.join('+') : 'no-patch';
  const from = f.startedByContinueAsNew ? 'from-can' : 'fresh';
  return [type, suite, patches, from, endOf(f)].join('.');
}

/** A short hash of the run's distinct commands: two runs with the same one took the same path, roughly. */
const shapeOf = (f: RecordedHistory) =>
  crypto.createHash('sha256').update(f.commands.join('\n')).digest('hex').slice(0, 6);

/**
 * Same case: same workflow type, patches, continue-as-new in, end, and distinct commands. The
 * suite that produced it and the sources it was recorded from do not matter: an older recording of
 * the same commands adds nothing, one that took an old path (other commands) is a case of its own.
 */
const caseKey = (f: RecordedHistory) =>
  [f.workflowType, f.patches.join('+'), f.startedByContinueAsNew, endOf(f), shapeOf(f)].join('|');

export function readManifest(): Manifest {
  if (!fs.existsSync(MANIFEST)) return { howToRecord: 'npm run record-histories', cases: [] };
  return JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest;
}

/** Why a history does not replay on today's workflows, or null when it does. */
type ReplayCheck = (facts: RecordedHistory, history: unknown) => Promise<string | null>;

/** Replays with the worker's own bundle, as `replay.test.ts` does. */
async function replayCheck(): Promise<ReplayCheck> {
  const bundle = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
  return async (facts, history) => {
    try {
      await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(history), facts.workflowId);
      return null;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  };
}

/**
 * Adds every recorded case not stored yet (the smallest history of each) that replays on today's
 * workflows, and rewrites the manifest. One that does not replay is not stored: it is reported in
 * `rejected` (a recording from an old commit that today's code breaks; see ARCHITECTURE.md).
 */
export async function curate(
  dirs: string[],
  replays: ReplayCheck,
): Promise<{ added: ManifestCase[]; rejected: string[]; manifest: Manifest }> {
  const manifest = readManifest();
  const have = new Set(manifest.cases.map(caseKey));
  const best = new Map<string, { facts: RecordedHistory; json: string; bytes: number }>();
  for (const dir of dirs) {
    for (const r of readRecorded(dir)) {
      if (!r.facts.workflowType || have.has(caseKey(r.facts))) continue;
      const bytes = fs.statSync(r.json).size;
      if (bytes > MAX_BYTES) continue;
      const key = caseKey(r.facts);
      const prev = best.get(key);
      if (!prev || bytes < prev.bytes) best.set(key, { ...r, bytes });
    }
  }
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const added: ManifestCase[] = [];
  const rejected: string[] = [];
  for (const { facts, json } of best.values()) {
    const covers = coversOf(facts);
    const file = `${covers}.${shapeOf(facts)}.${facts.sourceHash.slice(0, 8)}.json`;
    const history = JSON.parse(fs.readFileSync(json, 'utf8')) as unknown;
    const failure = await replays(facts, history);
    if (failure) {
      rejected.push(`${json} (${facts.workflowType}, recorded at ${facts.commit}): ${failure}`);
      continue;
    }
    // Re-serialised without indentation: the SDK's JSON form, a third of the pretty-printed size.
    fs.writeFileSync(path.join(HISTORIES_DIR, file), `${JSON.stringify(history)}\n`);
    added.push({ ...facts, file, covers });
  }
  manifest.cases = [...manifest.cases, ...added].sort((a, b) => a.file.localeCompare(b.file));
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return { added, rejected, manifest };
}

function git(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${res.stderr.trim()}`);
  return res.stdout;
}

/**
 * Records the suites as they were at `commit` (say, the parent of the commit that added a patch),
 * so the `patched()` old path has a history. A throwaway worktree gets today's recording switch
 * (`histories.ts`, and the commit that hooked it into `temporal.ts`, applied with `git apply -3`)
 * and a hard-linked copy of today's `node_modules` (fine while package.json matched; say if not).
 */
function recordAt(commit: string, out: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-record-at-'));
  git(ROOT, 'worktree', 'add', '--detach', dir, commit);
  try {
    fs.copyFileSync(
      path.join(ROOT, 'tests/support/histories.ts'),
      path.join(dir, 'tests/support/histories.ts'),
    );
    const hook = git(
      ROOT,
      'log',
      '--reverse',
      '--format=%H',
      '-S',
      'recordingArgs',
      '--',
      'tests/support/temporal.ts',
    )
      .trim()
      .split('\n')[0];
    if (!hook) throw new Error('no commit hooks the recording switch into tests/support/temporal.ts');
    const patch = path.join(dir, '.record-hook.patch');
    fs.writeFileSync(patch, git(ROOT, 'diff', `${hook}~1`, hook, '--', 'tests/support/temporal.ts'));
    git(dir, 'apply', '--3way', patch);
    if (git(ROOT, 'diff', commit, 'HEAD', '--', 'package-lock.json').trim() !== '')
      process.stderr.write(
        `[record] note: package-lock.json changed since ${commit}; recording with today's node_modules\n`,
      );
    spawnSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')], {
      stdio: 'inherit',
    });
    fs.rmSync(path.join(dir, 'node_modules/.vite'), { recursive: true, force: true });
    const [suites] = PASSES;
    if (suites) runPass({ ...suites, name: `at-${commit}` }, out, dir);
  } finally {
    git(ROOT, 'worktree', 'remove', '--force', dir);
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const from = arg('--from');
  let dirs: string[];
  if (from) {
    dirs = [path.resolve(from)];
  } else {
    const only = arg('--pass')?.split(',');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-histories-'));
    const passes = only ? PASSES.filter((p) => only.includes(p.name)) : PASSES;
    if (passes.length === 0 && !only?.includes('none'))
      throw new Error(
        `--pass: no pass named ${only?.join(', ')}; passes are ${PASSES.map((p) => p.name).join(', ')}`,
      );
    for (const pass of passes) runPass(pass, out);
    const at = arg('--at');
    for (const commit of at ? at.split(',') : []) recordAt(commit, out);
    dirs = [out];
    process.stderr.write(`[record] raw recordings kept in ${out}\n`);
  }
  const { added, rejected, manifest } = await curate(dirs, await replayCheck());
  for (const c of added) process.stderr.write(`[record] + ${c.file} (${c.events} events)\n`);
  for (const r of rejected)
    process.stderr.write(`[record] ! does not replay on today's workflows, not stored: ${r}\n`);
  const bytes = manifest.cases.reduce((n, c) => n + fs.statSync(path.join(HISTORIES_DIR, c.file)).size, 0);
  process.stderr.write(
    `[record] ${added.length} new, ${rejected.length} rejected, ${manifest.cases.length} stored, ${(bytes / 1e6).toFixed(2)} MB\n`,
  );
  // A rejected history is a finding (today's code breaks a run from that commit), not noise.
  if (rejected.length > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`[record] ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
