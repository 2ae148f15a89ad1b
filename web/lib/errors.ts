/**
 * Errors the console's API returns, each with a stable `type` that decides the HTTP status.
 * Route handlers throw; `handleApiError` maps: zod → 422 with field paths, DomainError → its
 * status, Temporal "not found" → 404, a workflow's refused update → 409, anything else → 500 with a
 * generic message (details go to the server log only).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { MAX_BODY_BYTES } from '../../core/web-guard.js';

export const DOMAIN_ERROR_STATUS = {
  /** Thrown when a project path does not exist or is not inside a git work tree. */
  NotAGitRepository: 400,
  /** Thrown when a request is well-formed but names something unusable (e.g. an unknown base branch). */
  BadRequest: 400,
  ProjectNotFound: 404,
  WorkspaceNotFound: 404,
  /** Thrown when a workspace has no running ratchet loop (no PR yet, ratchet off, or the loop ended). */
  RatchetNotFound: 404,
  /** Thrown when a workflow with the workspace's ID is already running. */
  WorkspaceAlreadyStarted: 409,
  /** Thrown when a project still has live workspaces and cannot be removed. */
  ProjectInUse: 409,
  /** Thrown when a clone's target directory already exists. */
  CloneTargetExists: 409,
  /** Thrown when an action does not apply to the workspace's current state (the workflow refused it). */
  NotApplicable: 409,
  /** Thrown when a request body is larger than the route reads (see `readJson`). */
  PayloadTooLarge: 413,
  /** Thrown when a branch is already another workspace's (each branch has one workspace). */
  BranchHeld: 409,
  /** Thrown when the project has no GitHub repository behind `origin` and the request needs one. */
  NoGithubRepository: 422,
  /** Thrown when GitHub refused or failed a lookup the console asked the worker for. */
  GithubLookupFailed: 502,
  /** Thrown when a GitHub issue or PR the request names does not exist. */
  GithubNotFound: 404,
  /** Thrown when Temporal is not configured or cannot be reached. */
  TemporalUnavailable: 503,
  /** Thrown when a workspace's run script is started while it already runs (one per workspace). */
  RunAlreadyRunning: 409,
  /** Thrown when the project's run script is missing or its exact text is not approved. */
  RunScriptNotTrusted: 409,
  /** Thrown when the console process that owns run scripts (web/server.ts) is not the one answering. */
  RunScriptsUnavailable: 503,
} as const;
export type DomainErrorType = keyof typeof DOMAIN_ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly type: DomainErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
  get status(): number {
    return DOMAIN_ERROR_STATUS[this.type];
  }
}

export interface ApiErrorBody {
  error: { type: string; message: string; fields?: Array<{ path: string; message: string }> };
}

export function zodErrorBody(err: ZodError): ApiErrorBody {
  const fields = err.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    message: i.message,
  }));
  return {
    error: { type: 'InvalidInput', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields },
  };
}

export function handleApiError(err: unknown, where: string): Response {
  if (err instanceof ZodError) return Response.json(zodErrorBody(err), { status: 422 });
  if (err instanceof DomainError)
    return Response.json({ error: { type: err.type, message: err.message } }, { status: err.status });
  if (err instanceof WorkflowNotFoundError) {
    return Response.json(
      { error: { type: 'WorkspaceNotFound', message: 'No running workflow for this workspace.' } },
      { status: 404 },
    );
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return Response.json(
      { error: { type: err.cause.type ?? 'NotApplicable', message: err.cause.message } },
      { status: 409 },
    );
  }
  console.error(`[ratchet web] ${where} failed:`, err);
  return Response.json(
    { error: { type: 'Internal', message: 'Something went wrong; the server log has the details.' } },
    { status: 500 },
  );
}

/**
 * Reads the body as UTF-8 text, at most `limit` bytes: the stream is read chunk by chunk and
 * cancelled as soon as it passes the limit (413), so a huge or endless body is never held whole.
 */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new DomainError('PayloadTooLarge', `The body is larger than ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body (at most 1 MiB, else 413); a body that is not JSON becomes a 422 naming `(body)`. */
export async function readJson(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(req, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ZodError([{ code: 'custom', path: [], message: 'must be a JSON object', input: text }]);
  }
}

/** Wraps a route handler so every failure goes through `handleApiError`. */
export function withErrors<Ctx>(where: string, handler: (req: Request, ctx: Ctx) => Promise<Response>) {
  return async (req: Request, ctx: Ctx): Promise<Response> => {
    try {
      return await handler(req, ctx);
    } catch (err) {
      return handleApiError(err, where);
    }
  };
}
