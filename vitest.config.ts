import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Sandboxes and servers listen on real loopback ports; give slow shared machines room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
