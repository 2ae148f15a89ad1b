/**
 * Intake for new workspaces: the GitHub reads (open issues, one issue, one PR) go through the
 * worker's Octokit client as a short `githubLookupWorkflow`, and each source becomes spec fields
 * (`issue`, `existingBranch`, `adopt`) the workspace workflow acts on. Refusals name the field.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { z, ZodError } from 'zod';
import {
  adoptionRefusal,
  parsePrReference,
  type IntakeSource,
  type PullForAdoption,
} from '../../core/intake.js';
import { newId, workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { findWorkspaceByBranch } from '../../db/queries/workspaces.js';
import type { Project } from '../../db/schema.js';
import { LOOKUP_WORKFLOW_TYPE, type LookupInput } from '../../workflows/contracts.js';
import { DomainError } from './errors.js';

/** @default 20000 */
export const LOOKUP_TIMEOUT_MS = 20_000;

export interface IssueListItem {
  number: number;
  title: string;
  url: string;
  labels: string[];
  assignees: string[];
  author: string;
  updatedAt: string;
}

interface IssueDetail extends IssueListItem {
  body: string;
  comments: Array<{ author: string; body: string; isBot: boolean }>;
}

/** A 422 naming one field, in the same body as every other validation error. */
export function fieldError(path: (string | number)[], message: string): ZodError {
  return new ZodError([{ code: 'custom', path, message, input: undefined }]);
}

function githubOf(project: Project): { owner: string; repo: string } {
  if (!project.githubOwner || !project.githubRepo) {
    throw new DomainError(
      'NoGithubRepository',
      `Project "${project.name}" has no GitHub repository behind origin; issues and PRs need one.`,
    );
  }
  return { owner: project.githubOwner, repo: project.githubRepo };
}

/** Runs one lookup on the worker; GitHub's refusal keeps its type (not found → 404). */
async function lookup<T>(
  client: Client,
  taskQueue: string,
  project: Project,
  input: LookupInput,
): Promise<T> {
  const workflowId = workflowIds.lookup(project.id, input.kind, newId('l', Date.now(), Math.random));
  try {
    return (await client.workflow.execute(LOOKUP_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      workflowExecutionTimeout: LOOKUP_TIMEOUT_MS,
    })) as T;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    let cause: unknown = err.cause;
    let type: string | undefined;
    let message = err.message;
    while (cause && typeof cause === 'object') {
      const c = cause as { type?: string; message?: string; cause?: unknown };
      if (c.type) type = c.type;
      if (c.message) message = c.message;
      cause = c.cause;
    }
    if (type === 'GithubNotFound') throw new DomainError('GithubNotFound', message);
    if (err.cause?.name === 'TimeoutFailure' || /timed out/i.test(message)) {
      throw new DomainError(
        'GithubLookupFailed',
        'The worker did not answer the GitHub lookup in time; is it running (see Health)?',
      );
    }
    throw new DomainError('GithubLookupFailed', `GitHub lookup failed (${type ?? 'error'}): ${message}`);
  }
}

/** `?q=` of the issue picker: optional, one line, at most 200 characters. */
export const issueSearchSchema = z.object({
  q: z.preprocess((v) => (v === null || v === '' ? undefined : v), z.string().trim().max(200).optional()),
});

/** The project's open issues (PRs filtered out), newest activity first, optionally filtered by text. */
export async function listOpenIssues({
  client,
  taskQueue,
  project,
  text,
}: {
  client: Client;
  taskQueue: string;
  project: Project;
  text?: string;
}): Promise<IssueListItem[]> {
  const gh = githubOf(project);
  const issues = await lookup<IssueListItem[]>(client, taskQueue, project, {
    kind: 'issues',
    ...gh,
    ...(text ? { text } : {}),
    limit: 100,
  });
  return issues.map((i) => ({
    number: i.number,
    title: i.title,
    url: i.url,
    labels: i.labels,
    assignees: i.assignees,
    author: i.author,
    updatedAt: i.updatedAt,
  }));
}

/** The spec fields, title/prompt fallbacks and read-model facts one intake source gives. */
export interface IntakeResult {
  source: IntakeSource['kind'];
  issueNumber: number | null;
  /** Used when the request gives no title / prompt. */
  defaultTitle: string | null;
  defaultPrompt: string | null;
  /** Spec overrides. */
  branch?: string;
  baseBranch?: string;
  existingBranch?: boolean;
  issue?: {
    number: number;
    title: string;
    url: string;
    body: string | null;
    comments: Array<{ author: string | null; body: string }>;
  };
  adopt?: { number: number; url: string; headSha: string | null; draft: boolean };
}

function refuseHeldBranch(db: Db, project: Project, branch: string, path: (string | number)[]) {
  const holder = findWorkspaceByBranch({ db, projectId: project.id, branch });
  if (holder) {
    throw new DomainError(
      'BranchHeld',
      `Branch ${branch} belongs to workspace "${holder.title}" (${holder.id}${holder.archivedAt ? ', archived' : ''}); a branch has one workspace.`,
    );
  }
  if (branch === project.defaultBranch)
    throw fieldError(path, `is the project's default branch (${branch}); start from a work branch`);
}

/** Resolves a source into spec fields, reading GitHub through the worker where needed. */
export async function resolveIntake({
  db,
  client,
  taskQueue,
  project,
  source,
}: {
  db: Db;
  client: () => Promise<Client>;
  taskQueue: string;
  project: Project;
  source: IntakeSource;
}): Promise<IntakeResult> {
  switch (source.kind) {
    case 'prompt':
      return { source: 'prompt', issueNumber: null, defaultTitle: null, defaultPrompt: null };
    case 'branch':
      refuseHeldBranch(db, project, source.branch, ['source', 'branch']);
      return {
        source: 'branch',
        issueNumber: null,
        defaultTitle: null,
        defaultPrompt: null,
        branch: source.branch,
        existingBranch: true,
      };
    case 'issue': {
      const gh = githubOf(project);
      const issue = await lookup<IssueDetail>(await client(), taskQueue, project, {
        kind: 'issue',
        ...gh,
        number: source.number,
      });
      return {
        source: 'issue',
        issueNumber: issue.number,
        defaultTitle: `#${issue.number} ${issue.title}`.slice(0, 200),
        defaultPrompt: `Resolve GitHub issue #${issue.number} of ${gh.owner}/${gh.repo}: ${issue.title}`,
        issue: {
          number: issue.number,
          title: issue.title,
          url: issue.url,
          body: issue.body,
          // Bots' comments (CI, Ratchet's own) are noise in the prompt.
          comments: issue.comments.filter((c) => !c.isBot).map((c) => ({ author: c.author, body: c.body })),
        },
      };
    }
    case 'pr': {
      const gh = githubOf(project);
      const ref = parsePrReference(source.pr);
      if (!ref.ok) throw fieldError(['source', 'pr'], ref.reason);
      const pr = await lookup<PullForAdoption>(await client(), taskQueue, project, {
        kind: 'pull',
        ...gh,
        number: ref.number,
      });
      const refusal = adoptionRefusal(pr, gh, ref);
      if (refusal) throw fieldError(['source', 'pr'], refusal);
      refuseHeldBranch(db, project, pr.headRef, ['source', 'pr']);
      return {
        source: 'pr',
        issueNumber: null,
        defaultTitle: `PR #${pr.number}: ${pr.title}`.slice(0, 200),
        defaultPrompt: `Ratchet PR #${pr.number} (${pr.url}): keep its checks green, answer its reviews and keep it mergeable.`,
        branch: pr.headRef,
        baseBranch: pr.baseRef,
        existingBranch: true,
        adopt: { number: pr.number, url: pr.url, headSha: pr.headSha, draft: pr.draft },
      };
    }
  }
}
