/**
 * Issues and comments over REST: list issues (assigned to the token's user, label and text
 * filters), read one issue with its comments, and post-or-update a marker comment exactly once.
 * Every GET goes through the client's ETag cache; every payload is parsed with zod.
 */
import { z } from 'zod';
import type { GithubClient } from './client.js';
import { guard } from './errors.js';
import { parseOrMalformed, type RepoRef } from './snapshots.js';
import { keys } from '../../core/ids.js';

const restUser = z.object({ login: z.string(), type: z.string().optional() }).nullable();
const restIssue = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  html_url: z.string(),
  user: restUser,
  labels: z.array(z.union([z.string(), z.object({ name: z.string().optional() })])),
  assignees: z
    .array(z.object({ login: z.string() }))
    .nullable()
    .optional(),
  updated_at: z.string(),
  pull_request: z.unknown().optional(),
});
const restComment = z.object({
  id: z.number().int(),
  body: z.string().nullable().optional(),
  user: restUser,
  created_at: z.string(),
  updated_at: z.string(),
});

export interface IssueSummary {
  number: number;
  title: string;
  url: string;
  state: string;
  author: string;
  labels: string[];
  assignees: string[];
  updatedAt: string;
}

export interface IssueComment {
  id: number;
  author: string;
  isBot: boolean;
  body: string;
  createdAt: string;
}

export interface IssueDetail extends IssueSummary {
  body: string;
  comments: IssueComment[];
}

export interface ListIssuesInput extends RepoRef {
  /** Only issues assigned to the token's user. @default true */
  assignedToMe?: boolean;
  /** Issues must carry every one of these labels. */
  labels?: string[];
  /** Case-insensitive substring of the title or body. */
  text?: string;
  /** @default 'open' */
  state?: 'open' | 'closed' | 'all';
  /** @default 100 */
  limit?: number;
}

function toSummary(i: z.infer<typeof restIssue>): IssueSummary {
  return {
    number: i.number,
    title: i.title,
    url: i.html_url,
    state: i.state,
    author: i.user?.login ?? 'ghost',
    labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    assignees: (i.assignees ?? []).map((a) => a.login),
    updatedAt: i.updated_at,
  };
}

/** The login of the token's user (`GET /user`, answered from the ETag cache when unchanged). */
export async function getViewerLogin(octokit: GithubClient): Promise<string> {
  const res = await guard('GET /user', () => octokit.rest.users.getAuthenticated());
  return parseOrMalformed(z.object({ login: z.string().min(1) }), res.data, 'GET /user').login;
}

export async function listIssues(octokit: GithubClient, input: ListIssuesInput): Promise<IssueSummary[]> {
  const what = `GET issues ${input.owner}/${input.repo}`;
  const assignee = input.assignedToMe === false ? undefined : await getViewerLogin(octokit);
  const limit = input.limit ?? 100;
  const rows = await guard(what, () =>
    octokit.paginate(
      octokit.rest.issues.listForRepo,
      {
        owner: input.owner,
        repo: input.repo,
        state: input.state ?? 'open',
        per_page: 100,
        ...(assignee ? { assignee } : {}),
        ...(input.labels?.length ? { labels: input.labels.join(',') } : {}),
      },
      (response, done) => {
        if (response.data.length >= limit) done();
        return response.data;
      },
    ),
  );
  const issues = parseOrMalformed(z.array(restIssue), rows, what);
  const needle = input.text?.trim().toLowerCase();
  return issues
    .filter((i) => i.pull_request === undefined) // the issues endpoint also lists PRs
    .filter((i) => !needle || `${i.title}\n${i.body ?? ''}`.toLowerCase().includes(needle))
    .slice(0, limit)
    .map(toSummary);
}

async function listComments(octokit: GithubClient, ref: RepoRef & { number: number }) {
  const what = `GET comments ${ref.owner}/${ref.repo}#${ref.number}`;
  const rows = await guard(what, () =>
    octokit.paginate(octokit.rest.issues.listComments, {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      per_page: 100,
    }),
  );
  return parseOrMalformed(z.array(restComment), rows, what);
}

export async function getIssue(
  octokit: GithubClient,
  ref: RepoRef & { number: number },
): Promise<IssueDetail> {
  const what = `GET issue ${ref.owner}/${ref.repo}#${ref.number}`;
  const res = await guard(what, () =>
    octokit.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number }),
  );
  const issue = parseOrMalformed(restIssue, res.data, what);
  const comments = await listComments(octokit, ref);
  return {
    ...toSummary(issue),
    body: issue.body ?? '',
    comments: comments.map((c) => ({
      id: c.id,
      author: c.user?.login ?? 'ghost',
      isBot: c.user?.type === 'Bot',
      body: c.body ?? '',
      createdAt: c.created_at,
    })),
  };
}

export const markerKeySchema = z
  .string()
  .regex(/^[\w.:/-]{1,120}$/, 'marker key: letters, digits, . : / - _ only');

/** The hidden marker that identifies a Ratchet comment: `<!-- ratchet:<key> -->`. */
export function commentMarker(key: string): string {
  return keys.commentMarker(markerKeySchema.parse(key));
}

export interface UpsertCommentInput extends RepoRef {
  issueNumber: number;
  /** Stable identity of this comment (e.g. `status/<workspaceId>`). */
  key: string;
  body: string;
}

export interface UpsertCommentResult {
  commentId: number;
  action: 'created' | 'updated' | 'unchanged';
}

/**
 * Post-or-update: lists the thread's comments, updates the one carrying the marker (or leaves it
 * when the body is already right), and creates one only when none carries it. A retry after a
 * crash between POST and return finds the marker and never posts twice.
 */
export async function upsertMarkerComment(
  octokit: GithubClient,
  input: UpsertCommentInput,
): Promise<UpsertCommentResult> {
  const marker = commentMarker(input.key);
  const body = `${marker}\n${input.body}`;
  const comments = await listComments(octokit, {
    owner: input.owner,
    repo: input.repo,
    number: input.issueNumber,
  });
  const existing = comments.find((c) => (c.body ?? '').includes(marker));
  const where = `${input.owner}/${input.repo}#${input.issueNumber}`;
  if (existing) {
    if ((existing.body ?? '') === body) return { commentId: existing.id, action: 'unchanged' };
    await guard(`PATCH comment ${where}`, () =>
      octokit.rest.issues.updateComment({
        owner: input.owner,
        repo: input.repo,
        comment_id: existing.id,
        body,
      }),
    );
    return { commentId: existing.id, action: 'updated' };
  }
  const res = await guard(`POST comment ${where}`, () =>
    octokit.rest.issues.createComment({
      owner: input.owner,
      repo: input.repo,
      issue_number: input.issueNumber,
      body,
    }),
  );
  return {
    commentId: parseOrMalformed(z.object({ id: z.number().int() }), res.data, `POST comment ${where}`).id,
    action: 'created',
  };
}
