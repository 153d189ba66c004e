import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleScript, useTempDirs } from '../../helpers';
import { effects } from './executorFixtures';

const tempDir = useTempDirs();

/** Saved writes of the tasks of the newest checkpoint (one file per finished task of the running step). */
function savedWritesOfNewestStep(workspace: string): number {
  const dir = path.join(workspace, '.fleetai/state/checkpoints/crash-plan/root');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const newest = names
    .filter((name) => name.endsWith('.checkpoint.json'))
    .sort()
    .at(-1)
    ?.replace('.checkpoint.json', '');
  return newest
    ? names.filter((name) => name.startsWith(`${newest}.`) && name.endsWith('.writes.json')).length
    : 0;
}

describe('a plan run killed with SIGKILL', () => {
  it('keeps the nodes that finished in the step it was killed in (their writes were saved)', async () => {
    const dir = tempDir();
    const bundle = await bundleScript('test/unit/plans/executor/crashRunPlan.ts', dir);
    const workspace = path.join(dir, 'ws');
    await import('node:fs/promises').then((fs) => fs.mkdir(workspace));
    const env = { ...process.env, WORKSPACE: workspace, SCENARIO: 'parallel' };
    const first = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    first.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.on('exit', (_c, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 30_000;
    // p1, p2 and hang run in one step; kill once p1's and p2's writes are on disk, while hang still runs.
    while (!(out.includes('p1 done') && out.includes('p2 done') && savedWritesOfNewestStep(workspace) >= 2)) {
      if (Date.now() > deadline) throw new Error(`p1 and p2 never saved: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toContain('hang done');

    const second = spawnSync(process.execPath, [bundle], {
      env: { ...env, THREAD: 'crash-plan', HANG_SECONDS: '0.1' },
      encoding: 'utf8',
    });
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain('result done');
    expect(second.stdout).toMatch(/^hang running$/m);
    expect(second.stdout).not.toMatch(/^(s0|p1|p2) running$/m);
    expect(effects(workspace).sort()).toEqual(['p1', 'p2', 's0', 's3']);
  });

  it('resumes from its last JSON checkpoint in a new process with no finished node run twice', async () => {
    const dir = tempDir();
    const bundle = await bundleScript('test/unit/plans/executor/crashRunPlan.ts', dir);
    const workspace = path.join(dir, 'ws');
    await import('node:fs/promises').then((fs) => fs.mkdir(workspace));
    const env = { ...process.env, WORKSPACE: workspace };

    const first = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    first.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.on('exit', (_c, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 30_000;
    // `hang running` is printed inside the hang node: the steps before it are checkpointed by then (sync).
    while (!out.includes('hang running')) {
      if (Date.now() > deadline) throw new Error(`hang never started: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(effects(workspace).sort()).toEqual(['p1', 'p2', 's0']);

    // The resumed run uses a short timer so the test does not wait a minute; the plan is otherwise the same.
    const second = spawnSync(process.execPath, [bundle], {
      env: { ...env, THREAD: 'crash-plan', HANG_SECONDS: '0.1' },
      encoding: 'utf8',
    });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('result done');
    expect(second.stdout).not.toMatch(/^(s0|p1|p2) running$/m);
    const lines = effects(workspace);
    expect(lines.slice().sort()).toEqual(['p1', 'p2', 's0', 's3']);
    expect(lines.at(-1)).toBe('s3');
  });
});
