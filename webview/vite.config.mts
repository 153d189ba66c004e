import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * `<vscode-icon>` needs the codicon stylesheet on the page (webview/shared/elements.ts links it at run time).
 * The webview's CSP lets styles and fonts come only from the extension's media folder, so both files are
 * shipped beside the apps, as they come from the package that @vscode-elements/elements depends on.
 */
function codicons(): Plugin {
  const require = createRequire(here('../node_modules/@vscode-elements/elements/package.json'));
  const dir = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  return {
    name: 'fleetai-codicons',
    apply: 'build',
    generateBundle() {
      for (const file of ['codicon.css', 'codicon.ttf']) {
        this.emitFile({ type: 'asset', fileName: file, source: readFileSync(path.join(dir, file)) });
      }
    },
  };
}

/** React Flow, its dependencies and the layout library: only the plan graph app uses them. */
const PLAN_LIBRARIES =
  /\/node_modules\/(@xyflow|@dagrejs|d3-[a-z]+|zustand|classcat|use-sync-external-store)\//;

/** Each webview app is one entry; fixed file names let the host's HTML (with its CSP nonce) point at them. */
export default defineConfig({
  plugins: [react(), codicons()],
  root: here('.'),
  base: './',
  build: {
    outDir: here('../media/webview'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    cssCodeSplit: true,
    rollupOptions: {
      input: {
        dashboard: here('dashboard/main.tsx'),
        approvals: here('approvals/main.tsx'),
        plan: here('plan/main.tsx'),
      },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name].js',
        // Stable names for what both apps share: the libraries, and FleetAI's own shared modules.
        // The plan graph's libraries get a chunk of their own, so the other apps do not load them.
        manualChunks: (id: string) =>
          PLAN_LIBRARIES.test(id)
            ? 'plan-vendor'
            : id.includes('/node_modules/')
              ? 'vendor'
              : id.includes('/webview/shared/')
                ? 'shared'
                : undefined,
        assetFileNames: '[name][extname]',
      },
    },
  },
});
