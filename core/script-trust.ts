/**
 * Trust before scripts: a repository's scripts (`.ratchet/config.json` → `setup` today; `run` and
 * `cleanup` when they come) run only once the person approved that exact text for that project.
 * Trust is keyed by project, script kind and the sha256 of the text, so a branch or base whose
 * script differs asks again. Pure: the activity hashes and reads the table, the workflow waits.
 */
import { z } from 'zod';

export const SCRIPT_KINDS = ['setup', 'run', 'cleanup'] as const;
export type ScriptKind = (typeof SCRIPT_KINDS)[number];

export const TRUST_DECISIONS = ['approved', 'rejected'] as const;
export type TrustDecision = (typeof TRUST_DECISIONS)[number];

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

/** What `checkScriptTrust` found in a worktree, for one script kind. */
export type ScriptTrustCheck =
  /** No script of this kind (or no config file): nothing to trust, nothing runs. */
  | { state: 'no_script' }
  /** The config file is unreadable; the script step reports it and the workspace continues. */
  | { state: 'invalid_config'; error: string }
  /** This exact text was approved for this project before: it runs without asking. */
  | { state: 'trusted'; kind: ScriptKind; sha256: string }
  /** Never approved (or a different text): the person must see it and decide. */
  | {
      state: 'untrusted';
      kind: ScriptKind;
      sha256: string;
      script: string;
      previously: TrustDecision | null;
    };

/** The script waiting for a decision, as the workflow holds it (and the console shows it). */
export interface PendingTrust {
  kind: ScriptKind;
  sha256: string;
  script: string;
}

/**
 * `decideTrust` input (the console's `POST /api/workspaces/:id/trust` body, passed on as is):
 * `approve` records trust for this text and runs it; `skip` continues without running it. The
 * hash must be the pending one, so nobody approves a text they were not shown.
 */
export const decideTrustInputSchema = z.object({
  decision: z.enum(['approve', 'skip']),
  sha256: sha256Schema,
});
export type DecideTrustInput = z.infer<typeof decideTrustInputSchema>;

/**
 * Why a decision cannot be taken now, or null when it applies. Rules, first match wins: nothing
 * pending; a malformed input (field named); a hash other than the pending one.
 */
export function trustDecisionRefusal(pending: PendingTrust | null, input: unknown): string | null {
  // Nothing waits: a late or duplicate click, or a workspace that never asked.
  if (pending === null) return 'no script is waiting for approval';
  const parsed = decideTrustInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'is invalid'}`;
  }
  // The text shown is not the text waiting (another branch, a reload after a change): show it again.
  if (parsed.data.sha256 !== pending.sha256)
    return `sha256 does not match the ${pending.kind} script waiting for approval (${pending.sha256.slice(0, 12)}…); reload and review it`;
  return null;
}
