import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Unit tests for the core, the protocol and the CLI: plain Node, no VS Code. */
export default defineConfig({
  root,
  define: { FLEETAI_VERSION: JSON.stringify(version) },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // The lint test builds a type-checked ESLint program, which takes a few seconds on a cold cache.
    testTimeout: 30_000,
  },
});
