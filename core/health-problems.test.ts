import { describe, expect, it } from 'vitest';
import { HEARTBEAT_STALE_MS, describeScopes, healthProblems, type HealthFacts } from './health-problems.js';

const healthy: HealthFacts = {
  temporal: { ok: true, address: '127.0.0.1:7233' },
  database: { ok: true, file: '/home/r/ratchet.db' },
  worker: { ok: true, pollers: 1, taskQueue: 'ratchet', heartbeat: { at: 1000, ageMs: 4000, pid: 42 } },
  github: { auth: 'token', valid: true, login: 'octocat', scopes: ['repo', 'workflow'] },
  runner: { name: 'anthropic', ok: true, detail: 'ANTHROPIC_API_KEY is set' },
};
const withFacts = (patch: Partial<{ [K in keyof HealthFacts]: Partial<HealthFacts[K]> }>): HealthFacts => ({
  temporal: { ...healthy.temporal, ...patch.temporal },
  database: { ...healthy.database, ...patch.database },
  worker: { ...healthy.worker, ...patch.worker },
  github: { ...healthy.github, ...patch.github },
  runner: { ...healthy.runner, ...patch.runner },
});

describe('healthProblems', () => {
  it.each<[string, HealthFacts, Array<[string, RegExp]>]>([
    ['nothing when every part answers', healthy, []],
    [
      'Temporal down: one problem, and no second one about pollers it cannot count',
      withFacts({
        temporal: { ok: false, error: 'connect ECONNREFUSED' },
        worker: { ok: false, pollers: 0 },
      }),
      [['temporal', /127\.0\.0\.1:7233 does not answer: connect ECONNREFUSED/]],
    ],
    [
      'Temporal not configured says so',
      withFacts({ temporal: { ok: false, address: null } }),
      [['temporal', /not configured/]],
    ],
    [
      'a stale worker heartbeat names its age and pid',
      withFacts({ worker: { heartbeat: { at: 1, ageMs: HEARTBEAT_STALE_MS + 1000, pid: 7 } } }),
      [['worker', /last heartbeat was 31 s ago \(pid 7\)/]],
    ],
    [
      'a heartbeat exactly at the limit is still fresh',
      withFacts({ worker: { heartbeat: { at: 1, ageMs: HEARTBEAT_STALE_MS, pid: 7 } } }),
      [],
    ],
    [
      'no heartbeat row at all',
      withFacts({ worker: { heartbeat: { at: null, ageMs: null, pid: null } } }),
      [['worker', /never written a heartbeat/]],
    ],
    [
      'a fresh heartbeat but no poller on the queue',
      withFacts({ worker: { ok: false, pollers: 0 } }),
      [['worker', /No worker polls task queue "ratchet"/]],
    ],
    [
      'the database',
      withFacts({ database: { ok: false, error: 'no migrations' } }),
      [['database', /ratchet\.db cannot be used: no migrations/]],
    ],
    [
      'no GitHub token',
      withFacts({ github: { auth: 'missing', valid: null, scopes: null } }),
      [['github', /No GitHub token/]],
    ],
    [
      'GitHub refuses the token (401)',
      withFacts({ github: { valid: false, scopes: null, error: '401 Bad credentials' } }),
      [['github', /refuses the token from the environment \(401 Bad credentials\)/]],
    ],
    [
      'GitHub unreachable',
      withFacts({ github: { auth: 'gh', valid: null, scopes: null, error: 'ECONNREFUSED' } }),
      [['github', /cannot be reached .*ECONNREFUSED/]],
    ],
    [
      'a classic token without repo or public_repo',
      withFacts({ github: { scopes: ['read:user'] } }),
      [['github', /octocat lacks the `repo` scope \(has: read:user\)/]],
    ],
    ['public_repo is enough', withFacts({ github: { scopes: ['public_repo'] } }), []],
    ['a fine-grained token (no scopes header) is not a problem', withFacts({ github: { scopes: null } }), []],
    [
      'the default runner without credentials',
      withFacts({ runner: { ok: false, detail: 'ANTHROPIC_API_KEY is not set' } }),
      [['runner', /"anthropic" cannot run: ANTHROPIC_API_KEY is not set/]],
    ],
  ])('healthProblems %s', (_name, facts, want) => {
    const got = healthProblems(facts);
    expect(got.map((p) => p.part)).toEqual(want.map(([part]) => part));
    want.forEach(([, title], i) => expect(got[i]!.title).toMatch(title));
    for (const p of got) expect(p.action.length).toBeGreaterThan(10);
  });
});

describe('describeScopes', () => {
  it.each<[string[] | null, RegExp]>([
    [null, /fine-grained/],
    [[], /^none$/],
    [['repo', 'workflow'], /^repo, workflow$/],
  ])('describeScopes(%j)', (scopes, want) => {
    expect(describeScopes(scopes)).toMatch(want);
  });
});
