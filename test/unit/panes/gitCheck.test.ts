import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitTopLevel, isValidBranchName } from '../../../extension/core/panes/gitCheck';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

describe('isValidBranchName (git check-ref-format --branch)', () => {
  it('accepts what git accepts and refuses the rest', async () => {
    const cwd = tempDir();
    for (const good of ['feature/x', 'fix-1.2', 'user/topic_name']) {
      expect(await isValidBranchName(good, cwd), good).toBe(true);
    }
    for (const bad of [
      '',
      ' ',
      'has space',
      'a..b',
      'x~1',
      'a^',
      'a:b',
      'q?',
      'st*r',
      '[x',
      '-lead',
      'x.lock',
      '@{-1}',
      ' padded',
    ]) {
      expect(await isValidBranchName(bad, cwd), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('gitTopLevel', () => {
  it('finds the top of the repository from a folder inside it, and nothing outside one', async () => {
    const outside = tempDir();
    expect(await gitTopLevel(outside)).toBeUndefined();
    const repo = realpathSync(tempDir());
    execFileSync('git', ['init', '--quiet', repo]);
    const inner = path.join(repo, 'src', 'deep');
    mkdirSync(inner, { recursive: true });
    expect(await gitTopLevel(inner)).toBe(repo);
  });
});
