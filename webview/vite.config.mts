import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Each webview app is one entry; fixed file names let the host's HTML (with its CSP nonce) point at them. */
export default defineConfig({
  plugins: [react()],
  root: here('.'),
  base: './',
  build: {
    outDir: here('../media/webview'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    cssCodeSplit: true,
    rollupOptions: {
      input: { dashboard: here('dashboard/main.tsx') },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name].js',
        assetFileNames: '[name][extname]',
      },
    },
  },
});
