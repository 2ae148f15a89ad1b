import { describe, expect, it } from 'vitest';
import { decideTrustInputSchema, trustDecisionRefusal, type PendingTrust } from './script-trust.js';

const sha = 'a'.repeat(64);
const other = 'b'.repeat(64);
const pending: PendingTrust = { kind: 'setup', sha256: sha, script: 'npm ci' };

describe('trustDecisionRefusal', () => {
  it.each<[string, PendingTrust | null, unknown, RegExp | null]>([
    [
      'nothing pending refuses any decision',
      null,
      { decision: 'approve', sha256: sha },
      /no script is waiting/,
    ],
    ['the pending hash approves', pending, { decision: 'approve', sha256: sha }, null],
    ['the pending hash skips', pending, { decision: 'skip', sha256: sha }, null],
    [
      'another hash is refused (a text the person was not shown)',
      pending,
      { decision: 'approve', sha256: other },
      /does not match the setup script/,
    ],
    ['an unknown decision names the field', pending, { decision: 'maybe', sha256: sha }, /^decision:/],
    ['a missing hash names the field', pending, { decision: 'approve' }, /^sha256:/],
    [
      'an uppercase hash is not a hash we wrote',
      pending,
      { decision: 'approve', sha256: sha.toUpperCase() },
      /^sha256: must be a lowercase hex sha256/,
    ],
    ['a short hash is refused', pending, { decision: 'approve', sha256: 'abc' }, /^sha256:/],
  ])('trustDecisionRefusal: %s', (_name, p, input, expected) => {
    const got = trustDecisionRefusal(p, input);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatch(expected);
  });

  it('decideTrustInputSchema strips nothing it needs and refuses extra decisions', () => {
    expect(decideTrustInputSchema.parse({ decision: 'skip', sha256: sha })).toEqual({
      decision: 'skip',
      sha256: sha,
    });
    expect(decideTrustInputSchema.safeParse({ decision: 'approved', sha256: sha }).success).toBe(false);
  });
});
