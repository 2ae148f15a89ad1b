/**
 * The workflow bundle, cached on disk by a hash of its sources: webpack-bundling the workflows
 * takes seconds, and a restarted worker (the common case after a crash) should not pay it again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_ENTRY = path.join(ROOT, 'workflows', 'index.ts');

/**
 * What the worker's workflow bundle is built from. The replay suite (`tests/replay/`) bundles with
 * exactly these options, so a workflow interceptor module added here is replayed too.
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_ENTRY } as const satisfies Omit<
  BundleOptions,
  'logger'
>;

function sourceHash(): string {
  const h = crypto.createHash('sha256');
  const sdk = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'node_modules/@temporalio/workflow/package.json'), 'utf8'),
  ) as { version: string };
  h.update(sdk.version);
  for (const dir of ['workflows', 'core']) {
    const files = fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .sort();
    for (const f of files) {
      h.update(f);
      h.update(fs.readFileSync(path.join(ROOT, dir, f)));
    }
  }
  return h.digest('hex').slice(0, 16);
}

export async function loadWorkflowBundle(
  cacheDir: string,
  log: (msg: string) => void,
): Promise<{ code: string }> {
  const file = path.join(cacheDir, `workflow-bundle-${sourceHash()}.js`);
  if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8') };
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: undefined });
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  log(`bundled workflows in ${Date.now() - started} ms → ${file}`);
  return { code };
}
