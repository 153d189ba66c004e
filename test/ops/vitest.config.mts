import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The shipped operations files (docs/ops) checked by the real tools: promtool on the alert rules and the scrape
 * config, and a real Prometheus (Debian's package) scraping a real `fleet orchestrator` (the built dist/cli.js).
 * Prometheus and promtool come from test/scripts/install-system-deps.sh; a missing one fails, never skips.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/ops/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
