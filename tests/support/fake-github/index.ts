/**
 * A loopback fake of api.github.com for tests: `startFakeGithub()` listens on 127.0.0.1:0 and
 * speaks the REST + GraphQL subset Ratchet uses with GitHub's status codes, bodies, `etag` /
 * `If-None-Match` → 304 (free of rate-limit cost), `x-ratelimit-*` headers and `Link`
 * pagination. Every request is recorded so tests can count calls. Failures are scripted:
 * rate limits (primary and secondary), bad credentials, 5xx, malformed GraphQL data.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleGraphql, operationName } from './graphql.js';
import { addPr, ghError, handleRest, type RestResponse } from './rest.js';
import {
  FakeState,
  sha,
  tick,
  type FakeCheck,
  type FakeReview,
  type FakeStep,
  type FakeThread,
  type Mergeable,
} from './state.js';

export * from './state.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  /** GraphQL operation name for POST /graphql. */
  operation?: string;
  /** GraphQL rate-limit points GitHub would charge for this request. */
  points?: number;
  ifNoneMatch?: string;
  status: number;
  /** The parsed JSON body of a REST write (POST/PATCH/PUT), as the fake received it. */
  body?: Record<string, unknown>;
}

export type FailureKind = 'rate-limit' | 'secondary-rate-limit' | 'bad-credentials' | 'server-error';

export interface FailureSpec {
  kind: FailureKind;
  /** @default 403 for rate limits (GitHub's usual), pass 429 to test that path */
  status?: 403 | 429;
  /** Primary limit: seconds until `x-ratelimit-reset`. @default 3600 */
  resetInSeconds?: number;
  /** Secondary limit: `retry-after` seconds. @default 60 */
  retryAfterSeconds?: number;
  /** Only requests this predicate accepts fail (others pass through). */
  match?: (r: { method: string; path: string; operation?: string }) => boolean;
}

const LIMIT = 5000;

export type FakeGithub = Awaited<ReturnType<typeof startFakeGithub>>;

export async function startFakeGithub(
  opts: {
    tokens?: string[];
    /** `x-oauth-scopes` that `GET /user` answers per token (a classic token); absent: no header, as for fine-grained tokens. */
    scopes?: Record<string, string>;
  } = {},
) {
  const tokens = new Set(opts.tokens ?? ['test-token']);
  const scopes = new Map(Object.entries(opts.scopes ?? {}));
  const state = Object.assign(new FakeState(), { coreRemaining: LIMIT, graphqlRemaining: LIMIT });
  const requests: RecordedRequest[] = [];
  const failures: FailureSpec[] = [];
  const corruptions: ((data: Record<string, unknown>) => void)[] = [];
  const hooks = new Set<(r: RecordedRequest) => void>();
  const resetEpoch = Math.floor(Date.now() / 1000) + 3600;
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake-github crashed: ${String(err)}` }));
      }
    });
  });

  function rateHeaders(resource: 'core' | 'graphql'): Record<string, string> {
    const remaining = resource === 'core' ? state.coreRemaining : state.graphqlRemaining;
    return {
      'x-ratelimit-limit': String(LIMIT),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(resetEpoch),
      'x-ratelimit-used': String(LIMIT - remaining),
      'x-ratelimit-resource': resource,
    };
  }

  function send(
    res: http.ServerResponse,
    rec: RecordedRequest,
    out: RestResponse,
    headers: Record<string, string>,
  ) {
    rec.status = out.status;
    const h: Record<string, string> = { ...headers, ...out.headers };
    if (out.text !== undefined) {
      res.writeHead(out.status, { 'content-type': 'text/plain; charset=utf-8', ...h });
      res.end(out.text);
      return;
    }
    if (out.body === undefined) {
      res.writeHead(out.status, h);
      res.end();
      return;
    }
    res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8', ...h });
    res.end(JSON.stringify(out.body));
  }

  function injected(
    spec: FailureSpec,
    resource: 'core' | 'graphql',
  ): { out: RestResponse; headers: Record<string, string> } {
    const headers = rateHeaders(resource);
    switch (spec.kind) {
      case 'rate-limit': {
        const reset = Math.floor(Date.now() / 1000) + (spec.resetInSeconds ?? 3600);
        return {
          out: ghError(
            spec.status ?? 403,
            'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
          ),
          headers: {
            ...headers,
            'x-ratelimit-remaining': '0',
            'x-ratelimit-used': String(LIMIT),
            'x-ratelimit-reset': String(reset),
          },
        };
      }
      case 'secondary-rate-limit':
        return {
          out: ghError(
            spec.status ?? 403,
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          ),
          headers: { ...headers, 'retry-after': String(spec.retryAfterSeconds ?? 60) },
        };
      case 'bad-credentials':
        return { out: ghError(401, 'Bad credentials'), headers: {} };
      case 'server-error':
        return { out: ghError(502, 'Server Error'), headers: {} };
    }
  }

  function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const rec: RecordedRequest = { method, path: url.pathname, query: url.search, status: 0 };
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string') rec.ifNoneMatch = inm;
    requests.push(rec);
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        if (method !== 'GET' && url.pathname !== '/graphql') rec.body = body;
      } catch {
        return send(res, rec, ghError(400, 'Problems parsing JSON'), {});
      }
    }
    const isGraphql = method === 'POST' && url.pathname === '/graphql';
    if (isGraphql) rec.operation = operationName(typeof body.query === 'string' ? body.query : '');
    const resource = isGraphql ? 'graphql' : 'core';

    if (url.pathname.startsWith('/_blobs/')) {
      return send(
        res,
        rec,
        handleRest(state, { method, path: url.pathname, query: url.searchParams, body, base }),
        {},
      );
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(token|bearer)\s+/i, '');
    if (!tokens.has(token)) return send(res, rec, ghError(401, 'Bad credentials'), {});

    // Scripted interleavings: a hook may change state just before this request is served.
    for (const hook of hooks) hook(rec);

    const fi = failures.findIndex(
      (f) => !f.match || f.match({ method, path: url.pathname, operation: rec.operation }),
    );
    if (fi >= 0) {
      const [spec] = failures.splice(fi, 1);
      if (spec) {
        const { out, headers } = injected(spec, resource);
        return send(res, rec, out, headers);
      }
    }

    if (method === 'GET' && url.pathname === '/rate_limit') {
      const core = {
        limit: LIMIT,
        remaining: state.coreRemaining,
        reset: resetEpoch,
        used: LIMIT - state.coreRemaining,
      };
      const graphql = {
        limit: LIMIT,
        remaining: state.graphqlRemaining,
        reset: resetEpoch,
        used: LIMIT - state.graphqlRemaining,
      };
      return send(
        res,
        rec,
        { status: 200, body: { resources: { core, graphql }, rate: core } },
        rateHeaders('core'),
      );
    }

    if (isGraphql) {
      const result = handleGraphql(state, body);
      rec.points = result.points;
      const corrupt = corruptions.shift();
      const data = result.body.data;
      if (corrupt && typeof data === 'object' && data !== null) corrupt(data as Record<string, unknown>);
      return send(res, rec, { status: 200, body: result.body }, rateHeaders('graphql'));
    }

    const rest = handleRest(state, { method, path: url.pathname, query: url.searchParams, body, base });
    const scope = url.pathname === '/user' ? scopes.get(token) : undefined;
    const out =
      scope === undefined ? rest : { ...rest, headers: { ...rest.headers, 'x-oauth-scopes': scope } };
    if (method === 'GET' && out.status === 200 && out.body !== undefined) {
      const etag = `W/"${createHash('sha1').update(JSON.stringify(out.body)).digest('hex')}"`;
      if (inm === etag) {
        // Conditional hit: GitHub does not charge a 304 against the rate limit.
        return send(res, rec, { status: 304, headers: { etag } }, rateHeaders('core'));
      }
      state.coreRemaining -= 1;
      return send(res, rec, { ...out, headers: { ...out.headers, etag } }, rateHeaders('core'));
    }
    state.coreRemaining -= 1;
    return send(res, rec, out, rateHeaders('core'));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pr = (repo: string, number: number) => {
    const [owner = '', name = ''] = repo.split('/');
    const p = state.mustRepo(owner, name).prs.get(number);
    if (!p) throw new Error(`fake-github: no PR ${repo}#${number}`);
    return p;
  };
  const repoOf = (repo: string) => {
    const [owner = '', name = ''] = repo.split('/');
    return state.repo(owner, name) ?? state.addRepo(owner, name);
  };

  return {
    url: base,
    state,
    requests,
    /** Accepts `token` from now on (with `x-oauth-scopes` on `GET /user` when `scope` is given). */
    allowToken(token: string, scope?: string): void {
      tokens.add(token);
      if (scope === undefined) scopes.delete(token);
      else scopes.set(token, scope);
    },
    /** Answers 401 Bad credentials to `token` from now on. */
    revokeToken(token: string): void {
      tokens.delete(token);
    },
    /** Requests matching a method and path pattern (string = exact path). */
    count(method: string, path: string | RegExp, operation?: string): number {
      return requests.filter(
        (r) =>
          r.method === method &&
          (typeof path === 'string' ? r.path === path : path.test(r.path)) &&
          (!operation || r.operation === operation),
      ).length;
    },
    get coreRemaining() {
      return state.coreRemaining;
    },
    get graphqlRemaining() {
      return state.graphqlRemaining;
    },
    failNext(count: number, spec: FailureSpec): void {
      for (let i = 0; i < count; i++) failures.push(spec);
    },
    /** Runs `fn` before each authenticated request is served (e.g. another actor's write). */
    onRequest(fn: (r: RecordedRequest) => void): () => void {
      hooks.add(fn);
      return () => hooks.delete(fn);
    },
    /** The next GraphQL answer's `data` is passed through `fn` before it is sent. */
    corruptNextGraphql(fn: (data: Record<string, unknown>) => void): void {
      corruptions.push(fn);
    },
    addRepo: (repo: string, defaultBranch = 'main') => {
      const [owner = '', name = ''] = repo.split('/');
      return state.addRepo(owner, name, defaultBranch);
    },
    addBranch(repo: string, branch: string, head = sha(`${repo}:${branch}`)): string {
      repoOf(repo).branches.set(branch, head);
      return head;
    },
    deleteBranch(repo: string, branch: string): void {
      repoOf(repo).branches.delete(branch);
    },
    openPr(
      repo: string,
      o: { head: string; base?: string; title?: string; body?: string; draft?: boolean; author?: string },
    ): number {
      return addPr(state, repoOf(repo), o).number;
    },
    addIssue(
      repo: string,
      o: {
        title: string;
        body?: string;
        labels?: string[];
        assignees?: string[];
        author?: string;
        state?: 'open' | 'closed';
      },
    ): number {
      const r = repoOf(repo);
      const number = r.nextNumber++;
      const now = tick();
      r.issues.set(number, {
        number,
        title: o.title,
        body: o.body ?? '',
        author: o.author ?? 'octocat',
        state: o.state ?? 'open',
        labels: o.labels ?? [],
        assignees: o.assignees ?? [],
        createdAt: now,
        updatedAt: now,
      });
      return number;
    },
    addComment(repo: string, issueNumber: number, body: string, author = 'octocat'): number {
      const r = repoOf(repo);
      const id = state.id();
      const now = tick();
      r.comments.push({ id, nodeId: `IC_${id}`, issueNumber, author, body, createdAt: now, updatedAt: now });
      return id;
    },
    comments(repo: string, issueNumber: number) {
      return repoOf(repo).comments.filter((c) => c.issueNumber === issueNumber);
    },
    pr,
    setChecks(repo: string, number: number, checks: FakeCheck[]): void {
      const p = pr(repo, number);
      p.checks = checks;
      p.updatedAt = tick();
    },
    /**
     * What reported on a commit (e.g. the base branch's head): check runs for the REST check-runs
     * endpoint, check runs and statuses for GraphQL's `statusCheckRollup` on the default branch.
     */
    setCommitChecks(repo: string, commitSha: string, checks: FakeCheck[]): void {
      const r = repoOf(repo);
      r.commitChecks ??= new Map();
      r.commitChecks.set(commitSha, checks);
    },
    addReview(
      repo: string,
      number: number,
      r: Omit<FakeReview, 'id' | 'submittedAt'> & { submittedAt?: string },
    ): string {
      const p = pr(repo, number);
      const id = `PRR_${state.id()}`;
      p.reviews = p.reviews.filter((x) => x.author.login !== r.author.login);
      p.reviews.push({ ...r, id, submittedAt: r.submittedAt ?? tick() });
      if (r.state === 'CHANGES_REQUESTED' || r.state === 'APPROVED') p.reviewDecision = r.state;
      p.updatedAt = tick();
      return id;
    },
    addThread(
      repo: string,
      number: number,
      t: Omit<FakeThread, 'id' | 'isResolved' | 'isOutdated'> & {
        isResolved?: boolean;
        isOutdated?: boolean;
      },
    ): string {
      const p = pr(repo, number);
      const id = `PRRT_${state.id()}`;
      p.threads.push({ isResolved: false, isOutdated: false, ...t, id });
      p.updatedAt = tick();
      return id;
    },
    /** A new head commit: checks reset, the branch moves, threads are left as they are. */
    pushCommit(repo: string, number: number, head = sha(`${repo}#${number}@${tick()}`)): string {
      const p = pr(repo, number);
      p.headSha = head;
      p.checks = [];
      p.updatedAt = tick();
      repoOf(repo).branches.set(p.head, head);
      return head;
    },
    setMergeable(repo: string, number: number, mergeable: Mergeable, mergeStateStatus?: string): void {
      const p = pr(repo, number);
      p.mergeable = mergeable;
      p.mergeStateStatus =
        mergeStateStatus ??
        (mergeable === 'CONFLICTING' ? 'DIRTY' : mergeable === 'MERGEABLE' ? 'CLEAN' : 'UNKNOWN');
      p.updatedAt = tick();
    },
    closePr(repo: string, number: number): void {
      const p = pr(repo, number);
      p.state = 'CLOSED';
      p.updatedAt = tick();
    },
    /** A completed Actions run with jobs; returns the run id and job ids. */
    addRun(
      repo: string,
      o: {
        name?: string;
        headSha: string;
        headBranch: string;
        jobs: {
          name: string;
          conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped';
          steps: FakeStep[];
          log: string;
        }[];
      },
    ): { runId: number; jobIds: number[] } {
      const r = repoOf(repo);
      const runId = state.id();
      const jobIds = o.jobs.map((j) => {
        const id = state.id();
        r.jobs.set(id, {
          id,
          runId,
          name: j.name,
          status: 'completed',
          conclusion: j.conclusion,
          steps: j.steps,
          log: j.log,
        });
        return id;
      });
      const failed = o.jobs.some((j) => j.conclusion === 'failure' || j.conclusion === 'timed_out');
      r.runs.set(runId, {
        id: runId,
        name: o.name ?? 'CI',
        headSha: o.headSha,
        headBranch: o.headBranch,
        status: 'completed',
        conclusion: failed ? 'failure' : 'success',
        attempt: 1,
        jobIds,
      });
      return { runId, jobIds };
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
