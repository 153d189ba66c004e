import { execFileSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultOrchestratorConfig } from '../../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../../extension/core/observability/appLog';
import { PaneRegistry } from '../../../../extension/core/panes/paneRegistry';
import { nodePtyHost } from '../../../../extension/core/panes/ptyHost';
import { registryPaneDriver } from '../../../../extension/core/plans/agents/registryDriver';
import { workspacePaths } from '../../../../extension/core/workspacePaths';
import { repoRoot, useTempDirs } from '../../helpers';

// The CLI's pane driver on a real PaneRegistry (a real shell in a real pty) and real git worktrees.

const tempDir = useTempDirs();
let registry: PaneRegistry | undefined;
afterEach(async () => {
  await registry?.disposeAll();
  registry = undefined;
});

function gitRepo(): string {
  const dir = realpathSync(tempDir());
  const repo = path.join(dir, 'repo');
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(path.join(repo, 'README.md'), 'x\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'first');
  return repo;
}

describe('registryPaneDriver', () => {
  it('starts a pane in the workspace, or in the worktree of its branch (made with the branch), and stops it', async () => {
    const repo = gitRepo();
    const log = createMemoryLog();
    registry = new PaneRegistry({
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      paths: workspacePaths(repo),
      ptyHost: nodePtyHost(),
      log,
      headless: true,
      hookCli: false,
    });
    const config = defaultOrchestratorConfig();
    config.agents.shell = { bin: '/bin/sh', extra_args: [], env: {} };
    const driver = registryPaneDriver({ registry, config, workspace: repo, log });
    const plain = await driver.start({ kind: 'shell', name: 'plan-shell' });
    const onBranch = await driver.start({ kind: 'shell', name: 'plan-shell-feature', branch: 'feature' });
    const again = await driver.start({ kind: 'shell', name: 'plan-shell' });
    expect([plain.id, onBranch.id, again.id]).toEqual(['plan-shell', 'plan-shell-feature', 'plan-shell-2']);
    expect(plain.cwd).toBe(repo);
    expect(onBranch.cwd).toBe(path.join(path.dirname(repo), 'repo.worktrees', 'feature'));
    const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], {
      cwd: onBranch.cwd,
      encoding: 'utf8',
    }).trim();
    expect(branch).toBe('feature');
    expect(driver.find('plan-shell')?.id).toBe('plan-shell');
    expect(driver.find('nope')).toBeUndefined();
    expect(driver.known()).toEqual(['plan-shell', 'plan-shell-feature', 'plan-shell-2']);
    await driver.stop('plan-shell');
    expect(driver.known()).toEqual(['plan-shell-feature', 'plan-shell-2']);
  });
});
