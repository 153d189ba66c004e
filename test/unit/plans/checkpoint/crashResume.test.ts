import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleScript, useTempDirs } from '../../helpers';

const tempDir = useTempDirs();

function effects(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

describe('a LangGraph run on JsonFileSaver killed with SIGKILL', () => {
  it('resumes in a new process from its last checkpoint, running no finished node twice', async () => {
    const dir = tempDir();
    const bundle = await bundleScript('test/unit/plans/checkpoint/crashRun.ts', dir);
    const env = {
      ...process.env,
      CHECKPOINT_ROOT: path.join(dir, 'checkpoints'),
      EFFECTS_FILE: path.join(dir, 'effects.txt'),
    };

    const first = spawn(process.execPath, [bundle], { env: { ...env, HANG_AT: 'node6' }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.on('exit', (_code, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 20_000;
    while (!effects(env.EFFECTS_FILE).includes('node6:started')) {
      if (Date.now() > deadline)
        throw new Error(`node6 never started: ${effects(env.EFFECTS_FILE).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(effects(env.EFFECTS_FILE)).toEqual([
      'node0',
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'node6:started',
    ]);

    const second = spawnSync(process.execPath, [bundle], { env: { ...env, RESUME: '1' }, encoding: 'utf8' });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ done: 10 });
    expect(effects(env.EFFECTS_FILE)).toEqual([
      'node0',
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'node6:started',
      'node6',
      'node7',
      'node8',
      'node9',
    ]);
  });
});
