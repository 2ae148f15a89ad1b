import { defineConfig } from 'vitest/config';

// `npm run test:compose`: docker-compose up --build on the real compose file (tests/compose/compose-up.test.ts).
// Kept out of `npm test` because a cold image build takes many minutes; `.ci/run` runs it as its own step.
export default defineConfig({
  test: {
    include: ['tests/compose/compose-up.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
  },
});
