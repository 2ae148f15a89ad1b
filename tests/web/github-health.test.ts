/**
 * The Health probe's GitHub check (web/lib/github-health.ts) against the loopback fake GitHub:
 * `GET /user` through the product's client, scopes from `x-oauth-scopes`, fine-grained tokens
 * (no header) said as such, 401 as an invalid token, a closed port as unreachable, and the cache
 * (a refusal is asked again after 10 s, not on every call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGithub } from '../../web/lib/github-health.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';

let gh: FakeGithub;
beforeAll(async () => {
  gh = await startFakeGithub({
    tokens: ['classic-token', 'fine-token', 'narrow-token'],
    scopes: { 'classic-token': 'repo, workflow, read:org', 'narrow-token': 'read:user' },
  });
});
afterAll(() => gh.close());

const env = (token: string) => ({ GITHUB_TOKEN: token, GITHUB_API_URL: gh.url, PATH: '' });

describe('checkGithub', () => {
  it('checkGithub reads a classic token’s scopes from GET /user', async () => {
    expect(await checkGithub(env('classic-token'), 3000)).toEqual({
      auth: 'token',
      valid: true,
      login: expect.any(String),
      scopes: ['repo', 'workflow', 'read:org'],
    });
    expect(gh.requests.filter((r) => r.path === '/user').length).toBeGreaterThan(0);
  });

  it('checkGithub reports a fine-grained token (no scopes header) with scopes null', async () => {
    expect(await checkGithub(env('fine-token'), 3000)).toMatchObject({ valid: true, scopes: null });
  });

  it('checkGithub lists the scopes of a token without repo', async () => {
    expect(await checkGithub(env('narrow-token'), 3000)).toMatchObject({
      valid: true,
      scopes: ['read:user'],
    });
  });

  it('checkGithub calls a 401 invalid, and caches the refusal briefly', async () => {
    const before = gh.requests.filter((r) => r.path === '/user').length;
    const first = await checkGithub(env('revoked-token'), 3000);
    expect(first).toMatchObject({
      auth: 'token',
      valid: false,
      error: expect.stringMatching(/^401 Bad credentials/),
    });
    gh.allowToken('revoked-token', 'repo');
    // Within the 10 s failure window the answer comes from the cache: no second request.
    expect(await checkGithub(env('revoked-token'), 3000)).toMatchObject({ valid: false });
    expect(gh.requests.filter((r) => r.path === '/user').length).toBe(before + 1);
  });

  it('checkGithub says unreachable (valid null) for a closed port, and missing without a token', async () => {
    const down = await checkGithub(
      { GITHUB_TOKEN: 'x', GITHUB_API_URL: 'http://127.0.0.1:9', PATH: '' },
      3000,
    );
    expect(down).toMatchObject({ auth: 'token', valid: null, scopes: null, error: expect.any(String) });
    expect(await checkGithub({ PATH: '' }, 3000)).toEqual({ auth: 'missing', valid: null, scopes: null });
  });
});
