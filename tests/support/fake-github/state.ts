/**
 * In-memory model behind the fake GitHub: repositories with branches, issues and pull requests
 * (sharing one number sequence, as on GitHub), issue comments, reviews, review threads, check
 * runs, commit statuses, and Actions workflow runs with jobs and logs. Test helpers mutate it to
 * script a PR's timeline; the HTTP layers render it in GitHub's wire shapes.
 */

export type PrStateValue = 'OPEN' | 'CLOSED' | 'MERGED';
export type Mergeable = 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';

export interface FakeActor {
  login: string;
  isBot?: boolean;
}

export interface FakeReview {
  id: string;
  author: FakeActor;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body: string;
  submittedAt: string | null;
}

export interface FakeThread {
  id: string;
  path: string;
  line: number | null;
  isResolved: boolean;
  isOutdated: boolean;
  comments: { author: FakeActor; body: string; createdAt: string }[];
}

export interface FakeCheckRun {
  kind: 'check_run';
  name: string;
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'WAITING' | 'PENDING' | 'REQUESTED';
  conclusion: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  databaseId?: number;
  /** Actions run this check belongs to (null for third-party apps). */
  runId?: number | null;
  workflowName?: string | null;
}

export interface FakeStatus {
  kind: 'status';
  context: string;
  state: 'ERROR' | 'EXPECTED' | 'FAILURE' | 'PENDING' | 'SUCCESS';
  targetUrl?: string | null;
  createdAt?: string;
}

export type FakeCheck = FakeCheckRun | FakeStatus;

export interface FakePr {
  number: number;
  nodeId: string;
  title: string;
  body: string;
  author: string;
  state: PrStateValue;
  isDraft: boolean;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  mergeable: Mergeable;
  mergeStateStatus: string;
  reviewDecision: 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED' | null;
  reviews: FakeReview[];
  threads: FakeThread[];
  checks: FakeCheck[];
  requestedReviewers: string[];
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeComment {
  id: number;
  nodeId: string;
  issueNumber: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeStep {
  name: string;
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled' | null;
}

export interface FakeJob {
  id: number;
  runId: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | null;
  steps: FakeStep[];
  log: string;
}

export interface FakeRun {
  id: number;
  name: string;
  headSha: string;
  headBranch: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  attempt: number;
  jobIds: number[];
}

export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  branches: Map<string, string>;
  prs: Map<number, FakePr>;
  issues: Map<number, FakeIssue>;
  comments: FakeComment[];
  runs: Map<number, FakeRun>;
  jobs: Map<number, FakeJob>;
  nextNumber: number;
  /**
   * What reported on a commit, by SHA (e.g. a base branch's head): check runs for
   * `GET /commits/{ref}/check-runs`, check runs and statuses for the default branch's GraphQL rollup.
   */
  commitChecks?: Map<string, FakeCheck[]>;
}

let clock = Date.parse('2026-01-01T00:00:00Z');
/** Monotonic fake timestamps so "newer than" comparisons in tests are deterministic. */
export function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export class FakeState {
  readonly repos = new Map<string, FakeRepo>();
  /** The authenticated user (`GET /user`). */
  viewer = 'ratchet-bot';
  private nextId = 1000;

  id(): number {
    return this.nextId++;
  }

  repo(owner: string, name: string): FakeRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  mustRepo(owner: string, name: string): FakeRepo {
    const r = this.repo(owner, name);
    if (!r) throw new Error(`fake-github: no repository ${owner}/${name}`);
    return r;
  }

  addRepo(owner: string, name: string, defaultBranch = 'main'): FakeRepo {
    const repo: FakeRepo = {
      owner,
      name,
      defaultBranch,
      branches: new Map([[defaultBranch, sha(`${owner}/${name}@${defaultBranch}`)]]),
      prs: new Map(),
      issues: new Map(),
      comments: [],
      runs: new Map(),
      jobs: new Map(),
      nextNumber: 1,
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }
}

/** A deterministic 40-hex "sha" for a label. */
export function sha(label: string): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (const ch of `${label}#${round}`) h1 = Math.imul(h1 ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h1.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}
