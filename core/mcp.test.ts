import { describe, expect, it } from 'vitest';
import {
  mcpConfigText,
  mcpServersSchema,
  mcpToolAllowed,
  mcpToolName,
  parseMcpConfigFile,
  resolveMcpServers,
  summariseMcpServers,
} from './mcp.js';

describe('mcpServersSchema', () => {
  it.each([
    [
      'a stdio server with env names',
      { probe: { command: 'node', args: ['s.js'], env: ['PROBE_KEY'] } },
      true,
    ],
    [
      'an http server with header env names',
      { web: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'WEB_AUTH' } } },
      true,
    ],
    ['a server name with a double underscore (it would split tool names)', { a__b: { command: 'x' } }, false],
    ['an env entry that is a value, not a name', { probe: { command: 'x', env: ['sk-live 123'] } }, false],
    ['an unknown field (a typo or an inline secret)', { probe: { command: 'x', token: 'abc' } }, false],
    ['an http server without a URL', { web: { type: 'http' } }, false],
    ['a non-http URL', { web: { type: 'http', url: 'file:///etc/passwd' } }, false],
  ])('%s', (_label, raw, ok) => {
    expect(mcpServersSchema.safeParse(raw).success).toBe(ok);
  });
});

describe('mcpConfigText', () => {
  it('is the same for a reordered or reformatted file and differs for any change of meaning', () => {
    const a = mcpServersSchema.parse({ p: { command: 'node', args: ['s.js'], env: ['K'] } });
    const b = mcpServersSchema.parse(
      JSON.parse('{"p":{"env":["K"],"args":["s.js"],"command":"node","type":"stdio"}}'),
    );
    const c = mcpServersSchema.parse({ p: { command: 'node', args: ['s.js', '--x'], env: ['K'] } });
    expect(mcpConfigText(a)).toBe(mcpConfigText(b));
    expect(mcpConfigText(a)).not.toBe(mcpConfigText(c));
  });
});

describe('resolveMcpServers', () => {
  it('gives each server only the variables it names and leaves out a server whose variable is unset', () => {
    const servers = mcpServersSchema.parse({
      one: { command: 'a', env: ['ONE_KEY'] },
      two: { command: 'b', env: ['TWO_KEY'] },
      web: { type: 'http', url: 'http://127.0.0.1:1/mcp', headers: { Authorization: 'WEB_AUTH' } },
    });
    const r = resolveMcpServers(servers, { ONE_KEY: 'v1', WEB_AUTH: 'Bearer w', GITHUB_TOKEN: 'ghp' });
    expect(r.servers).toEqual([
      { name: 'one', type: 'stdio', command: 'a', args: [], env: { ONE_KEY: 'v1' } },
      { name: 'web', type: 'http', url: 'http://127.0.0.1:1/mcp', headers: { Authorization: 'Bearer w' } },
    ]);
    expect(r.problems).toEqual(['MCP server "two" not started: TWO_KEY not set on the worker']);
  });
});

describe('mcpToolName', () => {
  it.each([
    ['probe', 'echo', 'mcp__probe__echo'],
    ['probe', 'get.file', 'mcp__probe__get_file'],
    ['s', 'x'.repeat(100), `mcp__s__${'x'.repeat(56)}`],
  ])('%s/%s → %s', (server, tool, name) => {
    expect(mcpToolName(server, tool)).toBe(name);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('mcpToolAllowed', () => {
  it.each([
    ['agent', undefined, true],
    ['agent', { readOnlyHint: false }, true],
    ['plan', undefined, false],
    ['plan', { readOnlyHint: false }, false],
    ['plan', { readOnlyHint: true }, true],
  ] as const)('mode %s with annotations %j → %s', (mode, ann, ok) => {
    expect(mcpToolAllowed(mode, ann)).toBe(ok);
  });
});

describe('summariseMcpServers', () => {
  it('names variables, never values', () => {
    const s = summariseMcpServers(
      mcpServersSchema.parse({ p: { command: 'node', args: ['s.js'], env: ['K'] } }),
    );
    expect(s).toEqual([{ name: 'p', type: 'stdio', target: 'node s.js', envNames: ['K'] }]);
  });
});

describe('parseMcpConfigFile', () => {
  it.each([
    ['no file', null, 'none'],
    ['a file without mcpServers (only a setup script)', '{"setup":"npm ci"}', 'none'],
    ['an empty block', '{"mcpServers":{}}', 'none'],
    ['not JSON', '{', 'invalid'],
    ['a bad server', '{"mcpServers":{"p":{"command":""}}}', 'invalid'],
    ['a good block', '{"setup":"x","mcpServers":{"p":{"command":"node"}}}', 'ok'],
  ] as const)('%s → %s', (_label, raw, state) => {
    expect(parseMcpConfigFile(raw).state).toBe(state);
  });

  it('names the bad field', () => {
    const r = parseMcpConfigFile('{"mcpServers":{"p":{"command":"node","env":["not a name"]}}}');
    expect(r).toMatchObject({ state: 'invalid' });
    expect((r as { error: string }).error).toContain('.ratchet/config.json mcpServers p.env.0');
  });
});
