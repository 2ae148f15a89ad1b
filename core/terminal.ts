/**
 * The workspace terminal's rules, as pure functions: which path asks for one, what the browser may
 * send over its socket, and the shell's environment (an allowlist: nothing of Ratchet's, no model
 * or GitHub secret). web/terminal-server.ts carries them out with node-pty and ws.
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

/**
 * The only variables the shell inherits from the console's environment, when set: where programs
 * are, who and where the user is, the locale and time zone. Everything else (RATCHET_*, model
 * keys, GITHUB_TOKEN/GH_TOKEN, TEMPORAL_*, NODE_OPTIONS …) stays out.
 */
export const TERMINAL_ENV_ALLOWLIST = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TZ'] as const;

/** `LC_*` locale variables pass too (there are a dozen of them). */
const LOCALE = /^LC_[A-Z]+$/;

/**
 * The shell's whole environment: the allowlisted variables from `source`, `TERM=xterm-256color`,
 * `COLORTERM=truecolor`, `SHELL` (the shell being started) and `PWD` (the worktree). `LANG`
 * defaults to `C.UTF-8` so a console started without a locale still shows UTF-8.
 */
export function terminalEnv(
  source: Readonly<Record<string, string | undefined>>,
  { shell, cwd }: { shell: string; cwd: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of TERMINAL_ENV_ALLOWLIST) {
    const v = source[name];
    if (v !== undefined && v !== '') env[name] = v;
  }
  for (const [name, v] of Object.entries(source)) if (LOCALE.test(name) && v) env[name] = v;
  env.LANG ??= 'C.UTF-8';
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  env.SHELL = shell;
  env.PWD = cwd;
  return env;
}

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
