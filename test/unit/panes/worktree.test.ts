import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  createWorktree,
  currentBranch,
  listWorktrees,
  parseIncludePatterns,
  parseWorktreeList,
  removeWorktree,
  segmentRegex,
} from '../../../extension/core/panes/worktree';
import { caught, useTempDirs } from '../helpers';

const tempDir = useTempDirs();

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

function write(file: string, text: string, mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, mode === undefined ? undefined : { mode });
}

function branchExists(repo: string, branch: string): boolean {
  try {
    git(repo, 'show-ref', '--verify', '--quiet', `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * `<tmp>/proj` on `main` with two commits: a tracked README and config/local.json, a .gitignore for the local
 * files, and untracked local files (.env, .env.local, secrets, notes) next to them.
 */
function makeRepo(): { repo: string; first: string } {
  const repo = path.join(realpathSync(tempDir()), 'proj');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  write(path.join(repo, 'README.md'), 'hello\n');
  write(path.join(repo, 'config/local.json'), '{"committed":true}\n');
  write(path.join(repo, '.gitignore'), '.env*\nsecrets/\nnotes.txt\nsettings.json\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  const first = git(repo, 'rev-parse', 'HEAD');
  write(path.join(repo, 'README.md'), 'hello again\n');
  write(path.join(repo, 'tools/tracked.cfg'), 'tracked since the second commit\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'second');
  write(
    path.join(repo, '.worktreeinclude'),
    '# local files every pane needs\n.env\n/.env.*\n\nconfig/local.json\nsecrets/**/*.pem\nsettings.json\ntools/tracked.cfg\n',
  );
  write(path.join(repo, '.env'), 'TOKEN=abc\n');
  write(path.join(repo, '.env.local'), 'LOCAL=1\n', 0o640);
  write(path.join(repo, 'secrets/deep/er/key.pem'), 'KEY\n', 0o600);
  write(path.join(repo, 'secrets/readme.txt'), 'not a pem\n');
  write(path.join(repo, 'notes.txt'), 'not listed\n');
  // The working copy's edit of a tracked file must not leak into the worktree.
  write(path.join(repo, 'config/local.json'), '{"edited":true}\n');
  return { repo, first };
}

describe('createWorktree', () => {
  it('creates a new branch in its own worktree and copies the listed untracked files', async () => {
    const { repo, first } = makeRepo();
    const log = createMemoryLog();
    const result = await createWorktree({ repo, branch: 'feat/new', base: first, log });

    const expected = path.join(path.dirname(repo), 'proj.worktrees', 'feat-new');
    expect(result).toEqual({
      path: expected,
      branch: 'feat/new',
      created: true,
      copied: ['.env', '.env.local', 'secrets/deep/er/key.pem'],
    });
    expect(await currentBranch(expected)).toBe('feat/new');
    expect(git(expected, 'rev-parse', 'HEAD')).toBe(first);
    // The branch starts at `base`: the first commit's README, not the second's.
    expect(readFileSync(path.join(expected, 'README.md'), 'utf8')).toBe('hello\n');
    expect(readFileSync(path.join(expected, '.env'), 'utf8')).toBe('TOKEN=abc\n');
    expect(readFileSync(path.join(expected, 'secrets/deep/er/key.pem'), 'utf8')).toBe('KEY\n');
    // The tracked file is git's committed version, not the repo's edited copy.
    expect(readFileSync(path.join(expected, 'config/local.json'), 'utf8')).toBe('{"committed":true}\n');
    expect(existsSync(path.join(expected, 'notes.txt'))).toBe(false);
    // Tracked in the repository (though not at `base`): not a local file, so never copied.
    expect(existsSync(path.join(expected, 'tools/tracked.cfg'))).toBe(false);
    expect(existsSync(path.join(expected, 'secrets/readme.txt'))).toBe(false);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(expected, '.env.local')).mode & 0o777).toBe(0o640);
      expect(statSync(path.join(expected, 'secrets/deep/er/key.pem')).mode & 0o777).toBe(0o600);
    }
    // Copied files are ignored, so the new worktree starts clean.
    expect(git(expected, 'status', '--porcelain')).toBe('');
    expect(log.lines.map((l) => l.event)).toContain('worktree.created');
  });

  it('puts worktrees under a configurable root, relative to the repository', async () => {
    const { repo } = makeRepo();
    const result = await createWorktree({ repo, branch: 'a/b/c', root: '../trees', log: createMemoryLog() });
    expect(result.path).toBe(path.join(path.dirname(repo), 'trees', 'a-b-c'));
    expect(await currentBranch(result.path)).toBe('a/b/c');
  });

  it('checks out an existing branch instead of creating it, keeping the files git placed', async () => {
    const { repo } = makeRepo();
    git(repo, 'checkout', '-q', '-b', 'feature/old');
    write(path.join(repo, 'settings.json'), '{"from":"branch"}\n');
    git(repo, 'add', '-f', 'settings.json');
    git(repo, 'commit', '-q', '-m', 'settings on the branch');
    const tip = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'main');
    // On main the file is untracked and listed in .worktreeinclude, with other content.
    write(path.join(repo, 'settings.json'), '{"from":"local"}\n');

    const log = createMemoryLog();
    const result = await createWorktree({ repo, branch: 'feature/old', base: 'main', log });

    expect(result.created).toBe(false);
    expect(result.path).toBe(path.join(path.dirname(repo), 'proj.worktrees', 'feature-old'));
    expect(result.copied).toEqual(['.env', '.env.local', 'secrets/deep/er/key.pem']);
    expect(git(result.path, 'rev-parse', 'HEAD')).toBe(tip);
    expect(await currentBranch(result.path)).toBe('feature/old');
    expect(readFileSync(path.join(result.path, 'settings.json'), 'utf8')).toBe('{"from":"branch"}\n');
    expect(log.lines.map((l) => l.event)).toContain('worktree.base.ignored');
  });

  it('refuses an invalid branch name with a clear message and creates nothing', async () => {
    const { repo } = makeRepo();
    // Give `@{-1}` something to expand to, which `check-ref-format --branch` would otherwise accept.
    git(repo, 'checkout', '-q', '-b', 'previous');
    git(repo, 'checkout', '-q', 'main');
    for (const branch of ['bad..name', 'has space', '-dash', 'x.lock', '@{-1}']) {
      const error = await caught(() => createWorktree({ repo, branch, log: createMemoryLog() }));
      expect(error).toBeInstanceOf(FleetError);
      expect((error as FleetError).code).toBe('E_WORKTREE');
      expect((error as FleetError).message).toContain(`"${branch}" is not a valid branch name`);
      expect((error as FleetError).details).toMatchObject({ repo, branch, reason: 'invalid-branch' });
      if (branch !== '@{-1}') expect(branchExists(repo, branch)).toBe(false);
    }
    expect(existsSync(path.join(path.dirname(repo), 'proj.worktrees'))).toBe(false);
    expect(await listWorktrees(repo)).toHaveLength(1);
  });

  it('refuses a branch that is already checked out elsewhere, naming that worktree', async () => {
    const { repo } = makeRepo();
    const mainError = await caught(() => createWorktree({ repo, branch: 'main', log: createMemoryLog() }));
    expect(mainError).toBeInstanceOf(FleetError);
    expect((mainError as FleetError).message).toContain(`"main" is already checked out in ${repo}`);

    const first = await createWorktree({ repo, branch: 'feat/twice', log: createMemoryLog() });
    const again = await caught(() =>
      createWorktree({ repo, branch: 'feat/twice', root: '../elsewhere', log: createMemoryLog() }),
    );
    expect((again as FleetError).code).toBe('E_WORKTREE');
    expect((again as FleetError).message).toContain(`"feat/twice" is already checked out in ${first.path}`);
    expect((again as FleetError).details).toMatchObject({ reason: 'checked-out', worktree: first.path });
    expect(existsSync(path.join(path.dirname(repo), 'elsewhere'))).toBe(false);
  });

  it("reports git's failure as an E_GIT error naming the repo, the branch and git's stderr", async () => {
    const { repo } = makeRepo();
    const error = await caught(() =>
      createWorktree({ repo, branch: 'feat/x', base: 'no-such-base', log: createMemoryLog() }),
    );
    expect((error as FleetError).code).toBe('E_GIT');
    expect((error as FleetError).message).toContain(repo);
    expect((error as FleetError).message).toContain('feat/x');
    expect((error as FleetError).message).toContain('no-such-base');
    expect(branchExists(repo, 'feat/x')).toBe(false);

    const notRepo = await caught(() =>
      createWorktree({ repo: tempDir(), branch: 'feat/x', log: createMemoryLog() }),
    );
    expect((notRepo as FleetError).code).toBe('E_GIT');
    expect((notRepo as FleetError).message).toMatch(/not a git repository/i);
    expect((notRepo as FleetError).message).toContain('(branch feat/x)');
  });
});

describe('.worktreeinclude patterns', () => {
  it('reads one pattern per line, skipping blanks and # comments', () => {
    expect(parseIncludePatterns('# c\n.env\r\n\n  config/local.json  \n#.env.prod\n')).toEqual([
      '.env',
      'config/local.json',
    ]);
  });

  it('matches * and ? within one segment only', () => {
    expect(segmentRegex('.env.*').test('.env.local')).toBe(true);
    expect(segmentRegex('.env.*').test('.env')).toBe(false);
    expect(segmentRegex('*.pem').test('a/b.pem')).toBe(false);
    expect(segmentRegex('key?.pem').test('key1.pem')).toBe(true);
    expect(segmentRegex('key?.pem').test('key12.pem')).toBe(false);
    expect(segmentRegex('a+(b).txt').test('a+(b).txt')).toBe(true);
  });

  it('copies folders, ** at any depth, and never enters .git, nested repositories or the outside', async () => {
    const { repo } = makeRepo();
    write(
      path.join(repo, '.worktreeinclude'),
      ['**/.env', 'local/', '../outside.txt', 'vendor/**/*.key', '.git/config', '.git'].join('\n'),
    );
    write(path.join(repo, 'apps/web/.env'), 'WEB=1\n');
    write(path.join(repo, 'local/a.txt'), 'a\n');
    write(path.join(repo, 'local/sub/b.txt'), 'b\n');
    write(path.join(path.dirname(repo), 'outside.txt'), 'outside\n');
    mkdirSync(path.join(repo, 'vendor/lib'), { recursive: true });
    git(path.join(repo, 'vendor/lib'), 'init', '-q');
    write(path.join(repo, 'vendor/lib/secret.key'), 'nested repo\n');
    write(path.join(repo, 'vendor/own.key'), 'own\n');
    git(repo, 'add', '.worktreeinclude');
    git(repo, 'commit', '-q', '-m', 'include');

    const log = createMemoryLog();
    const result = await createWorktree({ repo, branch: 'patterns', log });
    expect(result.copied).toEqual([
      '.env',
      'apps/web/.env',
      'local/a.txt',
      'local/sub/b.txt',
      'vendor/own.key',
    ]);
    expect(readFileSync(path.join(result.path, 'local/sub/b.txt'), 'utf8')).toBe('b\n');
    expect(log.lines.filter((l) => l.event === 'worktree.include.failed')).toEqual([]);
    expect(log.lines.find((l) => l.event === 'worktree.include.ignored')).toMatchObject({
      context: { pattern: '../outside.txt' },
    });
  });
});

describe('removeWorktree', () => {
  it('removes the worktree, prunes, and keeps the branch', async () => {
    const { repo } = makeRepo();
    const created = await createWorktree({ repo, branch: 'feat/gone', log: createMemoryLog() });
    git(created.path, 'commit', '-q', '--allow-empty', '-m', 'work on the branch');
    const tip = git(created.path, 'rev-parse', 'HEAD');

    const log = createMemoryLog();
    const removed = await removeWorktree({ repo, path: created.path, log });

    expect(removed).toEqual({ path: created.path, branch: 'feat/gone' });
    expect(existsSync(created.path)).toBe(false);
    expect((await listWorktrees(repo)).map((w) => w.path)).toEqual([repo]);
    expect(git(repo, 'rev-parse', 'refs/heads/feat/gone')).toBe(tip);
    expect(log.lines.map((l) => l.event)).toContain('worktree.removed');
    // The kept branch can be checked out again.
    const again = await createWorktree({ repo, branch: 'feat/gone', log: createMemoryLog() });
    expect(again.created).toBe(false);
  });

  it('refuses a worktree with uncommitted changes, listing them, and removes it with force', async () => {
    const { repo } = makeRepo();
    const created = await createWorktree({ repo, branch: 'feat/dirty', log: createMemoryLog() });
    write(path.join(created.path, 'README.md'), 'changed\n');
    write(path.join(created.path, 'scratch.txt'), 'new\n');
    write(path.join(created.path, 'staged.txt'), 'staged\n');
    git(created.path, 'add', 'staged.txt');

    const error = await caught(() => removeWorktree({ repo, path: created.path, log: createMemoryLog() }));
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('E_WORKTREE');
    const message = (error as FleetError).message;
    expect(message).toContain(created.path);
    expect(message).toContain('uncommitted changes (3)');
    expect(message).toContain('M README.md');
    expect(message).toContain('A staged.txt');
    expect(message).toContain('?? scratch.txt');
    expect((error as FleetError).details).toMatchObject({
      reason: 'dirty',
      branch: 'feat/dirty',
      changes: expect.arrayContaining(['M README.md', '?? scratch.txt', 'A staged.txt']) as unknown,
    });
    expect(readFileSync(path.join(created.path, 'scratch.txt'), 'utf8')).toBe('new\n');
    expect(await listWorktrees(repo)).toHaveLength(2);

    await removeWorktree({ repo, path: created.path, force: true, log: createMemoryLog() });
    expect(existsSync(created.path)).toBe(false);
    expect(await listWorktrees(repo)).toHaveLength(1);
    expect(branchExists(repo, 'feat/dirty')).toBe(true);
  });

  it('prunes a worktree whose folder is already gone, and refuses a path that is not a worktree', async () => {
    const { repo } = makeRepo();
    const created = await createWorktree({ repo, branch: 'feat/vanished', log: createMemoryLog() });
    execFileSync('rm', ['-rf', created.path]);
    await removeWorktree({ repo, path: created.path, log: createMemoryLog() });
    expect(await listWorktrees(repo)).toHaveLength(1);
    expect(branchExists(repo, 'feat/vanished')).toBe(true);

    const error = await caught(() => removeWorktree({ repo, path: tempDir(), log: createMemoryLog() }));
    expect((error as FleetError).details).toMatchObject({ reason: 'not-a-worktree' });
  });
});

describe('listWorktrees and currentBranch', () => {
  it('lists the main, branch and detached worktrees', async () => {
    const { repo, first } = makeRepo();
    const head = git(repo, 'rev-parse', 'HEAD');
    const feature = await createWorktree({ repo, branch: 'feat/listed', log: createMemoryLog() });
    const detached = path.join(path.dirname(repo), 'detached');
    git(repo, 'worktree', 'add', '-q', '--detach', detached, first);

    const listed = await listWorktrees(repo);
    // The main worktree comes first; git orders the linked ones by path.
    expect(listed[0]).toEqual({ path: repo, branch: 'main', head, bare: false, detached: false });
    expect(listed.slice(1).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: detached, head: first, bare: false, detached: true },
      { path: feature.path, branch: 'feat/listed', head, bare: false, detached: false },
    ]);
    expect(await listWorktrees(feature.path)).toHaveLength(3);

    expect(await currentBranch(repo)).toBe('main');
    expect(await currentBranch(path.join(feature.path, 'config'))).toBe('feat/listed');
    expect(await currentBranch(detached)).toBeUndefined();
    expect(await currentBranch(tempDir())).toBeUndefined();
    expect(await currentBranch(path.join(tempDir(), 'missing'))).toBeUndefined();
  });

  it('parses bare, locked and prunable entries from porcelain output', () => {
    const porcelain = [
      'worktree /srv/repo.git',
      'bare',
      '',
      'worktree /srv/wt/a',
      'HEAD 1111111111111111111111111111111111111111',
      'branch refs/heads/feature/a',
      'locked reason with spaces',
      '',
      'worktree /srv/wt/b c',
      'HEAD 2222222222222222222222222222222222222222',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
    ].join('\n');
    expect(parseWorktreeList(porcelain)).toEqual([
      { path: '/srv/repo.git', head: '', bare: true, detached: false },
      {
        path: '/srv/wt/a',
        branch: 'feature/a',
        head: '1111111111111111111111111111111111111111',
        bare: false,
        detached: false,
      },
      { path: '/srv/wt/b c', head: '2222222222222222222222222222222222222222', bare: false, detached: true },
    ]);
  });
});
