import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../helpers';

/**
 * Bundles the `fleet` CLI the way extension/build/bundle.mjs does, into `outdir` instead of dist/ (other test
 * runs may be reading dist/cli.js at the same moment). Returns the path of the bundle.
 */
export async function buildCli(
  outdir: string,
  entryPoints: Record<string, string> = { cli: 'extension/cli/main.ts' },
): Promise<string> {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  await build({
    absWorkingDir: repoRoot,
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['node-pty'],
    mainFields: ['module', 'main'],
    define: { FLEETAI_VERSION: JSON.stringify(version) },
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  return path.join(outdir, 'cli.js');
}

/**
 * The environment without this machine's model and locale settings (FLEETAI_*, OPENAI_*, LANG, LC_*), so "no
 * model" means no model and messages come in one language; then `base` (English messages) and `extra`.
 */
export function cleanCliEnv(
  extra: Record<string, string> = {},
  base: Record<string, string> = { FLEETAI_LOCALE: 'en' },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(FLEETAI_|OPENAI_|LC_|LANG)/.test(key)) env[key] = value;
  return { ...env, ...base, ...extra };
}

/**
 * Runs the built CLI as a child process. Async: a fake model or server in this process must keep answering while
 * the child waits for it (spawnSync would block this event loop).
 */
export function runBuiltCli(
  cli: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
