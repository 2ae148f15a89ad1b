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
    // expect.poll waits on real processes (worker, Temporal, the console's live channel): vitest's
    // 1 s default fails a correct run on a loaded 2-core machine. A state that never comes still fails.
    expect: { poll: { timeout: 20_000 } },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
