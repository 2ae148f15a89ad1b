/**
 * Provider health (`/api/health` `providers`, Settings): installed and authenticated per runner
 * and per ACP agent, against the real Claude Code CLI and claude-agent-acp installed in
 * node_modules/.bin, a throwaway HOME and real files. Only presence is reported, never a value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEnv, parseFileConfig, resolveConfig } from '../../core/config.js';
import { checkProviders } from '../../web/lib/provider-health.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');

function setup(raw: Record<string, string>, file: unknown = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-health-home-'));
  const processEnv = { PATH: `${BIN}${path.delimiter}/usr/bin:/bin`, HOME: home, ...raw };
  const config = resolveConfig(parseEnv(processEnv), parseFileConfig(file, 'config.json'), home);
  return { home, processEnv, config };
}

describe('provider health', () => {
  it('reports the real Claude Code CLI installed, and authenticated only with a key or a login', async () => {
    const { home, processEnv, config } = setup({});
    const none = await checkProviders(config, processEnv, { fresh: true });
    expect(none['claude-code']).toMatchObject({ installed: true, authenticated: false });
    expect(none.anthropic).toMatchObject({ installed: true, authenticated: false });
    expect(none.acp.claude).toMatchObject({ installed: true, authenticated: false });

    fs.mkdirSync(path.join(home, '.claude'));
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), '{}');
    const login = await checkProviders(config, processEnv, { fresh: true });
    expect(login['claude-code']).toMatchObject({ installed: true, authenticated: true });
    expect(login['claude-code'].detail).toContain('logged in');

    const keyed = setup({ ANTHROPIC_API_KEY: 'sk-ant-health-check-key-0001' });
    const withKey = await checkProviders(keyed.config, keyed.processEnv, { fresh: true });
    expect(withKey['claude-code'].authenticated).toBe(true);
    expect(withKey.anthropic.authenticated).toBe(true);
    expect(JSON.stringify(withKey)).not.toContain('sk-ant-health-check-key-0001');
  }, 60_000);

  it('counts an OpenAI-compatible base URL without a key as usable (Ollama, vLLM)', async () => {
    const { processEnv, config } = setup({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    const report = await checkProviders(config, processEnv, { fresh: true });
    expect(report.openai).toMatchObject({ installed: true, authenticated: true });
    expect(report.openai.detail).toContain('OPENAI_BASE_URL');
  });

  it('reports ACP agents by whether their command is installed and their named credential is set', async () => {
    const { processEnv, config } = setup(
      { MY_AGENT_API_KEY: 'my-secret-value-123' },
      {
        agents: {
          acp: {
            mine: { command: 'claude-agent-acp', passEnv: ['MY_AGENT_API_KEY'] },
            bare: { command: 'ls' },
          },
        },
      },
    );
    const report = await checkProviders(config, processEnv, { fresh: true });
    // codex-acp and gemini-cli are devDependencies (on PATH through node_modules/.bin); no OpenAI,
    // Codex or Gemini key is set.
    expect(report.acp.codex).toMatchObject({ installed: true, authenticated: false });
    expect(report.acp.gemini).toMatchObject({ installed: true, authenticated: false });
    expect(report.acp.mine).toMatchObject({ installed: true, authenticated: true });
    expect(report.acp.bare).toMatchObject({ installed: true, authenticated: null });
    expect(JSON.stringify(report)).not.toContain('my-secret-value-123');
  });

  it('reports the Claude Code CLI missing when it is not on PATH', async () => {
    const { config } = setup({});
    const report = await checkProviders(config, { PATH: '/nonexistent', HOME: os.tmpdir() }, { fresh: true });
    expect(report['claude-code'].installed).toBe(false);
    expect(report.acp.claude?.installed).toBe(false);
  });
});
