// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'fs/promises',
  'child_process',
  'path',
  'os',
  'net',
  'http',
  'https',
  'crypto',
  'worker_threads',
];
const restrictedInPure = [
  ...nodeBuiltins.flatMap((m) => [m, `node:${m}`]),
  'better-sqlite3',
  'drizzle-orm',
  '@octokit/rest',
  'openai',
  '@anthropic-ai/sdk',
  'pino',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/.next/**', 'web/next-env.d.ts', 'db/migrations/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // core/ and workflows/ run inside the Temporal workflow sandbox: no I/O, no Node built-ins.
    files: ['core/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedInPure.map((name) => ({
            name,
            message: 'core/ and workflows/ must stay pure (no I/O).',
          })),
        },
      ],
    },
  },
  {
    // The environment is read once, by the config loader's adapters (worker/env.ts, web/lib/env.ts)
    // and scripts/; everything below them gets it passed in (children: core/child-env.ts profiles).
    files: [
      'activities/**/*.{ts,mjs}',
      'core/**/*.ts',
      'workflows/**/*.ts',
      'db/**/*.ts',
      'prompts/**/*.ts',
      'web/lib/**/*.ts',
    ],
    ignores: ['**/*.test.ts', 'web/lib/env.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Take the environment as a dependency (config.env, or the parent env from worker/env.ts / web/lib/env.ts).',
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
