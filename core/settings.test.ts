import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  agentRequestSchema,
  applyAgentDefaults,
  parseSettingsPatch,
  readSettings,
  type AgentDefaults,
  type AgentRequest,
} from './settings.js';

/** The issue paths and messages of a refused patch, as the API reports them. */
function refusal(raw: unknown): Array<[string, string]> {
  try {
    parseSettingsPatch(raw);
  } catch (err) {
    if (err instanceof ZodError) return err.issues.map((i) => [i.path.join('.'), i.message]);
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseSettingsPatch', () => {
  it.each<[string, unknown, unknown]>([
    ['an empty body changes nothing', {}, {}],
    ['a daily budget', { 'budget.dailyUsd': 12.5 }, { 'budget.dailyUsd': 12.5 }],
    ['null clears a budget', { 'budget.workspaceDefaultUsd': null }, { 'budget.workspaceDefaultUsd': null }],
    ['null clears the agent defaults', { 'agent.defaults': null }, { 'agent.defaults': null }],
    [
      'agent defaults fill mode and maxTurns',
      { 'agent.defaults': { runner: 'openai' } },
      { 'agent.defaults': { runner: 'openai', mode: 'agent', maxTurns: 40 } },
    ],
    [
      'names are trimmed and blank ones dropped',
      {
        'agent.defaults': {
          runner: 'openai',
          provider: '  ',
          model: ' qwen2.5-coder:14b ',
          mode: 'plan',
          maxTurns: 12,
        },
      },
      { 'agent.defaults': { runner: 'openai', model: 'qwen2.5-coder:14b', mode: 'plan', maxTurns: 12 } },
    ],
    [
      'all three keys at once',
      { 'agent.defaults': { runner: 'script' }, 'budget.workspaceDefaultUsd': 2, 'budget.dailyUsd': 20 },
      {
        'agent.defaults': { runner: 'script', mode: 'agent', maxTurns: 40 },
        'budget.workspaceDefaultUsd': 2,
        'budget.dailyUsd': 20,
      },
    ],
  ])('parseSettingsPatch accepts %s', (_name, raw, expected) => {
    expect(parseSettingsPatch(raw)).toEqual(expected);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a negative budget', { 'budget.dailyUsd': -1 }, 'budget.dailyUsd', /at least 0.01/],
    ['a zero budget', { 'budget.workspaceDefaultUsd': 0 }, 'budget.workspaceDefaultUsd', /at least 0.01/],
    ['a budget below a cent', { 'budget.dailyUsd': 1e-320 }, 'budget.dailyUsd', /at least 0.01/],
    ['a budget above the ceiling', { 'budget.dailyUsd': 100_001 }, 'budget.dailyUsd', /at most 100000/],
    ['a budget given as text', { 'budget.dailyUsd': '5' }, 'budget.dailyUsd', /number of US dollars/],
    [
      'an unknown runner',
      { 'agent.defaults': { runner: 'gpt' } },
      'agent.defaults.runner',
      /expected one of/,
    ],
    [
      'agent defaults without a runner',
      { 'agent.defaults': { mode: 'plan' } },
      'agent.defaults.runner',
      /expected one of/,
    ],
    [
      'an unknown mode',
      { 'agent.defaults': { runner: 'script', mode: 'yolo' } },
      'agent.defaults.mode',
      /expected one of/,
    ],
    [
      'a fractional maxTurns',
      { 'agent.defaults': { runner: 'script', maxTurns: 2.5 } },
      'agent.defaults.maxTurns',
      /whole number/,
    ],
    [
      'maxTurns over the limit',
      { 'agent.defaults': { runner: 'script', maxTurns: 501 } },
      'agent.defaults.maxTurns',
      /at most 500/,
    ],
    [
      'maxTurns of zero',
      { 'agent.defaults': { runner: 'script', maxTurns: 0 } },
      'agent.defaults.maxTurns',
      /at least 1/,
    ],
    [
      'an overlong model',
      { 'agent.defaults': { runner: 'openai', model: 'm'.repeat(201) } },
      'agent.defaults.model',
      /at most 200/,
    ],
    [
      'a script among the defaults',
      { 'agent.defaults': { runner: 'script', script: [] } },
      'agent.defaults.script',
      /not an agent default/,
    ],
    [
      'an unknown setting key',
      { 'budget.daily': 5 },
      'budget.daily',
      /is not a setting; use agent\.defaults/,
    ],
    ['a body that is an array', [1], '', /expected object/],
  ])('parseSettingsPatch refuses %s, naming the field', (_name, raw, path, message) => {
    const issues = refusal(raw);
    expect(issues.map(([p]) => p)).toEqual([path]);
    expect(issues[0]![1]).toMatch(message);
  });

  it('parseSettingsPatch names every bad field of one body', () => {
    const paths = refusal({
      'budget.dailyUsd': -1,
      'budget.daily': 5,
      'agent.defaults': { runner: 'x' },
    }).map(([p]) => p);
    expect(paths.sort()).toEqual(['agent.defaults.runner', 'budget.daily', 'budget.dailyUsd']);
  });
});

describe('readSettings', () => {
  it('readSettings returns null for every key when nothing is stored', () => {
    expect(readSettings([])).toEqual({
      values: {
        'agent.defaults': null,
        'budget.workspaceDefaultUsd': null,
        'budget.dailyUsd': null,
        'notify.webhookUrl': null,
      },
      invalid: [],
    });
  });

  it('readSettings parses stored values, ignores unknown keys and reports broken ones as unset', () => {
    const { values, invalid } = readSettings([
      { key: 'agent.defaults', value: { runner: 'anthropic', model: 'claude-sonnet-4-5' } },
      { key: 'budget.dailyUsd', value: 'ten dollars' },
      { key: 'budget.workspaceDefaultUsd', value: 3 },
      { key: 'ratchet.pollSeconds', value: 30 },
    ]);
    expect(values).toEqual({
      'agent.defaults': { runner: 'anthropic', model: 'claude-sonnet-4-5', mode: 'agent', maxTurns: 40 },
      'budget.workspaceDefaultUsd': 3,
      'budget.dailyUsd': null,
      'notify.webhookUrl': null,
    });
    expect(invalid).toEqual(['budget.dailyUsd']);
  });
});

describe('applyAgentDefaults', () => {
  const defaults: AgentDefaults = {
    runner: 'openai',
    provider: 'ollama',
    model: 'qwen2.5-coder:14b',
    mode: 'plan',
    maxTurns: 12,
  };

  it.each<[string, AgentRequest | undefined, AgentDefaults | null, Record<string, unknown>]>([
    [
      'no defaults and no request: built-in defaults',
      undefined,
      null,
      { runner: 'script', mode: 'agent', maxTurns: 40 },
    ],
    [
      'no defaults: the request as given',
      { runner: 'anthropic', model: 'm' },
      null,
      { runner: 'anthropic', model: 'm', mode: 'agent', maxTurns: 40 },
    ],
    [
      'an empty request takes every default',
      {},
      defaults,
      { runner: 'openai', provider: 'ollama', model: 'qwen2.5-coder:14b', mode: 'plan', maxTurns: 12 },
    ],
    [
      'request fields win over defaults',
      { model: 'llama3', mode: 'agent', maxTurns: 5 },
      defaults,
      { runner: 'openai', provider: 'ollama', model: 'llama3', mode: 'agent', maxTurns: 5 },
    ],
    [
      'naming the default runner keeps its provider and model',
      { runner: 'openai' },
      defaults,
      { runner: 'openai', provider: 'ollama', model: 'qwen2.5-coder:14b', mode: 'plan', maxTurns: 12 },
    ],
    [
      'another runner drops the default provider and model, keeps mode and maxTurns',
      { runner: 'anthropic' },
      defaults,
      { runner: 'anthropic', mode: 'plan', maxTurns: 12 },
    ],
    [
      'fields the request leaves undefined do not erase defaults',
      { runner: undefined, model: undefined, mode: 'agent' },
      defaults,
      { runner: 'openai', provider: 'ollama', model: 'qwen2.5-coder:14b', mode: 'agent', maxTurns: 12 },
    ],
    [
      'a script in the request is kept',
      { runner: 'script', script: [[{ op: 'say', text: 'hi' }]] },
      defaults,
      { runner: 'script', mode: 'plan', maxTurns: 12, script: [[{ op: 'say', text: 'hi' }]] },
    ],
  ])('applyAgentDefaults: %s', (_name, request, stored, expected) => {
    expect(applyAgentDefaults(request, stored)).toEqual(expected);
  });

  it('agentRequestSchema fills in nothing, so the defaults can tell what the request left out', () => {
    expect(agentRequestSchema.parse({})).toEqual({});
    expect(agentRequestSchema.parse({ model: 'm' })).toEqual({ model: 'm' });
    const bad = agentRequestSchema.safeParse({ runner: 'gpt', maxTurns: 501 });
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['maxTurns', 'runner']);
  });
});

describe('notify.webhookUrl', () => {
  it.each<[string, unknown, string | null]>([
    ['an https URL is accepted', 'https://hooks.slack.com/services/T/B/X', null],
    ['an http URL on loopback is accepted', 'http://127.0.0.1:9999/hook', null],
    ['null clears it', null, null],
    ['another scheme is refused', 'ftp://example.com/x', 'must be an http(s) URL without user:password'],
    [
      'credentials in the URL are refused',
      'https://u:p@example.com/x',
      'must be an http(s) URL without user:password',
    ],
    ['not a URL is refused', 'hooks', 'must be an http(s) URL without user:password'],
  ])('notify.webhookUrl: %s', (_name, value, message) => {
    const got = (() => {
      try {
        parseSettingsPatch({ 'notify.webhookUrl': value });
        return null;
      } catch (err) {
        if (err instanceof ZodError)
          return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw err;
      }
    })();
    expect(got).toBe(message === null ? null : `notify.webhookUrl: ${message}`);
  });
});
