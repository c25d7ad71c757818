// @ts-check
/**
 * StrykerJS config (`npm run mutation`): mutation testing of the pure rule engine, shared/engine/** except
 * replay/, judged by test/unit/engine/** through vitest.stryker.config.ts. Not part of `npm test` (minutes, not
 * seconds). Incremental: re-runs only test mutants whose code or covering tests changed since
 * reports/stryker-incremental.json; `npm run mutation -- --force` runs them all.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: ['shared/engine/**/*.ts', '!shared/engine/replay/**', '!shared/engine/index.ts'],
  coverageAnalysis: 'perTest',
  // A mutant the compiler rejects (say `'stop'` → `""` in a union) is a compile error, not a test gap: the checker
  // sets it aside before any test runs, over the engine and its tests only.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.stryker.json',
  // Two cores, shared with other test runs: one checker and one vitest worker.
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['cdk.out', 'coverage', 'dist', '.moto', 'test/integration', 'test/infra'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 75 },
};

export default config;
