import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAgentClis } from '../../../extension/core/init';
import { repoRoot, useTempDirs } from '../helpers';
import { VERSION_SCRIPTS, fakeCliDir } from './fakeClis';

const tempDir = useTempDirs();
const builtinProfilesDir = path.join(repoRoot, 'agents-config');
const system = ['/usr/bin', '/bin'];

describe('detectAgentClis', () => {
  it('finds fake CLIs on a temp PATH and reads their versions with each profile pattern', async () => {
    const bin = fakeCliDir(tempDir(), { ...VERSION_SCRIPTS, aider: 'echo "aider v0.86.1"' });
    const found = await detectAgentClis({
      builtinProfilesDir,
      pathEnv: [bin, ...system].join(path.delimiter),
      timeoutMs: 60_000,
    });
    expect(found).toEqual([
      { name: 'codex', found: true, path: path.join(bin, 'codex'), version: '0.99.1' },
      { name: 'claude', found: true, path: path.join(bin, 'claude'), version: '2.1.5' },
      { name: 'gemini', found: true, path: path.join(bin, 'gemini'), version: '0.61.0' },
      { name: 'aider', found: true, path: path.join(bin, 'aider'), version: '0.86.1' },
    ]);
  });

  it('a missing CLI is not found (no error); an unknown output is shown as printed; a silent one is a problem', async () => {
    const bin = fakeCliDir(tempDir(), { codex: 'echo "something 7"', claude: 'exit 3' });
    const found = await detectAgentClis({
      builtinProfilesDir,
      pathEnv: [bin, ...system].join(path.delimiter),
      timeoutMs: 60_000,
    });
    expect(found[0]).toMatchObject({ name: 'codex', found: true, version: 'something 7' });
    expect(found[1]).toMatchObject({ name: 'claude', found: true });
    expect(found[1]?.problem).toMatch(/printed nothing/);
    expect(found[1]?.version).toBeUndefined();
    expect(found.slice(2)).toEqual([
      { name: 'gemini', found: false },
      { name: 'aider', found: false },
    ]);
  });

  it('a CLI that never answers is found with a problem at the deadline, its child processes killed', async () => {
    // The script starts a child that keeps the output open, as Gemini CLI relaunching itself does.
    const work = tempDir();
    const pidFile = path.join(work, 'child.pid');
    const bin = fakeCliDir(work, { codex: `sleep 600 &\necho $! > ${pidFile}\nsleep 600` });
    const [codex] = await detectAgentClis({
      builtinProfilesDir,
      pathEnv: [bin, ...system].join(path.delimiter),
      timeoutMs: 300,
      names: ['codex'],
    });
    expect(codex).toMatchObject({ name: 'codex', found: true });
    expect(codex?.problem).toMatch(/no answer .* 300 ms/);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(child).toBeGreaterThan(0);
    const alive = (): boolean => {
      try {
        process.kill(child, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(), `pid ${child} (the CLI's child) still runs`).toBe(false);
  });

  it('finds the real CLIs installed with the project (node_modules/.bin) and their versions', async () => {
    const found = await detectAgentClis({
      builtinProfilesDir,
      pathEnv: [
        path.join(repoRoot, 'node_modules/.bin'),
        ...path.dirname(process.execPath).split(':'),
        ...system,
      ].join(path.delimiter),
      // Gemini CLI takes seconds to print its version on a loaded machine.
      timeoutMs: 120_000,
      names: ['codex', 'claude', 'gemini'],
    });
    for (const cli of found) {
      expect(cli, JSON.stringify(cli)).toMatchObject({ found: true });
      expect(cli.version, JSON.stringify(cli)).toMatch(/^\d+\.\d+\.\d+/);
    }
  }, 180_000);
});
