/**
 * The workspace terminal's rules, as pure functions: which path asks for one, what the browser may
 * send over its socket (the shell's environment is core/child-env.ts's `terminal` profile).
 * web/terminal-server.ts carries them out with node-pty and ws.
 */
import { z } from 'zod';

/** The upgrade path: `/api/workspaces/<id>/terminal` (its plain GET answers 426). */
export const TERMINAL_PATH = /^\/api\/workspaces\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/terminal\/?$/;

/** The workspace id of a terminal path, or null for any other path. */
export function terminalWorkspaceId(pathname: string): string | null {
  const m = TERMINAL_PATH.exec(pathname);
  return m ? m[1]! : null;
}

/** Open terminals one workspace may have at once (each is a shell process). @default 8 */
export const MAX_TERMINALS_PER_WORKSPACE = 8;

/** A terminal's size in character cells, as xterm's fit addon computes it. */
export const terminalSizeSchema = z.object({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});
export type TerminalSize = z.infer<typeof terminalSizeSchema>;

/**
 * What the browser sends: keystrokes (`input`, at most 64 KiB per frame, as a paste may be) and
 * the terminal's new size (`resize`). Output goes the other way as plain text frames.
 */
export const terminalClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string().max(64 * 1024) }),
  z.object({ type: z.literal('resize'), ...terminalSizeSchema.shape }),
]);
export type TerminalClientMessage = z.infer<typeof terminalClientMessageSchema>;

/** Parses one text frame from the browser; an error names the field. */
export function parseTerminalMessage(
  text: string,
): { ok: true; message: TerminalClientMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not JSON' };
  }
  const parsed = terminalClientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, error: `${issue.path.join('.') || 'frame'}: ${issue.message}` };
}

/** The shell's environment is core/child-env.ts's `terminal` profile (a strict allowlist). */
export { TERMINAL_ENV_ALLOWLIST, terminalEnv } from './child-env.js';

/**
 * The shell to start: `$SHELL` when it is an absolute path to an existing file, else the first
 * of bash and sh that exists. `exists` is the caller's check (this module does no I/O).
 */
export function pickShell(envShell: string | undefined, exists: (file: string) => boolean): string {
  if (envShell && envShell.startsWith('/') && exists(envShell)) return envShell;
  for (const candidate of ['/bin/bash', '/usr/bin/bash', '/bin/sh']) if (exists(candidate)) return candidate;
  return '/bin/sh';
}

/** Close codes the terminal socket ends with, beyond the standard ones. */
export const TERMINAL_CLOSE = {
  /** The shell exited (`exit`, Ctrl-D). */
  shellExited: 4000,
  /** The workspace was archived, or its worktree is gone. */
  workspaceClosed: 4001,
  /** The console is stopping. */
  serverStopping: 1001,
  /** A frame that is not a valid message (RFC 6455 1007). */
  badFrame: 1007,
} as const;
