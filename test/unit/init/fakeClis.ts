import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Real executables standing in for the agent CLIs: shell scripts that print what the real ones print to
 * `--version` (or hang, or print nothing). Each is a real process started from PATH, as the real CLIs are.
 */
export function fakeCliDir(dir: string, scripts: Record<string, string>): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

/** What the real CLIs print to `--version` (codex-cli 0.x, "<v> (Claude Code)", Gemini's bare version). */
export const VERSION_SCRIPTS = {
  codex: 'echo "codex-cli 0.99.1"',
  claude: 'echo "2.1.5 (Claude Code)"',
  gemini: 'echo "0.61.0"',
} as const;
