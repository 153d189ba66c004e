import { runHook } from './hook';

/**
 * `dist/hook.js`: the hook sender alone. Claude Code waits for every hook it runs (two per tool call), so this
 * entry carries only what sending needs: Node compiles a few kilobytes instead of the whole `fleet` bundle.
 * `fleet hook` does the same from the full CLI.
 */
void runHook(process.argv.slice(2), { err: (text) => process.stderr.write(text) }).finally(() => {
  process.exitCode = 0;
});
