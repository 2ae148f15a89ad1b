import { defineConfig } from 'vitest/config';

// One run covers every suite: pure tables (core/), activities against real git and SQLite,
// workflows against real Temporal servers, and end-to-end runs with real processes and Chromium.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'tests/**/*.test.ts', 'prompts/**/*.test.ts'],
    // compose-up builds images and runs containers for many minutes: its own step (npm run test:compose).
    exclude: ['node_modules/**', 'web/.next/**', 'tests/compose/compose-up.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
