import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start their own moto server; two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // The SDK's notice about its future Node.js floor is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 120_000,
  },
});
