/** Argument schemas and model-facing descriptions of the agent tools. */
import { z } from 'zod';

const relPath = (what: string) => z.string().min(1).describe(`${what}, relative to the worktree root`);

export const readFileArgs = z.object({
  path: relPath('File to read'),
  offset: z.number().int().min(1).max(10_000_000).optional().describe('1-based line to start at. @default 1'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Maximum number of lines to return. @default 2000'),
});

export const writeFileArgs = z.object({
  path: relPath('File to create or overwrite (parent directories are created)'),
  content: z.string().describe('The complete new file content'),
});

export const editFileArgs = z.object({
  path: relPath('File to edit'),
  old_string: z
    .string()
    .min(1)
    .describe('Exact text to replace, including whitespace; must be unique unless replace_all is set'),
  new_string: z.string().describe('Replacement text'),
  replace_all: z.boolean().optional().describe('Replace every occurrence. @default false'),
});

export const listFilesArgs = z.object({
  pattern: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Glob such as "**/*.ts" or "src/*.{js,jsx}"; a pattern without "/" matches file names at any depth',
    ),
  path: relPath('Directory to list').optional(),
});

export const grepArgs = z.object({
  pattern: z.string().min(1).describe('JavaScript regular expression searched line by line'),
  path: relPath('File or directory to search').optional(),
  glob: z.string().min(1).optional().describe('Only search files matching this glob, e.g. "*.ts"'),
});

export const runCommandArgs = z.object({
  command: z.string().min(1).describe('Shell command run with /bin/sh -c in the worktree root'),
  timeout_ms: z.number().int().min(1).max(1_800_000).optional().describe('Kill the command after this long'),
});

export const TOOL_NAMES = [
  'read_file',
  'write_file',
  'edit_file',
  'list_files',
  'grep',
  'run_command',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Tools that cannot change the worktree; the only ones plan mode offers. */
export const READ_ONLY_TOOLS: readonly ToolName[] = ['read_file', 'list_files', 'grep'];

export const TOOL_SCHEMAS = {
  read_file: readFileArgs,
  write_file: writeFileArgs,
  edit_file: editFileArgs,
  list_files: listFilesArgs,
  grep: grepArgs,
  run_command: runCommandArgs,
} as const satisfies Record<ToolName, z.ZodObject>;

export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  read_file:
    'Read a text file. Returns numbered lines ("<n>\\t<text>"); long files are paged with offset/limit. Read a file before editing it.',
  write_file: 'Create a file or replace its entire content. Prefer edit_file for changes to existing files.',
  edit_file:
    'Replace an exact string in a file. old_string must match the file byte for byte (copy it from read_file output without the line-number prefix) and must be unique unless replace_all is true.',
  list_files:
    'List files under a directory (recursive, sorted, skips .git and node_modules), optionally filtered by a glob.',
  grep: 'Search file contents with a regular expression. Returns "path:line:text" matches; skips binary files, .git and node_modules.',
  run_command:
    'Run a shell command in the worktree root (build, test, lint, git status/diff). Non-interactive: no stdin, no credentials. Returns the exit code and combined output (long output is trimmed in the middle).',
};

/** The JSON Schema a provider SDK expects for a tool's input (no `$schema` key). */
export function inputJsonSchema(name: ToolName): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(TOOL_SCHEMAS[name]) as Record<string, unknown>;
  return schema;
}

/** One line per problem, each naming the argument: `old_string: Invalid input: expected string, received undefined`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)';
      if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown argument`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
