import { describe, expect, it } from 'vitest';
import { ratchetSettings } from './ratchet/settings.js';
import {
  policyToRatchet,
  projectPolicySchema,
  readProjectPolicy,
  readProjectScripts,
} from './project-policy.js';

describe('projectPolicySchema', () => {
  it('projectPolicySchema fills the defaults the loop used before projects had a policy', () => {
    expect(projectPolicySchema.parse({})).toEqual({
      reviewBotAllowlist: [],
      requireApproval: true,
      mergeMethod: 'squash',
      maxAttemptsPerKey: 3,
      maxAttemptsPerPr: 12,
      reviewTriggers: ['changes_requested', 'unresolved_threads'],
    });
  });

  it.each<[string, unknown, string]>([
    ['a login with a space', { reviewBotAllowlist: ['code rabbit'] }, 'reviewBotAllowlist.0'],
    ['an unknown merge method', { mergeMethod: 'fast-forward' }, 'mergeMethod'],
    ['a zero attempt cap', { maxAttemptsPerKey: 0 }, 'maxAttemptsPerKey'],
    ['an unknown review trigger', { reviewTriggers: ['approved'] }, 'reviewTriggers.0'],
    ['a repeated review trigger', { reviewTriggers: ['commented', 'commented'] }, 'reviewTriggers'],
  ])('projectPolicySchema refuses %s, naming the field', (_name, input, field) => {
    const r = projectPolicySchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('projectPolicySchema accepts a bot login with its [bot] suffix', () => {
    expect(
      projectPolicySchema.parse({ reviewBotAllowlist: ['coderabbitai[bot]'] }).reviewBotAllowlist,
    ).toEqual(['coderabbitai[bot]']);
  });
});

describe('readProjectPolicy', () => {
  it('readProjectPolicy reads null or a malformed stored value as the defaults', () => {
    expect(readProjectPolicy(null)).toEqual(projectPolicySchema.parse({}));
    expect(readProjectPolicy({ mergeMethod: 7 })).toEqual(projectPolicySchema.parse({}));
  });
});

describe('policyToRatchet', () => {
  it('policyToRatchet hands every policy field and the self login to the loop settings', () => {
    const policy = projectPolicySchema.parse({
      reviewBotAllowlist: ['coderabbitai'],
      requireApproval: false,
      mergeMethod: 'rebase',
      maxAttemptsPerKey: 2,
      maxAttemptsPerPr: 5,
      reviewTriggers: ['commented'],
    });
    const out = policyToRatchet(policy, 'ratchet-bot');
    expect(out.mergeMethod).toBe('rebase');
    const s = ratchetSettings(out.settings);
    expect(s).toMatchObject({
      reviewBotAllowlist: ['coderabbitai'],
      requireApproval: false,
      maxAttemptsPerKey: 2,
      maxAttemptsPerPr: 5,
      reviewTriggers: ['commented'],
      selfLogin: 'ratchet-bot',
    });
  });
});

describe('readProjectScripts', () => {
  it('readProjectScripts drops a malformed stored value rather than running part of it', () => {
    expect(readProjectScripts({ setup: 'npm ci', runPort: 3000 })).toEqual({
      setup: 'npm ci',
      runPort: 3000,
    });
    expect(readProjectScripts({ setup: 5 })).toEqual({});
  });
});
