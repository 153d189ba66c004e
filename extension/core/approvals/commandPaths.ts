import * as path from 'node:path';
import type { ShellWord } from './shellCommand';

/**
 * Where the paths named in a command lead, judged without touching the disk (the command has not run yet, so
 * the files may not exist; symbolic links are not followed).
 */
export interface PathScope {
  workspaceRoot: string;
  home: string;
  /**
   * The folders the command may be running in. `cd` adds to this set instead of replacing it (`cd x || rm -r y`
   * runs rm in either), so a path counts as inside the workspace only if it is inside from every candidate;
   * `undefined` means a folder we cannot know (`cd "$DIR"`).
   */
  cwds: (string | undefined)[];
  writableRoots: string[];
}

/** `why` completes "… of a path …": what made it unknowable before the command runs. */
export type ResolvedPath = { known: true; paths: string[] } | { known: false; why: string };

const GLOB = /[*?[]/;

/**
 * The absolute paths a word names, one per candidate folder. A glob is judged by the folder it searches
 * (`build/*.o` -> `build`); words built at run time (`$X`, `~user`) are unknown.
 */
export function resolveWord(word: ShellWord, scope: PathScope): ResolvedPath {
  if (word.expands) return { known: false, why: `built at run time (${word.raw})` };
  let value = word.value;
  if (word.glob) {
    const parts = value.split('/');
    const firstGlob = parts.findIndex((part) => GLOB.test(part));
    value = firstGlob <= 0 ? (value.startsWith('/') ? '/' : '.') : parts.slice(0, firstGlob).join('/') || '/';
  }
  if (word.tilde) {
    if (value === '~' || value.startsWith('~/'))
      return { known: true, paths: [path.join(scope.home, value.slice(1))] };
    return { known: false, why: `in another user's home (${word.raw})` };
  }
  if (path.isAbsolute(value)) return { known: true, paths: [path.normalize(value)] };
  const paths: string[] = [];
  for (const cwd of scope.cwds) {
    if (cwd === undefined) return { known: false, why: `in a folder known only at run time (${word.raw})` };
    paths.push(path.resolve(cwd, value));
  }
  return { known: true, paths };
}

export function isInside(target: string, folder: string): boolean {
  const rel = path.relative(folder, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The folder itself or one that contains it (`/`, `~` for a workspace under home). */
export function isSameOrAncestor(target: string, folder: string): boolean {
  return isInside(folder, target);
}

const DEVICES_ANYONE_MAY_WRITE = ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty', '/dev/zero'];

export function isHarmlessDevice(target: string): boolean {
  return DEVICES_ANYONE_MAY_WRITE.includes(target) || /^\/(dev|proc\/self)\/fd\/\d+$/.test(target);
}

export function writableRootPaths(scope: PathScope): string[] {
  return scope.writableRoots.map((root) =>
    root === '~' || root.startsWith('~/') ? path.join(scope.home, root.slice(1)) : path.resolve(root),
  );
}

/** Files inside the workspace whose change runs programs later or changes FleetAI itself. */
export function protectedInWorkspace(target: string, workspaceRoot: string): string | undefined {
  for (const rel of ['.git/hooks', '.git/config', '.fleetai']) {
    if (isInside(target, path.join(workspaceRoot, rel))) return rel;
  }
  return undefined;
}

/** Where credentials live; reading them is worth a look, writing to ~/.ssh is high risk. */
export const CREDENTIAL_PATHS = [
  '~/.ssh',
  '~/.aws',
  '~/.gnupg',
  '~/.netrc',
  '~/.git-credentials',
  '~/.docker/config.json',
  '~/.kube/config',
  '~/.npmrc',
  '~/.pypirc',
  '~/.config/gh',
  '~/.config/gcloud',
  '/etc/shadow',
  '/etc/sudoers',
];

export function credentialPathOf(target: string, home: string): string | undefined {
  for (const entry of CREDENTIAL_PATHS) {
    const full = entry.startsWith('~/') ? path.join(home, entry.slice(2)) : entry;
    if (isInside(target, full)) return entry;
  }
  return undefined;
}

/** A path for a reason: relative to the workspace when inside it, with `~` for home, else absolute. */
export function displayPath(target: string, scope: PathScope): string {
  if (isInside(target, scope.workspaceRoot)) return path.relative(scope.workspaceRoot, target) || '.';
  if (isInside(target, scope.home)) return `~/${path.relative(scope.home, target)}`.replace(/\/$/, '');
  return target;
}
