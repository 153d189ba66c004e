import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** The first executable file called `name` in the folders of `pathEnv` (with `.exe`, `.cmd`, `.bat` on Windows). */
export async function findOnPath(name: string, pathEnv: string): Promise<string | undefined> {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const found = await executableFile(path.join(dir, name + ext));
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Where a command would be found when started: a command with a folder in it (`./bin/agent`, `/bin/sh`) is
 * taken relative to `cwd`, a bare name is looked up on PATH. Undefined when there is no such executable file.
 */
export async function locateCommand(
  command: string,
  options: { cwd: string; pathEnv: string },
): Promise<string | undefined> {
  if (/[\\/]/.test(command)) return executableFile(path.resolve(options.cwd, command));
  return findOnPath(command, options.pathEnv);
}

async function executableFile(candidate: string): Promise<string | undefined> {
  try {
    await fs.access(candidate, constants.X_OK);
    // Folders pass X_OK too (and root passes it for any file with one execute bit).
    return (await fs.stat(candidate)).isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}
