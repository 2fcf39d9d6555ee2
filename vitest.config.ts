import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __RDP_VERSION__: JSON.stringify(process.env.npm_package_version ?? '0.0.0-test') },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests spawn the CLI and emulators; two cores here, so keep the parallelism modest.
    maxWorkers: 2,
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});
