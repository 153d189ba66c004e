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
