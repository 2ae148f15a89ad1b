/**
 * Errors the console's API returns, each with a stable `type` that decides the HTTP status.
 * Route handlers throw; `handleApiError` maps: zod → 422 with field paths, DomainError → its
 * status, Temporal "not found" → 404, a workflow's refused update → 409, anything else → 500 with a
 * generic message (details go to the server log only).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';

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
  /** Thrown when an action does not apply to the workspace's current state (the workflow refused it). */
  NotApplicable: 409,
  /** Thrown when Temporal is not configured or cannot be reached. */
  TemporalUnavailable: 503,
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

/** Parses a JSON body; a body that is not JSON becomes a 422 naming `(body)`. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
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
