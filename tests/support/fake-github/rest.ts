/**
 * The REST subset of the fake GitHub: routes, status codes and bodies as api.github.com answers
 * them (422 "A pull request already exists", 409 on a stale merge sha, 202 / 422 from update-branch,
 * 302 to a log blob, `Link` pagination headers).
 */
import * as render from './render.js';
import { sha, tick, type FakeCheckRun, type FakeRepo, type FakeState, type FakeStatus } from './state.js';

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  base: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export function ghError(status: number, message: string, extra: Record<string, unknown> = {}): RestResponse {
  return {
    status,
    body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status), ...extra },
  };
}

function paginate<T>(req: RestRequest, items: T[]): RestResponse {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30)));
  const page = Math.max(1, Number(req.query.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${req.base}${req.path}?${q.toString()}>`;
  };
  const parts: string[] = [];
  if (page < last) parts.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) parts.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  return { status: 200, body: slice, headers: parts.length ? { link: parts.join(', ') } : {} };
}

type Handler = (s: FakeState, req: RestRequest, m: string[], repo: FakeRepo) => RestResponse;

const repoRoutes: [string, RegExp, Handler][] = [
  ['GET', /^\/issues$/, listIssues],
  ['GET', /^\/issues\/(\d+)$/, getIssue],
  ['GET', /^\/issues\/(\d+)\/comments$/, listComments],
  ['POST', /^\/issues\/(\d+)\/comments$/, createComment],
  ['PATCH', /^\/issues\/comments\/(\d+)$/, updateComment],
  ['GET', /^\/pulls$/, listPulls],
  ['POST', /^\/pulls$/, createPull],
  ['GET', /^\/pulls\/(\d+)$/, getPull],
  ['PUT', /^\/pulls\/(\d+)\/merge$/, mergePull],
  ['PUT', /^\/pulls\/(\d+)\/update-branch$/, updateBranch],
  ['POST', /^\/pulls\/(\d+)\/requested_reviewers$/, requestReviewers],
  ['GET', /^\/branches\/(.+)$/, getBranch],
  ['GET', /^\/actions\/runs\/(\d+)$/, getRun],
  ['GET', /^\/actions\/runs\/(\d+)\/jobs$/, listJobs],
  ['POST', /^\/actions\/runs\/(\d+)\/rerun-failed-jobs$/, rerunFailed],
  ['GET', /^\/actions\/jobs\/(\d+)\/logs$/, jobLogs],
  ['GET', /^\/commits\/([^/]+)\/check-runs$/, checkRunsForRef],
  ['GET', /^\/commits\/([^/]+)\/status$/, combinedStatusForRef],
];

export function handleRest(s: FakeState, req: RestRequest): RestResponse {
  if (req.method === 'GET' && req.path === '/user')
    return { status: 200, body: render.user(req.base, s.viewer) };
  const blob = /^\/_blobs\/job-logs\/(\d+)$/.exec(req.path);
  if (req.method === 'GET' && blob) {
    for (const repo of s.repos.values()) {
      const job = repo.jobs.get(Number(blob[1]));
      if (job)
        return { status: 200, text: job.log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    return { status: 404, text: 'BlobNotFound' };
  }
  const rm = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(req.path);
  if (!rm) return ghError(404, 'Not Found');
  const repo = s.repo(decodeURIComponent(rm[1] ?? ''), decodeURIComponent(rm[2] ?? ''));
  if (!repo) return ghError(404, 'Not Found');
  const rest = rm[3] ?? '';
  for (const [method, re, handler] of repoRoutes) {
    const m = re.exec(rest);
    if (m && method === req.method) return handler(s, req, m.slice(1).map(decodeURIComponent), repo);
  }
  return ghError(404, 'Not Found');
}

function commentCount(repo: FakeRepo, n: number): number {
  return repo.comments.filter((c) => c.issueNumber === n).length;
}

function listIssues(_s: FakeState, req: RestRequest, _m: string[], repo: FakeRepo): RestResponse {
  const state = req.query.get('state') ?? 'open';
  const assignee = req.query.get('assignee');
  const labels = (req.query.get('labels') ?? '').split(',').filter(Boolean);
  type Row = { updatedAt: string; json: unknown };
  const rows: Row[] = [];
  for (const i of repo.issues.values()) {
    if (state !== 'all' && i.state !== state) continue;
    if (assignee && assignee !== '*' && !i.assignees.includes(assignee)) continue;
    if (assignee === '*' && i.assignees.length === 0) continue;
    if (!labels.every((l) => i.labels.includes(l))) continue;
    rows.push({
      updatedAt: i.updatedAt,
      json: render.issueJson(req.base, repo, i, commentCount(repo, i.number)),
    });
  }
  // Pull requests are issues too; GitHub lists them unless a filter excludes them.
  if (!assignee && labels.length === 0) {
    for (const p of repo.prs.values()) {
      const open = p.state === 'OPEN';
      if (state !== 'all' && (state === 'open') !== open) continue;
      rows.push({
        updatedAt: p.updatedAt,
        json: render.prAsIssueJson(req.base, repo, p, commentCount(repo, p.number)),
      });
    }
  }
  rows.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return paginate(
    req,
    rows.map((r) => r.json),
  );
}

function getIssue(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const n = Number(m[0]);
  const issue = repo.issues.get(n);
  if (issue) return { status: 200, body: render.issueJson(req.base, repo, issue, commentCount(repo, n)) };
  const pr = repo.prs.get(n);
  if (pr) return { status: 200, body: render.prAsIssueJson(req.base, repo, pr, commentCount(repo, n)) };
  return ghError(404, 'Not Found');
}

function listComments(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const n = Number(m[0]);
  if (!repo.issues.has(n) && !repo.prs.has(n)) return ghError(404, 'Not Found');
  const items = repo.comments
    .filter((c) => c.issueNumber === n)
    .map((c) => render.commentJson(req.base, repo, c));
  return paginate(req, items);
}

function createComment(s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const n = Number(m[0]);
  if (!repo.issues.has(n) && !repo.prs.has(n)) return ghError(404, 'Not Found');
  if (typeof req.body.body !== 'string' || req.body.body === '') return ghError(422, 'Validation Failed');
  const id = s.id();
  const now = tick();
  const c = {
    id,
    nodeId: `IC_${id}`,
    issueNumber: n,
    author: s.viewer,
    body: req.body.body,
    createdAt: now,
    updatedAt: now,
  };
  repo.comments.push(c);
  return { status: 201, body: render.commentJson(req.base, repo, c) };
}

function updateComment(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const c = repo.comments.find((x) => x.id === Number(m[0]));
  if (!c) return ghError(404, 'Not Found');
  if (typeof req.body.body !== 'string') return ghError(422, 'Validation Failed');
  c.body = req.body.body;
  c.updatedAt = tick();
  return { status: 200, body: render.commentJson(req.base, repo, c) };
}

function listPulls(_s: FakeState, req: RestRequest, _m: string[], repo: FakeRepo): RestResponse {
  const state = req.query.get('state') ?? 'open';
  const head = req.query.get('head');
  const base = req.query.get('base');
  const items = [...repo.prs.values()]
    .filter((p) => state === 'all' || (state === 'open') === (p.state === 'OPEN'))
    .filter((p) => !head || head === `${repo.owner}:${p.head}`)
    .filter((p) => !base || base === p.base)
    .sort((a, b) => b.number - a.number)
    .map((p) => render.pullJson(req.base, repo, p));
  return paginate(req, items);
}

function createPull(s: FakeState, req: RestRequest, _m: string[], repo: FakeRepo): RestResponse {
  const { head, base, title } = req.body;
  if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string') {
    return ghError(422, 'Validation Failed', {
      errors: [{ resource: 'PullRequest', code: 'missing_field' }],
    });
  }
  const branch = head.includes(':') ? (head.split(':')[1] ?? head) : head;
  if (!repo.branches.has(branch)) {
    return ghError(422, 'Validation Failed', {
      errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
    });
  }
  const existing = [...repo.prs.values()].find(
    (p) => p.state === 'OPEN' && p.head === branch && p.base === base,
  );
  if (existing) {
    return ghError(422, 'Validation Failed', {
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner}:${branch}.`,
        },
      ],
    });
  }
  const pr = addPr(s, repo, {
    head: branch,
    base,
    title,
    body: typeof req.body.body === 'string' ? req.body.body : '',
    draft: req.body.draft === true,
  });
  return { status: 201, body: render.pullJson(req.base, repo, pr) };
}

export function addPr(
  s: FakeState,
  repo: FakeRepo,
  o: { head: string; base?: string; title?: string; body?: string; draft?: boolean; author?: string },
) {
  const number = repo.nextNumber++;
  const now = tick();
  const base = o.base ?? repo.defaultBranch;
  if (!repo.branches.has(o.head)) repo.branches.set(o.head, sha(`${repo.name}:${o.head}:${number}`));
  const pr = {
    number,
    nodeId: `PR_${repo.name}_${number}`,
    title: o.title ?? `PR ${number}`,
    body: o.body ?? '',
    author: o.author ?? s.viewer,
    state: 'OPEN' as const,
    isDraft: o.draft ?? false,
    head: o.head,
    base,
    headSha: repo.branches.get(o.head) ?? sha(o.head),
    baseSha: repo.branches.get(base) ?? sha(base),
    mergeable: 'MERGEABLE' as const,
    mergeStateStatus: o.draft ? 'DRAFT' : 'CLEAN',
    reviewDecision: 'REVIEW_REQUIRED' as const,
    reviews: [],
    threads: [],
    checks: [],
    requestedReviewers: [],
    mergeCommitSha: null,
    createdAt: now,
    updatedAt: now,
  };
  repo.prs.set(number, pr);
  return repo.prs.get(number) ?? pr;
}

function getPull(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const pr = repo.prs.get(Number(m[0]));
  return pr ? { status: 200, body: render.pullJson(req.base, repo, pr) } : ghError(404, 'Not Found');
}

function mergePull(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const pr = repo.prs.get(Number(m[0]));
  if (!pr) return ghError(404, 'Not Found');
  if (pr.state !== 'OPEN' || pr.isDraft || pr.mergeable !== 'MERGEABLE') {
    return ghError(405, 'Pull Request is not mergeable');
  }
  if (typeof req.body.sha === 'string' && req.body.sha !== pr.headSha) {
    return ghError(409, 'Head branch was modified. Review and try the merge again.');
  }
  const method = req.body.merge_method ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(String(method))) return ghError(422, 'Validation Failed');
  pr.state = 'MERGED';
  pr.mergeCommitSha = sha(`merge:${pr.headSha}:${String(method)}`);
  pr.updatedAt = tick();
  repo.branches.set(pr.base, pr.mergeCommitSha);
  return {
    status: 200,
    body: { sha: pr.mergeCommitSha, merged: true, message: 'Pull Request successfully merged' },
  };
}

/**
 * "Update branch": merges the base branch's head into the PR's head on GitHub's side. A new head
 * commit, so its checks start empty (as after `pushCommit`); mergeability is recomputed (a clean
 * merge leaves it MERGEABLE and no longer BEHIND). 422s as GitHub words them: a moved head
 * (`expected_head_sha`), nothing to merge, a conflict.
 */
function updateBranch(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const pr = repo.prs.get(Number(m[0]));
  if (!pr) return ghError(404, 'Not Found');
  const expected = req.body.expected_head_sha;
  if (expected !== undefined && typeof expected !== 'string') return ghError(422, 'Validation Failed');
  if (pr.state !== 'OPEN') return ghError(422, 'Validation Failed');
  if (typeof expected === 'string' && expected !== pr.headSha)
    return ghError(422, "expected head sha didn't match current head ref.");
  if (!repo.branches.has(pr.head)) return ghError(422, 'head ref does not exist');
  const baseHead = repo.branches.get(pr.base) ?? pr.baseSha;
  if (baseHead === pr.baseSha && pr.mergeStateStatus !== 'BEHIND')
    return ghError(422, 'There are no new commits on the base branch.');
  if (pr.mergeable === 'CONFLICTING') return ghError(422, 'merge conflict between base and head');
  const merged = sha(`update-branch:${pr.headSha}:${baseHead}`);
  pr.headSha = merged;
  repo.branches.set(pr.head, merged);
  pr.baseSha = baseHead;
  pr.checks = [];
  pr.mergeable = 'MERGEABLE';
  if (pr.isDraft) pr.mergeStateStatus = 'DRAFT';
  else if (pr.mergeStateStatus === 'BEHIND' || pr.mergeStateStatus === 'UNKNOWN')
    pr.mergeStateStatus = 'CLEAN';
  pr.updatedAt = tick();
  return {
    status: 202,
    body: {
      message: 'Updating pull request branch.',
      url: `https://github.com/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`,
    },
  };
}

function requestReviewers(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const pr = repo.prs.get(Number(m[0]));
  if (!pr) return ghError(404, 'Not Found');
  const reviewers = Array.isArray(req.body.reviewers) ? req.body.reviewers.map(String) : [];
  if (reviewers.includes(pr.author)) {
    return ghError(422, 'Review cannot be requested from pull request author.');
  }
  for (const r of reviewers) if (!pr.requestedReviewers.includes(r)) pr.requestedReviewers.push(r);
  pr.updatedAt = tick();
  return { status: 201, body: render.pullJson(req.base, repo, pr) };
}

function getBranch(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const name = m[0] ?? '';
  const head = repo.branches.get(name);
  if (!head) return ghError(404, 'Branch not found');
  return {
    status: 200,
    body: {
      name,
      commit: { sha: head, url: `${req.base}/repos/${repo.owner}/${repo.name}/commits/${head}` },
      protected: false,
    },
  };
}

function getRun(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const run = repo.runs.get(Number(m[0]));
  return run ? { status: 200, body: render.runJson(req.base, repo, run) } : ghError(404, 'Not Found');
}

function listJobs(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const run = repo.runs.get(Number(m[0]));
  if (!run) return ghError(404, 'Not Found');
  const jobs = run.jobIds.flatMap((id) => {
    const j = repo.jobs.get(id);
    return j ? [render.jobJson(req.base, repo, run, j)] : [];
  });
  const page = paginate(req, jobs);
  return { ...page, body: { total_count: jobs.length, jobs: page.body } };
}

function rerunFailed(_s: FakeState, _req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const run = repo.runs.get(Number(m[0]));
  if (!run) return ghError(404, 'Not Found');
  if (run.status !== 'completed') return ghError(403, 'This workflow is already running');
  run.attempt += 1;
  run.status = 'queued';
  run.conclusion = null;
  for (const id of run.jobIds) {
    const j = repo.jobs.get(id);
    if (j && j.conclusion !== 'success') {
      j.status = 'queued';
      j.conclusion = null;
    }
  }
  return { status: 201, body: {} };
}

function jobLogs(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const job = repo.jobs.get(Number(m[0]));
  if (!job) return ghError(404, 'Not Found');
  return { status: 302, headers: { location: `${req.base}/_blobs/job-logs/${job.id}?sig=fake` } };
}

/** GitHub's combined status: the latest status per context, states in lower case. */
function combinedStatusForRef(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const ref = m[0] ?? '';
  const headSha = repo.branches.get(ref) ?? ref;
  const latest = new Map<string, FakeStatus>();
  for (const c of repo.commitChecks?.get(headSha) ?? []) if (c.kind === 'status') latest.set(c.context, c);
  const statuses = [...latest.values()].map((c, i) => ({
    id: i + 1,
    context: c.context,
    state: c.state === 'EXPECTED' ? 'pending' : c.state.toLowerCase(),
    target_url: c.targetUrl ?? null,
    created_at: c.createdAt ?? new Date(0).toISOString(),
  }));
  const rank = ['failure', 'error', 'pending', 'success'];
  const state =
    statuses.length === 0 ? 'pending' : (rank.find((r) => statuses.some((s) => s.state === r)) ?? 'success');
  const combined = state === 'error' ? 'failure' : state;
  return {
    status: 200,
    body: {
      state: combined,
      sha: headSha,
      total_count: statuses.length,
      statuses: paginate(req, statuses).body,
    },
  };
}

function checkRunsForRef(_s: FakeState, req: RestRequest, m: string[], repo: FakeRepo): RestResponse {
  const ref = m[0] ?? '';
  const headSha = repo.branches.get(ref) ?? ref;
  const runs = (repo.commitChecks?.get(headSha) ?? []).filter(
    (c): c is FakeCheckRun => c.kind === 'check_run',
  );
  const json = runs.map((c, i) => ({
    id: c.databaseId ?? i + 1,
    head_sha: headSha,
    name: c.name,
    status: c.status.toLowerCase(),
    conclusion: c.conclusion === null ? null : c.conclusion.toLowerCase(),
    html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${c.databaseId ?? i + 1}`,
  }));
  const page = paginate(req, json);
  return { ...page, body: { total_count: json.length, check_runs: page.body } };
}
