import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh folder under the OS temp dir, removed after the current test. */
export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-unit-'));
    made.push(dir);
    return dir;
  };
}

/** Runs `fn` and returns what it threw or rejected with; fails the test when nothing was thrown. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, but the call succeeded');
}

/**
 * Bundles a TypeScript script (relative to the repository) into `<dir>/<name>.mjs` for a child process: Node 20
 * cannot run TypeScript, so it is bundled the way extension/build/bundle.mjs bundles FleetAI. Returns the file.
 */
export async function bundleScript(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [path.join(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    outfile,
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}
