/**
 * The vitest config StrykerJS runs (`npm run mutation`): the rule engine's unit and property tests only, so each
 * mutant is judged by the tests written for the engine, and no integration test starts moto in a sandbox.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/engine/**/*.test.ts'],
    // Stryker runs its own workers (concurrency in stryker.config.json); one fork each keeps the machine free.
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
  },
});
