/**
 * Bench baseline only (bench/worker-start.ts): preloaded with `--import` after tsx, it loads the
 * runner modules and the SDKs they import at start, as the worker did before
 * activities/agents/registry.ts loaded them on a runner's first turn. Main thread only: the
 * workflow thread Temporal starts inherits the flags but never loaded these. Nothing in the
 * product imports it.
 */
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  await import('../activities/agents/anthropic-runner.js');
  await import('../activities/agents/openai-runner.js');
  await import('../activities/agents/acp-runner.js');
  await import('../activities/agents/mcp.js');
}
