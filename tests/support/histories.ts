/**
 * Recording workflow histories for the replay suite (`tests/replay/`).
 *
 * With `RATCHET_RECORD_HISTORIES=<dir>` set, every Temporal server a suite starts through
 * `tests/support/temporal.ts` writes the history of every workflow run it holds to
 * `<dir>/<workflowType>/<suite>--<workflow id>--<run id>.json` (the SDK's JSON form, `historyToJSON`)
 * just before it is torn down, plus a `.facts.json` beside each: workflow type, the `patched()` ids
 * its markers carry, whether it continued as new, and the commit it was recorded at.
 * `tests/replay/record.ts` (`npm run record-histories`) runs the suites that way and keeps a small
 * covering set in `tests/replay/histories/`.
 *
 * `RATCHET_RECORD_SUGGEST_CAN=<events>` (recording only) starts dev servers with
 * `limit.historyCount.suggestContinueAsNew=<events>`, the server's own knob behind
 * `workflowInfo().continueAsNewSuggested`, so short test runs take every continue-as-new branch.
 *
 * No vitest import here: benchmarks use `temporal.ts` too.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { msToTs } from '@temporalio/common/lib/time';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The marker the SDK records for `patched(id)`. */
const PATCH_MARKER = 'core_patch';

/** What the replay suite needs to know about one stored history, read from the history itself. */
export interface HistoryFacts {
  workflowType: string;
  workflowId: string;
  runId: string;
  /** `patched()` ids recorded in MarkerRecorded events, sorted. */
  patches: string[];
  /** The run ended in WorkflowExecutionContinuedAsNew. */
  continuedAsNew: boolean;
  /** The run was started by a continue-as-new (its input carries `resume`). */
  startedByContinueAsNew: boolean;
  /** The distinct commands the run made (activities, children, outgoing signals, timers), sorted: its path, roughly. */
  commands: string[];
  /** The last event's type (e.g. `WORKFLOW_EXECUTION_COMPLETED`), with the `EVENT_TYPE_` prefix removed. */
  lastEvent: string;
  events: number;
}

export interface RecordedHistory extends HistoryFacts {
  /** The test file that produced it, relative to the repository root. */
  suite: string;
  /** `git rev-parse HEAD` when it was recorded, `+dirty` if a bundled `.ts` file had local changes. */
  commit: string;
  /** Hash of the sources bundled into the workflow sandbox (workflows/, core/, prompts/). */
  sourceHash: string;
  recordedAt: string;
}

type JsonEvent = {
  eventType?: string | number;
  markerRecordedEventAttributes?: {
    markerName?: string;
    details?: Record<string, { payloads?: { data?: string }[] }>;
  };
  workflowExecutionStartedEventAttributes?: {
    workflowType?: { name?: string };
    continuedExecutionRunId?: string;
    originalExecutionRunId?: string;
    workflowId?: string;
  };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowType?: { name?: string } };
  signalExternalWorkflowExecutionInitiatedEventAttributes?: { signalName?: string };
};

/** The command an event records, by name: `activity:<type>`, `child:<type>`, `signal:<name>`, `timer`. */
function commandOf(e: JsonEvent): string | null {
  const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
  if (activity) return `activity:${activity}`;
  const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name;
  if (child) return `child:${child}`;
  const signal = e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName;
  if (signal) return `signal:${signal}`;
  return eventName(e) === 'TIMER_STARTED' ? 'timer' : null;
}

function eventName(e: JsonEvent): string {
  return String(e.eventType ?? '').replace(/^EVENT_TYPE_/, '');
}

function patchIdOf(e: JsonEvent): string | null {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== PATCH_MARKER) return null;
  // Core records `details["patch-data"]` as one JSON payload `{ "id": <patch id>, "deprecated": bool }`
  // (the JSON form base64s the data).
  const data = m.details?.['patch-data']?.payloads?.[0]?.data;
  if (!data) throw new Error(`a ${PATCH_MARKER} marker without patch-data: ${JSON.stringify(m.details)}`);
  const v = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id?: unknown };
  if (typeof v.id !== 'string')
    throw new Error(`a ${PATCH_MARKER} marker without an id: ${JSON.stringify(v)}`);
  return v.id;
}

/** Facts read from a history in the SDK's JSON form (what `historyToJSON` writes). */
export function historyFacts(
  history: { events?: JsonEvent[] },
  ids: { workflowId?: string; runId?: string } = {},
): HistoryFacts {
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error('not a workflow history: the first event is not WorkflowExecutionStarted');
  const patches = new Set<string>();
  const commands = new Set<string>();
  for (const e of events) {
    const id = patchIdOf(e);
    if (id) patches.add(id);
    const command = commandOf(e);
    if (command) commands.add(command);
  }
  const last = events[events.length - 1];
  return {
    workflowType: started.workflowType?.name ?? '',
    workflowId: ids.workflowId ?? started.workflowId ?? '',
    runId: ids.runId ?? '',
    patches: [...patches].sort(),
    commands: [...commands].sort(),
    continuedAsNew: last ? eventName(last) === 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW' : false,
    startedByContinueAsNew: Boolean(started.continuedExecutionRunId),
    lastEvent: last ? eventName(last) : '',
    events: events.length,
  };
}

/** Where recordings go, or null when not recording. */
export function recordDir(): string | null {
  const dir = process.env.RATCHET_RECORD_HISTORIES;
  return dir ? path.resolve(dir) : null;
}

/** The continue-as-new suggestion threshold for dev servers while recording, or null. */
export function suggestContinueAsNewAt(): number | null {
  if (!recordDir()) return null;
  const n = Number(process.env.RATCHET_RECORD_SUGGEST_CAN);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The `.ts` files bundled into the workflow sandbox (tests and documentation change nothing there). */
const BUNDLED_SOURCES = ['workflows', 'core', 'prompts'];

/** Hash of what the workflow bundle is built from: a history recorded on the same hash adds nothing. */
export function workflowSourceHash(): string {
  const h = crypto.createHash('sha256');
  for (const dir of BUNDLED_SOURCES) {
    const files = fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort();
    for (const f of files) {
      h.update(`${dir}/${f}\0`);
      h.update(fs.readFileSync(path.join(ROOT, dir, f)));
    }
  }
  return h.digest('hex').slice(0, 16);
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const sources = BUNDLED_SOURCES.map((d) => `${d}/*.ts`);
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...sources], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The running test file, when vitest runs us (no static vitest import: benchmarks load this module). */
function currentSuite(): string {
  const state = (
    globalThis as { __vitest_worker__?: { filepath?: string; current?: { file?: { filepath?: string } } } }
  ).__vitest_worker__;
  const file = state?.filepath ?? state?.current?.file?.filepath;
  return file ? path.relative(ROOT, file) : 'unknown';
}

const slug = (s: string) =>
  s
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, 120);

/** Every workflow run on the server: visibility listing, or the open/closed lists on the time-skipping server. */
async function listRuns(client: Client): Promise<{ workflowId: string; runId: string }[]> {
  const runs: { workflowId: string; runId: string }[] = [];
  try {
    for await (const w of client.workflow.list()) runs.push({ workflowId: w.workflowId, runId: w.runId });
    return runs;
  } catch {
    // The Java time-skipping server has no ListWorkflowExecutions; it has the older two lists.
  }
  const svc = client.workflowService;
  const namespace = client.options.namespace;
  const earliest = msToTs(0);
  const latest = msToTs(Date.now() + 10 * 365 * 86_400_000);
  const request = (nextPageToken: Uint8Array | undefined) => ({
    namespace,
    maximumPageSize: 1000,
    nextPageToken,
    startTimeFilter: { earliestTime: earliest, latestTime: latest },
  });
  type Page = {
    executions?: { execution?: { workflowId?: string | null; runId?: string | null } | null }[] | null;
    nextPageToken?: Uint8Array | null;
  };
  const lists: ((token: Uint8Array | undefined) => Promise<Page>)[] = [
    (token) => svc.listOpenWorkflowExecutions(request(token)),
    (token) => svc.listClosedWorkflowExecutions(request(token)),
  ];
  for (const list of lists) {
    let token: Uint8Array | undefined;
    do {
      const res = await list(token);
      for (const e of res.executions ?? []) {
        if (e.execution?.workflowId && e.execution.runId)
          runs.push({ workflowId: e.execution.workflowId, runId: e.execution.runId });
      }
      token = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (token);
  }
  return runs;
}

/**
 * Writes every run's history under `recordDir()`. Called by the server helpers before teardown;
 * never throws (a recording problem is reported, and the suite's own result stands).
 */
export async function recordHistories(client: Client, server: string): Promise<void> {
  const dir = recordDir();
  if (!dir) return;
  const suite = currentSuite();
  try {
    const runs = await listRuns(client);
    const commit = gitCommit();
    const sourceHash = workflowSourceHash();
    let written = 0;
    for (const run of runs) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const json = historyToJSON(history);
      const facts = historyFacts(JSON.parse(json) as { events?: JsonEvent[] }, run);
      const base = path.join(
        dir,
        slug(facts.workflowType),
        `${slug(path.basename(suite, '.test.ts'))}--${slug(run.workflowId)}--${run.runId}`,
      );
      fs.mkdirSync(path.dirname(base), { recursive: true });
      fs.writeFileSync(`${base}.json`, json);
      const recorded: RecordedHistory = {
        ...facts,
        suite,
        commit,
        sourceHash,
        recordedAt: new Date().toISOString(),
      };
      fs.writeFileSync(`${base}.facts.json`, `${JSON.stringify(recorded, null, 2)}\n`);
      written++;
    }
    process.stderr.write(`[histories] ${written} workflow histories from ${suite} (${server}) → ${dir}\n`);
  } catch (err) {
    process.stderr.write(
      `[histories] recording from ${suite} (${server}) failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
  }
}
