import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start pty pairs, servers and child processes; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
