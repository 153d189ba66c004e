// Bundles the extension host and the `fleet` CLI with esbuild. node-pty is native and stays external (it ships
// in the .vsix under node_modules/); `vscode` is provided by the editor.
import { build } from 'esbuild';
import { chmod, readFile } from 'node:fs/promises';

const production = process.argv.includes('--production') || process.env.CI === 'true';
const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: production ? false : 'linked',
  legalComments: 'none',
  external: ['vscode', 'node-pty'],
  // Prefer ES module builds: some packages (jsonc-parser) ship a UMD "main" whose require() calls esbuild cannot follow.
  mainFields: ['module', 'main'],
  define: { FLEETAI_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  metafile: true,
};

// The model SDKs (extension/core/decisions/modelSdk.ts) stay in their own file, required on the first model call.
const modelSdkApart = {
  name: 'model-sdk-apart',
  setup(b) {
    b.onResolve({ filter: /\/modelSdk$/ }, () => ({ path: './model.js', external: true }));
  },
};

const results = await Promise.all([
  build({
    ...common,
    entryPoints: { extension: 'extension/vscode/extension.ts' },
    outdir: 'dist',
    plugins: [modelSdkApart],
    // The first statement of the bundle: lets FleetAI report how long its own module took to load.
    banner: { js: 'globalThis.__fleetaiLoadStart=performance.now();' },
  }),
  build({
    ...common,
    entryPoints: { fleet: 'extension/cli/main.ts' },
    outdir: 'dist',
    plugins: [modelSdkApart],
    external: ['node-pty'],
  }),
  build({ ...common, entryPoints: { model: 'extension/core/decisions/modelSdk.ts' }, outdir: 'dist' }),
  // `dist/cli.js` (the `fleet` bin) only picks a bundle: the whole CLI, or a fast path (extension/cli/launcher.ts).
  build({
    ...common,
    entryPoints: { cli: 'extension/cli/launcher.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...common, entryPoints: { approve: 'extension/cli/approveMain.ts' }, outdir: 'dist' }),
  // The hook sender alone (see extension/cli/hookMain.ts): agents wait for it at every hook event.
  build({
    ...common,
    entryPoints: { hook: 'extension/cli/hookMain.ts' },
    outdir: 'dist',
    external: ['node-pty'],
  }),
]);
await chmod('dist/cli.js', 0o755);
for (const result of results) {
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
  }
}
