import { describe, expect, it } from 'vitest';
import {
  credentialRunner,
  hasApiCredentials,
  runnerAvailability,
  type RunnerFacts,
} from './runner-availability.js';

const none: RunnerFacts = { env: {}, claudeOnPath: false, installedAcpAgents: [] };

describe('runnerAvailability', () => {
  it.each([
    [
      'nothing configured',
      none,
      { script: true, anthropic: false, openai: false, 'claude-code': false, acp: false },
    ],
    [
      'an Anthropic key',
      { ...none, env: { ANTHROPIC_API_KEY: 'k' } },
      { script: true, anthropic: true, openai: false, 'claude-code': false, acp: false },
    ],
    [
      'an OpenAI base URL without a key (Ollama)',
      { ...none, env: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' } },
      { script: true, anthropic: false, openai: true, 'claude-code': false, acp: false },
    ],
    [
      'an empty key counts as absent',
      { ...none, env: { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' } },
      { script: true, anthropic: false, openai: false, 'claude-code': false, acp: false },
    ],
    [
      'the claude CLI and one ACP agent installed',
      { ...none, claudeOnPath: true, installedAcpAgents: ['claude'] },
      { script: true, anthropic: false, openai: false, 'claude-code': true, acp: true },
    ],
  ] as const)('%s', (_name, facts, expected) => {
    expect(runnerAvailability(facts)).toEqual(expected);
  });
});

describe('hasApiCredentials', () => {
  it.each([
    ['anthropic', {}, false],
    ['anthropic', { ANTHROPIC_API_KEY: 'k' }, true],
    ['anthropic', { OPENAI_API_KEY: 'k' }, false],
    ['openai', { OPENAI_API_KEY: 'k' }, true],
    ['openai', { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, true],
    ['openai', { ANTHROPIC_API_KEY: 'k' }, false],
  ] as const)('%s with %j → %s', (runner, env, expected) => {
    expect(hasApiCredentials(runner, env)).toBe(expected);
  });
});

describe('credentialRunner', () => {
  it.each([
    ['nothing but the script runner', none, 'script'],
    [
      'Anthropic before OpenAI',
      { ...none, env: { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' } },
      'anthropic',
    ],
    ['OpenAI before the Claude CLI', { ...none, env: { OPENAI_API_KEY: 'k' }, claudeOnPath: true }, 'openai'],
    ['the Claude CLI alone', { ...none, claudeOnPath: true }, 'claude-code'],
    ['an ACP agent alone is never the default', { ...none, installedAcpAgents: ['claude'] }, 'script'],
  ] as const)('%s → %s', (_name, facts, expected) => {
    expect(credentialRunner(runnerAvailability(facts))).toBe(expected);
  });
});
