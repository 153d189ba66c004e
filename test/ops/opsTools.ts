import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const opsDir = path.join(repoRoot, 'docs/ops');
export const cli = path.join(repoRoot, 'dist/cli.js');

/** The path of a tool, or a failure that says how to install it (CI must not skip these tests). */
export function requireTool(name: 'prometheus' | 'promtool'): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const file = found.stdout.trim();
  if (found.status !== 0 || !file) {
    throw new Error(
      `${name} is not installed: run bash test/scripts/install-system-deps.sh --ops (Debian/Ubuntu package "prometheus")`,
    );
  }
  return file;
}

export function run(file: string, args: string[], cwd = repoRoot): { code: number; out: string } {
  const result = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

/** A port nobody listens on right now on 127.0.0.1. */
/** A port free a moment ago (the shared test helper). */
export { freePort } from '../vscode/codeServer.mjs';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined); fails with `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    }
    await sleep(500);
  }
}
