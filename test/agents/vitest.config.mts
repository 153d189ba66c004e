import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Black-box tests of `fleet watch` (the built dist/cli.js) driving real programs in a real pty: scripted
 * agents, and the real Codex, Claude Code and Gemini CLI against the fake model server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/agents/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Real agent CLIs are heavy; two cores run them one file at a time.
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
