import { execFile } from 'node:child_process';
import { describeError } from '../errors';
import type { BranchFact, GitFact } from './types';

/**
 * Branches, commits ahead of the base, the last commit and the size of each branch's change, from the `git` CLI
 * (execFile, no shell: branch names are data, never parsed by a shell). Read-only commands only. A folder that
 * is not a repository, or a machine without git, gives `available: false` with the reason, not an error: the
 * review goes on without git.
 */

export interface GitFactOptions {
  /** The branch others are compared with; default: `main`, else `master`, else the current branch. */
  base?: string;
  /** Branches the tasks name come first; at most `maxBranches` are measured. */
  preferred?: readonly string[];
  maxBranches?: number;
  timeoutMs?: number;
}

export function git(cwd: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 8 * 1024 * 1024,
        // Never a prompt for credentials or an editor: the review runs unattended.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || describeError(error)}`));
        else resolve(stdout);
      },
    );
  });
}

export async function gatherGitFacts(workspace: string, options: GitFactOptions = {}): Promise<GitFact> {
  const timeout = options.timeoutMs ?? 15_000;
  try {
    const inside = (await git(workspace, ['rev-parse', '--is-inside-work-tree'], timeout)).trim();
    if (inside !== 'true')
      return { available: false, problem: `${workspace} is not a git work tree`, branches: [] };
  } catch (error) {
    const message = describeError(error);
    return {
      available: false,
      problem: /ENOENT/.test(message)
        ? 'git is not installed (not on PATH): no branch facts'
        : /not a git repository/i.test(message)
          ? `${workspace} is not a git repository: no branch facts`
          : message,
      branches: [],
    };
  }
  const refs = (
    await git(
      workspace,
      ['for-each-ref', '--format=%(refname:short)%09%(committerdate:iso-strict)%09%(subject)', 'refs/heads'],
      timeout,
    )
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', date = '', ...subject] = line.split('\t');
      return { name, date, subject: subject.join('\t') };
    });
  const names = new Set(refs.map((r) => r.name));
  const current = (await git(workspace, ['branch', '--show-current'], timeout).catch(() => '')).trim();
  const base =
    options.base && names.has(options.base)
      ? options.base
      : names.has('main')
        ? 'main'
        : names.has('master')
          ? 'master'
          : current || refs[0]?.name;
  if (!base) return { available: true, branches: [], ...(current ? { current } : {}) };

  const preferred = new Set(options.preferred ?? []);
  const others = refs
    .filter((r) => r.name !== base)
    .sort(
      (a, b) => Number(preferred.has(b.name)) - Number(preferred.has(a.name)) || b.date.localeCompare(a.date),
    )
    .slice(0, options.maxBranches ?? 30);
  const branches: BranchFact[] = [];
  for (const ref of others) {
    const counts = (
      await git(workspace, ['rev-list', '--left-right', '--count', `${base}...${ref.name}`], timeout)
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    const stat = await git(workspace, ['diff', '--shortstat', `${base}...${ref.name}`], timeout);
    branches.push({
      branch: ref.name,
      behind: counts[0] ?? 0,
      ahead: counts[1] ?? 0,
      ...(ref.date ? { lastCommitAt: new Date(ref.date).toISOString() } : {}),
      ...(ref.subject ? { lastCommitSubject: ref.subject } : {}),
      ...parseShortstat(stat),
    });
  }
  return { available: true, base, ...(current ? { current } : {}), branches };
}

/** " 3 files changed, 10 insertions(+), 2 deletions(-)" (each part may be missing). */
export function parseShortstat(text: string): {
  filesChanged: number;
  insertions: number;
  deletions: number;
} {
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    filesChanged: number(/(\d+) files? changed/),
    insertions: number(/(\d+) insertions?\(\+\)/),
    deletions: number(/(\d+) deletions?\(-\)/),
  };
}
