import { execFile } from 'node:child_process';
import { constants, existsSync, realpathSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readFile, readdir, readlink, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../errors';
import type { Logger } from '../observability/appLog';

/**
 * Git branches and worktrees for panes: a pane can start on a new branch in its own worktree, next to the
 * repository, with the untracked local files it needs (`.env`, local config) copied in from the repository.
 * Everything goes through the `git` executable (execFile, no shell).
 */

const CATEGORY = 'worktree';
/** The file, at the top of the repository, listing the untracked files to copy into new worktrees. */
export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';

export interface WorktreeInfo {
  path: string;
  /** The short branch name (`feat/x`), absent when detached or bare. */
  branch?: string;
  /** The commit checked out; empty for a bare repository. */
  head: string;
  bare: boolean;
  detached: boolean;
}

export interface CreateWorktreeOptions {
  /** The repository, or any folder inside it. */
  repo: string;
  branch: string;
  /** Where a new branch starts; HEAD by default. Ignored (with a warning) when the branch already exists. */
  base?: string;
  /** The folder that holds the worktrees; by default `<repo>/../<repo-name>.worktrees`. Relative to the repo. */
  root?: string;
  /** The include file; by default `<repo>/.worktreeinclude`. A missing file copies nothing. */
  include?: string;
  log: Logger;
}

export interface CreatedWorktree {
  path: string;
  branch: string;
  /** True when the branch was created, false when an existing branch was checked out. */
  created: boolean;
  /** The files copied from the repository, relative and with `/` separators, sorted. */
  copied: string[];
}

export interface RemoveWorktreeOptions {
  repo: string;
  path: string;
  /** Remove even with uncommitted changes, which are lost. */
  force?: boolean;
  log: Logger;
}

export async function createWorktree(options: CreateWorktreeOptions): Promise<CreatedWorktree> {
  const { branch, log } = options;
  const repo = await topLevel(options.repo, branch);
  const where = { repo, branch };
  await checkBranchName(repo, branch);

  const exists = (await run(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])).ok;
  if (exists) {
    const holder = (await listWorktrees(repo)).find((w) => w.branch === branch);
    if (holder) {
      throw new FleetError(
        ErrorCode.Worktree,
        `Branch "${branch}" is already checked out in ${holder.path}; a branch can be checked out in only one worktree at a time.`,
        { ...where, reason: 'checked-out', worktree: holder.path },
      );
    }
    if (options.base !== undefined) {
      log.warn(CATEGORY, 'worktree.base.ignored', { ...where, base: options.base });
    }
  }

  const root = options.root
    ? path.resolve(repo, options.root)
    : path.join(path.dirname(repo), `${path.basename(repo)}.worktrees`);
  // git creates the missing folders of the path itself.
  const dir = path.join(root, branch.replaceAll('/', '-'));
  const args = exists
    ? ['worktree', 'add', '--', dir, branch]
    : ['worktree', 'add', '-b', branch, '--', dir, options.base ?? 'HEAD'];
  await git(where, args);

  const copied = await copyIncluded(
    repo,
    dir,
    options.include ?? path.join(repo, WORKTREE_INCLUDE_FILE),
    log,
  );
  log.info(CATEGORY, 'worktree.created', { ...where, path: dir, created: !exists, copied });
  return { path: dir, branch, created: !exists, copied };
}

/**
 * The folder where `branch` is checked out: the worktree that has it (the repository itself when it is the
 * current branch), or a new worktree (with the branch, from `base`, when the branch is missing). Panes of the
 * config and plan nodes naming the same branch so work in the same folder.
 */
export async function worktreeForBranch(options: {
  repo: string;
  branch: string;
  base?: string;
  log: Logger;
}): Promise<string> {
  const holder = (await listWorktrees(options.repo)).find((w) => w.branch === options.branch);
  if (holder) return holder.path;
  return (await createWorktree(options)).path;
}

/** Removes a worktree and prunes stale ones; its branch is kept. */
export async function removeWorktree(
  options: RemoveWorktreeOptions,
): Promise<{ path: string; branch?: string }> {
  const { repo, force = false, log } = options;
  const target = samePathKey(options.path);
  const worktree = (await listWorktrees(repo)).find((w) => samePathKey(w.path) === target);
  if (!worktree) {
    throw new FleetError(ErrorCode.Worktree, `${options.path} is not a worktree of ${repo}.`, {
      repo,
      path: options.path,
      reason: 'not-a-worktree',
    });
  }
  const where = { repo, branch: worktree.branch, path: worktree.path };

  if (existsSync(worktree.path)) {
    const changes = await uncommittedChanges(where, worktree.path);
    if (changes.length > 0 && !force) {
      const shown =
        changes.slice(0, 20).join(', ') + (changes.length > 20 ? `, … and ${changes.length - 20} more` : '');
      throw new FleetError(
        ErrorCode.Worktree,
        `The worktree ${worktree.path} has uncommitted changes (${changes.length}): ${shown}. Commit or stash them, or remove it with force (they will be lost).`,
        { ...where, reason: 'dirty', changes },
      );
    }
    await git(where, ['worktree', 'remove', ...(force ? ['--force'] : []), '--', worktree.path]);
  }
  await git(where, ['worktree', 'prune']);
  log.info(CATEGORY, 'worktree.removed', { ...where, force });
  return { path: worktree.path, ...(worktree.branch ? { branch: worktree.branch } : {}) };
}

/** Every worktree of the repository, the main one first, from `git worktree list --porcelain`. */
export async function listWorktrees(repo: string): Promise<WorktreeInfo[]> {
  return parseWorktreeList(await git({ repo }, ['worktree', 'list', '--porcelain']));
}

export function parseWorktreeList(porcelain: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  let current: WorktreeInfo | undefined;
  for (const line of porcelain.split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      current = { path: value, head: '', bare: false, detached: false };
      worktrees.push(current);
    } else if (!current) {
      continue;
    } else if (key === 'HEAD') {
      current.head = value;
    } else if (key === 'branch') {
      current.branch = value.replace(/^refs\/heads\//, '');
    } else if (key === 'bare') {
      current.bare = true;
    } else if (key === 'detached') {
      current.detached = true;
    }
  }
  return worktrees;
}

/** The branch checked out in a folder; undefined when it is not in a repository or HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  const result = await run(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return result.ok ? result.stdout.trim() || undefined : undefined;
}

// --- git -------------------------------------------------------------------------------------------------

interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** The exit code, or a Node error code such as ENOENT when git could not be started. */
  code?: number | string;
}

function run(cwd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as (Error & { code?: number | string }) | null)?.code;
      resolve({ ok: !error, stdout, stderr: stderr || (error ? error.message : ''), code });
    });
  });
}

interface Where {
  repo: string;
  branch?: string;
  path?: string;
}

/** Runs git in `cwd` (the repository unless given) and returns stdout, or throws a FleetError naming the repo. */
async function git(where: Where, args: string[], cwd = where.repo): Promise<string> {
  const result = await run(cwd, args);
  if (result.ok) return result.stdout;
  const stderr = result.stderr.trim();
  const problem = result.code === 'ENOENT' ? 'git is not installed or not on PATH' : stderr;
  throw new FleetError(
    ErrorCode.Git,
    `git ${args[0]} ${args[1] ?? ''}`.trim() +
      ` failed in ${where.repo}${where.branch ? ` (branch ${where.branch})` : ''}: ${problem}`,
    { ...where, args, exitCode: result.code, stderr },
  );
}

async function topLevel(repo: string, branch: string): Promise<string> {
  return path.resolve((await git({ repo, branch }, ['rev-parse', '--show-toplevel'])).trim());
}

async function checkBranchName(repo: string, branch: string): Promise<void> {
  const result = await run(repo, ['check-ref-format', '--branch', branch]);
  // --branch also expands `@{-1}`-style names; only a name that stays itself is a branch name.
  if (!result.ok || result.stdout.trim() !== branch) {
    throw new FleetError(
      ErrorCode.Worktree,
      `"${branch}" is not a valid branch name (no spaces, "..", "~", "^", ":", "?", "*", "[", "\\", no leading "-" or trailing ".lock").`,
      { repo, branch, reason: 'invalid-branch', stderr: result.stderr.trim() },
    );
  }
}

/** `git status` lines (`M  src/a.ts`, `?? notes.txt`) for everything a removal would lose. */
async function uncommittedChanges(where: Where, dir: string): Promise<string[]> {
  const out = await git(where, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], dir);
  const entries = out.split('\0');
  const changes: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry) continue;
    changes.push(`${entry.slice(0, 2).trim()} ${entry.slice(3)}`);
    if (entry[0] === 'R' || entry[0] === 'C') i++; // a rename or copy is followed by its original path
  }
  return changes;
}

function samePathKey(p: string): string {
  const resolved = path.resolve(p);
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

// --- .worktreeinclude ------------------------------------------------------------------------------------

/**
 * Copies the untracked files named in the include file from the repository into the worktree, keeping their
 * relative paths and modes and never overwriting what git placed. One pattern per line, relative to the
 * repository top (a leading `/` is allowed); `#` starts a comment line. `*` and `?` match within one path
 * segment, `**` matches any number of folders, and a folder copies everything in it. Nested repositories and
 * worktrees (folders with a `.git`) are never entered. A file that cannot be copied is logged and skipped.
 */
async function copyIncluded(
  repo: string,
  worktree: string,
  includeFile: string,
  log: Logger,
): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(includeFile, 'utf8');
  } catch {
    return [];
  }
  const matches = new Set<string>();
  for (const pattern of parseIncludePatterns(text)) {
    const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.includes('..')) {
      log.warn(CATEGORY, 'worktree.include.ignored', { repo, pattern, reason: 'leaves the repository' });
      continue;
    }
    for (const match of await expand(repo, '', segments)) {
      for (const file of await filesUnder(repo, match)) matches.add(file);
    }
  }
  if (matches.size === 0) return [];

  const tracked = new Set((await git({ repo }, ['ls-files', '-z'])).split('\0'));
  const copied: string[] = [];
  for (const rel of [...matches].filter((f) => !tracked.has(f)).sort()) {
    try {
      if (await copyOne(path.join(repo, rel), path.join(worktree, rel))) copied.push(rel);
    } catch (error) {
      log.warn(CATEGORY, 'worktree.include.failed', {
        repo,
        worktree,
        file: rel,
        error: describeError(error),
      });
    }
  }
  return copied;
}

export function parseIncludePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The repository-relative paths (files or folders) that match the remaining pattern segments under `dir`. */
async function expand(repo: string, dir: string, segments: string[]): Promise<string[]> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return [dir];
  const join = (name: string) => (dir ? `${dir}/${name}` : name);

  if (segment === '**') {
    const found = await expand(repo, dir, rest);
    for (const sub of await subfolders(repo, dir)) found.push(...(await expand(repo, join(sub), segments)));
    return found;
  }
  if (!/[*?]/.test(segment)) {
    if (segment === '.git') return [];
    const target = join(segment);
    if (!existsSync(path.join(repo, target))) return [];
    if (rest.length > 0 && !(await isPlainFolder(repo, target))) return [];
    return expand(repo, target, rest);
  }
  const regex = segmentRegex(segment);
  const found: string[] = [];
  for (const entry of await entries(repo, dir)) {
    if (entry.name === '.git' || !regex.test(entry.name)) continue;
    if (rest.length > 0 && !(await isPlainFolder(repo, join(entry.name)))) continue;
    found.push(...(await expand(repo, join(entry.name), rest)));
  }
  return found;
}

/** `*` is any run of characters and `?` one character, neither crossing a `/`; everything else is literal. */
export function segmentRegex(segment: string): RegExp {
  const source = [...segment]
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The files at or below a matched path; symbolic links count as files and are never followed. */
async function filesUnder(repo: string, rel: string): Promise<string[]> {
  const stat = await lstat(path.join(repo, rel)).catch(() => undefined);
  if (!stat) return [];
  if (!stat.isDirectory()) return stat.isFile() || stat.isSymbolicLink() ? [rel] : [];
  if (rel !== '' && !(await isPlainFolder(repo, rel))) return [];
  const files: string[] = [];
  for (const entry of await entries(repo, rel)) {
    if (entry.name === '.git') continue;
    files.push(...(await filesUnder(repo, rel ? `${rel}/${entry.name}` : entry.name)));
  }
  return files;
}

async function entries(repo: string, rel: string) {
  return readdir(path.join(repo, rel), { withFileTypes: true }).catch(() => []);
}

async function subfolders(repo: string, rel: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await entries(repo, rel)) {
    const sub = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== '.git' && (await isPlainFolder(repo, sub)))
      names.push(entry.name);
  }
  return names;
}

/** A real folder (not a link) that is not itself a repository or worktree. */
async function isPlainFolder(repo: string, rel: string): Promise<boolean> {
  const stat = await lstat(path.join(repo, rel)).catch(() => undefined);
  return !!stat?.isDirectory() && !existsSync(path.join(repo, rel, '.git'));
}

/** Copies one file or link unless the target exists; false when it did. */
async function copyOne(from: string, to: string): Promise<boolean> {
  const stat = await lstat(from);
  await mkdir(path.dirname(to), { recursive: true });
  try {
    if (stat.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else {
      await copyFile(from, to, constants.COPYFILE_EXCL);
      // libuv's copyFile keeps the mode, but Node does not promise it.
      await chmod(to, stat.mode & 0o7777);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
