import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  define: { __BATON_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // The suites spawn real CLIs and git; a shared, noisy machine needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
