import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';

/**
 * A real folder that refuses writes, for the state-write-failure tests. CI runs as root, and root ignores file
 * modes (chmod 0555 stops nobody), so as root the folder is a small tmpfs of its own that is remounted read-only
 * or filled up: the kernel refuses the write with EROFS or ENOSPC exactly as a real disk would. As another user
 * the folder is made 0555 (EACCES); a full disk cannot be made without root and says so.
 */
export interface StateFolder {
  readonly dir: string;
  /** Whether the refusal comes from a mount of its own (root) or from chmod (any other user). */
  readonly mounted: boolean;
  /** Writes now fail (EROFS as root, EACCES otherwise); what is in the folder stays readable. */
  readOnly(): void;
  /** Writes work again. */
  writable(): void;
  /** Fills the folder's disk until no more fits (ENOSPC); root only. */
  fill(): void;
  /** Frees what `fill` took. */
  free(): void;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Returns a maker of temporary workspaces and of refusing state folders inside them. Every mount is undone and
 * every workspace removed after each test (unmounting first: a mounted folder cannot be removed).
 */
export function useStateFolders(): {
  workspace(): string;
  stateFolder(dir: string, options?: { sizeKb?: number }): StateFolder;
} {
  const workspaces: string[] = [];
  const mounts: string[] = [];
  const chmodded: string[] = [];
  afterEach(() => {
    for (const dir of mounts.splice(0).reverse()) {
      try {
        run('umount', [dir]);
      } catch {
        // Something still holds it open (a watcher): detach it now, the kernel frees it when released.
        run('umount', ['-l', dir]);
      }
    }
    for (const dir of chmodded.splice(0)) makeWritable(dir);
    for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    workspace() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-statewrite-'));
      workspaces.push(dir);
      return dir;
    },
    stateFolder(dir, options = {}) {
      mkdirSync(dir, { recursive: true });
      const filler = path.join(dir, '.filler');
      if (isRoot) {
        run('mount', ['-t', 'tmpfs', '-o', `size=${options.sizeKb ?? 1024}k,mode=0755`, 'tmpfs', dir]);
        mounts.push(dir);
      } else {
        chmodded.push(dir);
      }
      return {
        dir,
        mounted: isRoot,
        readOnly: () => (isRoot ? run('mount', ['-o', 'remount,ro', dir]) : makeReadOnly(dir)),
        writable: () => (isRoot ? run('mount', ['-o', 'remount,rw', dir]) : makeWritable(dir)),
        fill: () => {
          if (!isRoot)
            throw new Error('filling a disk needs its own tmpfs, which needs root (CI runs as root)');
          // Blocks of 4 KiB until the kernel refuses: tmpfs counts whole pages.
          const block = Buffer.alloc(4096, 1);
          for (let i = 0; ; i++) {
            try {
              writeFileSync(`${filler}.${i}`, block);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
              throw error;
            }
          }
        },
        free: () => {
          for (const name of readdirSync(dir)) if (name.startsWith('.filler.')) rmSync(path.join(dir, name));
        },
      };
    },
  };
}

/** Every folder under `dir` (itself included) 0555: nothing can be created, renamed or removed in them. */
function makeReadOnly(dir: string): void {
  for (const each of folders(dir)) chmodSync(each, 0o555);
}

function makeWritable(dir: string): void {
  for (const each of folders(dir)) chmodSync(each, 0o755);
}

function folders(dir: string): string[] {
  const found = [dir];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...folders(full));
  }
  return found;
}
