import { execFile } from 'node:child_process';
import * as path from 'node:path';

/**
 * Quick questions to git before a worktree is made, so a person typing a branch name hears at once what is
 * wrong with it: git's own rules (`git check-ref-format --branch`), not a copy of them.
 */

function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', timeout: 10_000 }, (error, stdout) =>
      resolve({ ok: !error, stdout }),
    );
  });
}

/** True when git accepts `name` as a new branch name (and it stays itself: `@{-1}` is not a name). */
export async function isValidBranchName(name: string, cwd: string): Promise<boolean> {
  if (name.trim() === '' || name !== name.trim()) return false;
  const result = await git(cwd, ['check-ref-format', '--branch', name]);
  return result.ok && result.stdout.trim() === name;
}

/** The top folder of the repository `cwd` is in; undefined outside a repository (or without git). */
export async function gitTopLevel(cwd: string): Promise<string | undefined> {
  const result = await git(cwd, ['rev-parse', '--show-toplevel']);
  const top = result.stdout.trim();
  return result.ok && top ? path.resolve(top) : undefined;
}
