/**
 * Today's workflows replay yesterday's histories. Every history in `tests/replay/histories/` (recorded
 * from the real suites by `npm run record-histories`) is replayed with the SDK's replayer against the
 * worker's own bundle; a nondeterminism names the workflow type and the history file. The manifest
 * must cover every workflow type the worker registers, every `patched()` id in `workflows/`, and
 * both sides of every continue-as-new, so a new patch or workflow without a history fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import * as registered from '../../workflows/index.js';
import { openDb } from '../../db/client.js';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/bundle.js';
import { workerInterceptors } from '../../worker/interceptors.js';
import { historyFacts } from '../support/histories.js';
import { HISTORIES_DIR, readManifest, type ManifestCase } from './record.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKFLOWS_DIR = path.join(ROOT, 'workflows');
const RECORD = 'record one with `npm run record-histories` (workflows/ARCHITECTURE.md, "Replay tests")';

const manifest = readManifest();
const historyOf = (c: ManifestCase): unknown =>
  JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, c.file), 'utf8'));

function workflowSources(): { file: string; text: string }[] {
  return fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => ({ file: `workflows/${f}`, text: fs.readFileSync(path.join(WORKFLOWS_DIR, f), 'utf8') }));
}

/**
 * Every id passed to `patched()` or `deprecatePatch()` in `workflows/`: a string literal, or a
 * constant declared in `workflows/` with a string literal. Anything else is reported, not guessed.
 */
function patchIdsInWorkflows(): { ids: Map<string, string[]>; unresolved: string[] } {
  const sources = workflowSources();
  const constants = new Map<string, string>();
  for (const { text } of sources) {
    for (const [, name, , value] of text.matchAll(/\bconst\s+([A-Za-z_$][\w$]*)\s*=\s*(['"])([^'"]+)\2/g))
      if (name && value) constants.set(name, value);
  }
  const ids = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/\b(?:patched|deprecatePatch)\(\s*([^)]*?)\s*\)/g)) {
      const argument = m[1] ?? '';
      const line = text.slice(0, m.index).split('\n').length;
      const literal = /^(['"`])([^'"`]+)\1$/.exec(argument)?.[2];
      const id = literal ?? constants.get(argument);
      if (!id) {
        unresolved.push(`${file}:${line}: ${m[0]}`);
        continue;
      }
      ids.set(id, [...(ids.get(id) ?? []), `${file}:${line}`]);
    }
  }
  return { ids, unresolved };
}

/** Workflow types whose code continues as new (`continueAsNew<typeof fooWorkflow>`). */
function continuingTypes(): string[] {
  const types = new Set<string>();
  for (const { text } of workflowSources()) {
    for (const m of text.matchAll(/\bcontinueAsNew<typeof\s+(\w+)>/g)) if (m[1]) types.add(m[1]);
  }
  return [...types].sort();
}

describe('replay of recorded workflow histories', () => {
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // The replay worker logs every state change at INFO; a failure is reported by the assertions.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    bundle = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
  });

  it('the manifest lists exactly the stored histories, with the facts each history shows', () => {
    const stored = fs
      .readdirSync(HISTORIES_DIR)
      .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
      .sort();
    expect(manifest.cases.map((c) => c.file).sort()).toEqual(stored);
    for (const c of manifest.cases) {
      const facts = historyFacts(historyOf(c) as Parameters<typeof historyFacts>[0], c);
      expect({ file: c.file, ...facts }).toEqual({
        file: c.file,
        workflowType: c.workflowType,
        workflowId: c.workflowId,
        runId: c.runId,
        patches: c.patches,
        commands: c.commands,
        continuedAsNew: c.continuedAsNew,
        startedByContinueAsNew: c.startedByContinueAsNew,
        lastEvent: c.lastEvent,
        events: c.events,
      });
    }
  });

  it('covers every workflow type the worker registers', () => {
    const types = Object.keys(registered).sort();
    expect(types.length).toBeGreaterThan(0);
    const missing = types.filter((t) => !manifest.cases.some((c) => c.workflowType === t));
    expect(missing, `workflow types with no recorded history; ${RECORD}`).toEqual([]);
  });

  it('covers every patch id in workflows/ with a history that took the patched branch', () => {
    const { ids, unresolved } = patchIdsInWorkflows();
    expect(
      unresolved,
      'patch ids must be string literals or string constants declared in workflows/',
    ).toEqual([]);
    expect(ids.size).toBeGreaterThan(0);
    const missing = [...ids]
      .filter(([id]) => !manifest.cases.some((c) => c.patches.includes(id)))
      .map(([id, at]) => `${id} (${at.join(', ')})`);
    expect(missing, `patch ids no recorded history took; ${RECORD}`).toEqual([]);
  });

  it('covers both sides of every continue-as-new: a run that continued and a run it started', () => {
    const types = continuingTypes();
    expect(types.length).toBeGreaterThan(0);
    const missing = types.flatMap((t) => [
      ...(manifest.cases.some((c) => c.workflowType === t && c.continuedAsNew)
        ? []
        : [`${t}: no run that continued as new`]),
      ...(manifest.cases.some((c) => c.workflowType === t && c.startedByContinueAsNew)
        ? []
        : [`${t}: no run started by continue-as-new`]),
    ]);
    expect(missing, RECORD).toEqual([]);
  });

  it(
    "today's workflows replay every stored history without a nondeterminism",
    { timeout: 300_000 },
    async () => {
      expect(manifest.cases.length).toBeGreaterThan(0);
      const histories = manifest.cases.map((c) => ({
        workflowId: c.workflowId,
        history: historyFromJSON(historyOf(c)),
      }));
      const failures: string[] = [];
      let replayed = 0;
      // The replayer takes one history at a time, in order, so the nth result is the nth case (its
      // run id is the replay's own, not the recorded one).
      // The worker's own interceptor set (its activity interceptors never run in a replay; a
      // workflow interceptor added there would). The db is never written: no activity runs.
      const db = openDb(':memory:');
      const options = { workflowBundle: bundle, interceptors: workerInterceptors(db) };
      for await (const result of Worker.runReplayHistories(options, histories)) {
        const c = manifest.cases[replayed++];
        if (!c)
          throw new Error(
            `the replayer returned more results than the ${manifest.cases.length} histories given`,
          );
        if (!result.error) continue;
        failures.push(
          `${c.workflowType} (tests/replay/histories/${c.file}, recorded at ${c.commit}): ${result.error.name}: ${result.error.message}`,
        );
      }
      db.$client.close();
      expect(failures, 'histories that no longer replay: the change needs a patched() branch').toEqual([]);
      expect(replayed).toBe(manifest.cases.length);
    },
  );
});
