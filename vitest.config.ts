import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Simulation tests are CPU-bound; two cores means two workers at most.
    maxWorkers: 2,
  },
});
