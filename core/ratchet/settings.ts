/** Per-PR ratchet settings, parsed once from the workspace/project configuration. */
import { z } from 'zod';
import { DEFAULT_REVIEW_TRIGGERS, REVIEW_TRIGGERS } from './review-feedback.js';

export const ratchetSettingsSchema = z.object({
  /** Merge by itself once merge-ready; otherwise stop at `merge_ready` and wait for a person. @default false */
  autoMerge: z.boolean().default(false),
  /** Require a human approval before merge, even when branch protection does not. @default true */
  requireApproval: z.boolean().default(true),
  /**
   * Bot logins whose reviews and threads count as feedback (`coderabbitai`, `copilot-pull-request-reviewer`).
   * Matched case-insensitively, with or without the `[bot]` suffix. Other bots are ignored. @default []
   */
  reviewBotAllowlist: z.array(z.string().trim().min(1)).default([]),
  /** Which review feedback triggers a review fix (core/ratchet/review-feedback.ts). @default ['changes_requested', 'unresolved_threads'] */
  reviewTriggers: z.array(z.enum(REVIEW_TRIGGERS)).default(() => [...DEFAULT_REVIEW_TRIGGERS]),
  /** Fix attempts on one unchanged snapshot key before the loop stalls. @default 3 */
  maxAttemptsPerKey: z.number().int().min(1).max(20).default(3),
  /** Fix attempts on the whole PR before the loop stalls (stops a fixer that keeps pushing bad fixes). @default 12 */
  maxAttemptsPerPr: z.number().int().min(1).max(500).default(12),
  /** Loop paused by the user: observe only. @default false */
  paused: z.boolean().default(false),
  /** Ratchet's own GitHub login; its comments (fixer replies) never count as new feedback. @default null */
  selfLogin: z.string().trim().min(1).nullable().default(null),
  /** How long after first seeing a head SHA an empty check list means "CI not registered yet". @default 180000 */
  ciSettleMs: z.number().int().min(0).max(3_600_000).default(180_000),
  /** Backoff between attempts on the same key: base, cap and jitter fraction. */
  backoff: z
    .object({
      /** @default 60000 */
      baseMs: z.number().int().min(0).default(60_000),
      /** @default 1800000 */
      capMs: z.number().int().min(0).default(1_800_000),
      /** @default 0.2 */
      jitter: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
});
export type RatchetSettings = z.output<typeof ratchetSettingsSchema>;
export type RatchetSettingsInput = z.input<typeof ratchetSettingsSchema>;

/** Settings with every default filled in; `overrides` is validated. */
export function ratchetSettings(overrides: RatchetSettingsInput = {}): RatchetSettings {
  return ratchetSettingsSchema.parse(overrides);
}
