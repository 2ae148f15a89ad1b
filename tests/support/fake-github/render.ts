/**
 * Renders the fake's model in GitHub's REST wire shapes (the fields our client reads, spelled as
 * api.github.com spells them, plus the identifying fields around them).
 */
import type { FakeComment, FakeIssue, FakeJob, FakePr, FakeRepo, FakeRun } from './state.js';

export function user(base: string, login: string, isBot = login.endsWith('[bot]')) {
  return {
    login,
    id: Math.abs(hash(login)),
    node_id: `U_${login}`,
    type: isBot ? 'Bot' : 'User',
    html_url: `${base}/users/${login}`,
  };
}

export function repoJson(base: string, r: FakeRepo) {
  return {
    id: Math.abs(hash(`${r.owner}/${r.name}`)),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: user(base, r.owner),
    default_branch: r.defaultBranch,
    private: false,
  };
}

function repoUrl(base: string, r: FakeRepo): string {
  return `${base}/repos/${r.owner}/${r.name}`;
}

export function issueJson(base: string, r: FakeRepo, i: FakeIssue, commentCount: number) {
  return {
    id: i.number * 7919,
    node_id: `I_${r.name}_${i.number}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    url: `${repoUrl(base, r)}/issues/${i.number}`,
    html_url: `https://github.com/${r.owner}/${r.name}/issues/${i.number}`,
    user: user(base, i.author),
    labels: i.labels.map((name) => ({ id: Math.abs(hash(name)), name, color: 'ededed', default: false })),
    assignee: i.assignees[0] ? user(base, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(base, a)),
    comments: commentCount,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: null,
  };
}

/** A PR as it appears in the issues list (GitHub includes PRs there, marked by `pull_request`). */
export function prAsIssueJson(base: string, r: FakeRepo, p: FakePr, commentCount: number) {
  return {
    ...issueJson(
      base,
      r,
      {
        number: p.number,
        title: p.title,
        body: p.body,
        author: p.author,
        state: p.state === 'OPEN' ? 'open' : 'closed',
        labels: [],
        assignees: [],
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
      },
      commentCount,
    ),
    pull_request: {
      url: `${repoUrl(base, r)}/pulls/${p.number}`,
      html_url: prHtmlUrl(r, p.number),
      merged_at: p.state === 'MERGED' ? p.updatedAt : null,
    },
  };
}

export function prHtmlUrl(r: FakeRepo, n: number): string {
  return `https://github.com/${r.owner}/${r.name}/pull/${n}`;
}

export function pullJson(base: string, r: FakeRepo, p: FakePr) {
  return {
    id: p.number * 104729,
    node_id: p.nodeId,
    number: p.number,
    state: p.state === 'OPEN' ? 'open' : 'closed',
    draft: p.isDraft,
    title: p.title,
    body: p.body,
    url: `${repoUrl(base, r)}/pulls/${p.number}`,
    html_url: prHtmlUrl(r, p.number),
    user: user(base, p.author),
    head: { ref: p.head, sha: p.headSha, label: `${r.owner}:${p.head}`, repo: repoJson(base, r) },
    base: { ref: p.base, sha: p.baseSha, label: `${r.owner}:${p.base}`, repo: repoJson(base, r) },
    merged: p.state === 'MERGED',
    merged_at: p.state === 'MERGED' ? p.updatedAt : null,
    merge_commit_sha: p.mergeCommitSha,
    mergeable: p.mergeable === 'UNKNOWN' ? null : p.mergeable === 'MERGEABLE',
    mergeable_state: p.mergeStateStatus.toLowerCase(),
    requested_reviewers: p.requestedReviewers.map((l) => user(base, l)),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function commentJson(base: string, r: FakeRepo, c: FakeComment) {
  return {
    id: c.id,
    node_id: c.nodeId,
    body: c.body,
    user: user(base, c.author),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${repoUrl(base, r)}/issues/${c.issueNumber}`,
    html_url: `https://github.com/${r.owner}/${r.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
  };
}

export function runJson(base: string, r: FakeRepo, run: FakeRun) {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.headSha,
    head_branch: run.headBranch,
    status: run.status,
    conclusion: run.conclusion,
    run_attempt: run.attempt,
    url: `${repoUrl(base, r)}/actions/runs/${run.id}`,
    html_url: `https://github.com/${r.owner}/${r.name}/actions/runs/${run.id}`,
  };
}

export function jobJson(base: string, r: FakeRepo, run: FakeRun, j: FakeJob) {
  return {
    id: j.id,
    run_id: j.runId,
    run_attempt: run.attempt,
    head_sha: run.headSha,
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    started_at: '2026-01-01T00:00:00Z',
    completed_at: j.status === 'completed' ? '2026-01-01T00:05:00Z' : null,
    url: `${repoUrl(base, r)}/actions/jobs/${j.id}`,
    html_url: `https://github.com/${r.owner}/${r.name}/actions/runs/${run.id}/job/${j.id}`,
    steps: j.steps.map((s, idx) => ({
      name: s.name,
      status: j.status === 'completed' ? 'completed' : 'queued',
      conclusion: s.conclusion,
      number: idx + 1,
    })),
  };
}

export function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h === 0 ? 1 : h;
}
