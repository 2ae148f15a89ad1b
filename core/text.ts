/**
 * Text that crosses the boundary (request bodies, query strings): one rule for control characters
 * and one set of length caps, so a title with a NUL byte is refused with a 422 naming the field
 * instead of being accepted and failing the workspace later in `git commit`. Pure.
 */
import { z } from 'zod';

/** Length caps, in UTF-16 code units (what `String.length` counts). */
export const TEXT_LIMITS = {
  /** Workspace titles (also the first line of every commit message). */
  title: 200,
  /** The first prompt of a workspace and each follow-up message. */
  prompt: 100_000,
  message: 100_000,
  /** Short notes and reasons (plan approval notes, poke reasons). */
  note: 10_000,
  /** Names: provider labels, model ids, project and worktree paths. */
  name: 200,
  path: 4096,
} as const;

/**
 * C0 controls (U+0000–U+001F), DEL and the C1 controls (U+0080–U+009F): the Unicode `Cc` category.
 * Multi-line text keeps tab, line feed and carriage return (a pasted CRLF prompt is harmless).
 */
// eslint-disable-next-line no-control-regex
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/**
 * Single-line text (titles, names) refuses every `Cc` character, plus the line and paragraph
 * separators and the bidirectional overrides and isolates, which make a name read differently on
 * screen than it is stored ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** Describes the first forbidden character of `text` as `U+XXXX`, or null when there is none. */
export function forbiddenCharacter(text: string, { multiLine }: { multiLine: boolean }): string | null {
  const match = (multiLine ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).exec(text);
  if (!match) return null;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function refuseControls(schema: z.ZodString, multiLine: boolean) {
  return schema.superRefine((text, ctx) => {
    const bad = forbiddenCharacter(text, { multiLine });
    if (bad) {
      const allowed = multiLine ? ' (tab and line breaks are fine)' : '';
      ctx.addIssue({
        code: 'custom',
        message: `must not contain control characters; found ${bad}${allowed}`,
      });
    }
  });
}

/**
 * One line of text: trimmed, refusing control characters, at most `max` characters.
 * @param required  refuse the empty string with "is required" (after trimming)
 */
export function singleLineText(max: number, { required = true }: { required?: boolean } = {}) {
  let s = z.string().trim();
  if (required) s = s.min(1, 'is required');
  return refuseControls(s.max(max, `must be at most ${max} characters`), false);
}

/** Multi-line text (prompts, messages, notes): trimmed; tab and line breaks allowed, other controls refused. */
export function multiLineText(max: number, { required = true }: { required?: boolean } = {}) {
  let s = z.string().trim();
  if (required) s = s.min(1, 'is required');
  return refuseControls(s.max(max, `must be at most ${max} characters`), true);
}
