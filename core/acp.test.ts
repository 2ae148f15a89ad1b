import { describe, expect, it } from 'vitest';
import {
  ACP_PRESETS,
  acpAgentSchema,
  acpAgents,
  commandPaths,
  decidePermission,
  replayContext,
  titledCommand,
  type PermissionAsk,
} from './acp.js';

const WT = '/work/wt';
const inside = (p: string) => p === WT || p.startsWith(`${WT}/`) || !p.startsWith('/');
const options: PermissionAsk['options'] = [
  { optionId: 'always', kind: 'allow_always' },
  { optionId: 'once', kind: 'allow_once' },
  { optionId: 'no', kind: 'reject_once' },
];
const ask = (over: Partial<PermissionAsk>): PermissionAsk => ({
  kind: 'edit',
  paths: [],
  command: null,
  options,
  alreadyRan: false,
  ...over,
});

describe('decidePermission', () => {
  const table: [string, PermissionAsk, 'agent' | 'plan', boolean, string][] = [
    [
      'agent mode allows an edit inside the worktree, once',
      ask({ paths: [`${WT}/a.ts`] }),
      'agent',
      true,
      'once',
    ],
    [
      'agent mode refuses an edit outside the worktree',
      ask({ paths: ['/etc/passwd'] }),
      'agent',
      false,
      'no',
    ],
    ['agent mode refuses an edit it cannot place', ask({ paths: [] }), 'agent', false, 'no'],
    ['plan mode refuses an edit inside the worktree', ask({ paths: [`${WT}/a.ts`] }), 'plan', false, 'no'],
    [
      'plan mode allows a read inside the worktree',
      ask({ kind: 'read', paths: [`${WT}/a.ts`] }),
      'plan',
      true,
      'once',
    ],
    [
      'a read outside the worktree is refused in either mode',
      ask({ kind: 'read', paths: ['/home/u/.ssh/id_rsa'] }),
      'agent',
      false,
      'no',
    ],
    ['plan mode refuses a command', ask({ kind: 'execute', command: 'npm test' }), 'plan', false, 'no'],
    [
      'agent mode allows a command inside the worktree',
      ask({ kind: 'execute', command: 'npm test > out.txt' }),
      'agent',
      true,
      'once',
    ],
    [
      'agent mode refuses a redirect outside the worktree',
      ask({ kind: 'execute', command: 'echo x > /tmp/x' }),
      'agent',
      false,
      'no',
    ],
    [
      'agent mode refuses a command through ~ or ..',
      ask({ kind: 'execute', command: 'cat ../other/secret' }),
      'agent',
      false,
      'no',
    ],
    [
      'a /dev/null redirect and a system program are fine',
      ask({ kind: 'execute', command: '/usr/bin/env node x.js 2>/dev/null' }),
      'agent',
      true,
      'once',
    ],
    ['a command that is not shown is refused', ask({ kind: 'execute', command: null }), 'agent', false, 'no'],
    ['leaving plan mode is refused', ask({ kind: 'switch_mode' }), 'plan', false, 'no'],
    [
      'a tool call that already ran is refused',
      ask({ paths: [`${WT}/a.ts`], alreadyRan: true }),
      'agent',
      false,
      'no',
    ],
  ];
  it.each(table)('%s', (_name, a, mode, allow, optionId) => {
    expect(decidePermission(a, mode, inside)).toMatchObject({ allow, optionId });
  });

  it('decidePermission never picks allow_always: without allow_once it refuses', () => {
    const d = decidePermission(
      ask({ paths: [`${WT}/a.ts`], options: [{ optionId: 'always', kind: 'allow_always' }] }),
      'agent',
      inside,
    );
    expect(d).toMatchObject({ allow: false, optionId: null });
  });
});

describe('commandPaths', () => {
  it('commandPaths finds absolute words and flags home, variables and .. as opaque', () => {
    expect(commandPaths('cp a.txt /tmp/b && ls')).toEqual({ paths: ['/tmp/b'], opaque: false });
    expect(commandPaths('cat ~/.aws/credentials').opaque).toBe(true);
    expect(commandPaths('echo $HOME').opaque).toBe(true);
    expect(commandPaths('cat src/../../x').opaque).toBe(true);
    expect(commandPaths('echo "x">/etc/y').paths).toEqual(['/etc/y']);
  });
});

describe('titledCommand', () => {
  const table: [string, string | undefined, string[], { command: string | null; dirs: string[] }][] = [
    [
      'the title is the command',
      'echo hi > a.txt',
      ['[current working directory /work/wt] (a step)'],
      { command: 'echo hi > a.txt', dirs: [] },
    ],
    ['an absolute dir_path', 'ls', ['[in /etc] (look)'], { command: 'ls', dirs: ['/etc'] }],
    [
      'a relative dir_path is under the worktree',
      'ls',
      ['[in sub/../..]'],
      { command: 'ls', dirs: [`${WT}/sub/../..`] },
    ],
    ['a background call', 'sleep 9', ['[in src] [background]'], { command: 'sleep 9', dirs: [`${WT}/src`] }],
    ['no title: no command', undefined, [], { command: null, dirs: [] }],
    ['a blank title: no command', '  ', [], { command: null, dirs: [] }],
  ];
  it.each(table)('titledCommand: %s', (_name, title, texts, want) => {
    expect(titledCommand(title, texts, `${WT}/`)).toEqual(want);
  });
  it('a titled command is checked like any other: a dir outside the worktree is refused', () => {
    const t = titledCommand('touch x', ['[in /tmp/elsewhere]'], WT);
    const d = decidePermission(ask({ kind: 'execute', command: t.command, paths: t.dirs }), 'agent', inside);
    expect(d).toMatchObject({ allow: false, reason: 'outside the worktree: /tmp/elsewhere' });
  });
});

describe('replayContext', () => {
  it('replayContext lists what ran and says not to run it again', () => {
    const text = replayContext([
      { role: 'assistant', text: 'Appending.' },
      { role: 'tool_call', toolCallId: 'c1', toolName: 'append', input: { command: 'echo' } },
      { role: 'tool_result', toolCallId: 'c1', ok: true, output: 'exit 0' },
    ]);
    expect(text).toContain('tool call c1 append: {"command":"echo"}');
    expect(text).toContain('tool result c1 (ok): exit 0');
    expect(text).toContain('do not run any of them again');
  });

  it('replayContext keeps the tail when the transcript is long', () => {
    const text = replayContext([{ role: 'assistant', text: `${'a'.repeat(50)}END` }], 10);
    expect(text).toContain('…aaaaaaaEND');
  });
});

describe('acp agents', () => {
  it('acpAgents lets the config file override a preset and add an agent', () => {
    const mine = acpAgentSchema.parse({ command: 'my-agent', args: ['--acp'] });
    const merged = acpAgents({ claude: mine, mine });
    expect(merged.claude?.command).toBe('my-agent');
    expect(merged.codex).toEqual(ACP_PRESETS.codex);
    expect(merged.mine).toMatchObject({ passEnv: [], systemPrompt: 'inline' });
  });

  it('acpAgentSchema names the bad field', () => {
    const r = acpAgentSchema.safeParse({ command: 'x', passEnv: ['BAD NAME'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['passEnv', 0]);
  });
});
