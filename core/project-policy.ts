/**
 * A project's ratchet policy and console-set scripts, as stored in `projects.ratchet_policy` and
 * `projects.scripts` and edited on the Projects page. The policy becomes the ratchet loop's
 * settings when the loop starts (`policyToRatchet`); nothing else feeds it. Pure.
 */
import { z } from 'zod';
import { DEFAULT_REVIEW_TRIGGERS, REVIEW_TRIGGERS } from './ratchet/review-feedback.js';
import type { RatchetSettingsInput } from './ratchet/settings.js';

export const MERGE_METHODS = ['squash', 'merge', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

/** A GitHub login, as GitHub allows them, with an optional `[bot]` suffix. */
export const githubLoginSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, 'must be a GitHub login like coderabbitai[bot]');

export const projectPolicySchema = z.object({
  /** Bot logins whose reviews count as feedback. @default [] */
  reviewBotAllowlist: z.array(githubLoginSchema).max(50).default([]),
  /** Require a human approval before merge-ready. @default true */
  requireApproval: z.boolean().default(true),
  /** @default 'squash' */
  mergeMethod: z.enum(MERGE_METHODS).default('squash'),
  /** @default 3 */
  maxAttemptsPerKey: z.number().int().min(1).max(20).default(3),
  /** @default 12 */
  maxAttemptsPerPr: z.number().int().min(1).max(500).default(12),
  /** Which review feedback triggers a review fix. @default ['changes_requested', 'unresolved_threads'] */
  reviewTriggers: z
    .array(z.enum(REVIEW_TRIGGERS))
    .max(REVIEW_TRIGGERS.length)
    .refine((t) => new Set(t).size === t.length, 'must not repeat a trigger')
    .default(() => [...DEFAULT_REVIEW_TRIGGERS]),
});
export type ProjectPolicy = z.output<typeof projectPolicySchema>;
export type ProjectPolicyInput = z.input<typeof projectPolicySchema>;

/** The stored policy with defaults filled in; a row written by an older build (or null) reads as the defaults. */
export function readProjectPolicy(stored: unknown): ProjectPolicy {
  const parsed = projectPolicySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : projectPolicySchema.parse({});
}

/** What the ratchet loop takes from a policy: its settings and the merge method. */
export function policyToRatchet(
  policy: ProjectPolicy,
  selfLogin: string | null,
): { settings: RatchetSettingsInput; mergeMethod: MergeMethod } {
  return {
    settings: {
      reviewBotAllowlist: policy.reviewBotAllowlist,
      requireApproval: policy.requireApproval,
      maxAttemptsPerKey: policy.maxAttemptsPerKey,
      maxAttemptsPerPr: policy.maxAttemptsPerPr,
      reviewTriggers: policy.reviewTriggers,
      selfLogin,
    },
    mergeMethod: policy.mergeMethod,
  };
}

/** @default 16384 The longest script a person is asked to read and approve (as in `.ratchet/config.json`). */
export const PROJECT_SCRIPT_MAX_CHARS = 16_384;

const scriptText = z
  .string()
  .max(PROJECT_SCRIPT_MAX_CHARS, `must be at most ${PROJECT_SCRIPT_MAX_CHARS} characters`)
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL');

/** Scripts set in the console; an empty or missing one falls back to the repository's. */
export const projectScriptsSchema = z.object({
  setup: scriptText.optional(),
  /** A long-running dev server, started per workspace from the console. */
  run: scriptText.optional(),
  /** The port the run script's server listens on, shown beside it. */
  runPort: z.number().int().min(1).max(65_535).nullable().optional(),
  /** Run in the worktree before it is removed on archive. */
  cleanup: scriptText.optional(),
});
export type ProjectScripts = z.output<typeof projectScriptsSchema>;

export function readProjectScripts(stored: unknown): ProjectScripts {
  const parsed = projectScriptsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : {};
}

/** The console-set script of `kind`, or undefined when it is not set (blank counts as not set). */
export function consoleScript(
  scripts: ProjectScripts,
  kind: 'setup' | 'run' | 'cleanup',
): string | undefined {
  const s = scripts[kind];
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
