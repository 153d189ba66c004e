import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * LangGraph's checkpointer conformance suite (@langchain/langgraph-checkpoint-validation) against FleetAI's JSON
 * file saver. A config of its own because the suite is written against Jest-style globals (`describe`, `it`,
 * `expect` without imports), which the unit tests do not turn on.
 */
export default defineConfig({
  root,
  test: {
    include: ['test/checkpoint/**/*.test.ts'],
    environment: 'node',
    globals: true,
    testTimeout: 30_000,
  },
});
