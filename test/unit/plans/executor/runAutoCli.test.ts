import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../../../extension/cli/program';
import { ApprovalStore } from '../../../../extension/core/approvals';
import { repoRoot, useTempDirs } from '../../helpers';

const tempDir = useTempDirs();
const autoPlan = path.join(repoRoot, 'config/plans/auto.plan.json');

let saved: { exitCode: typeof process.exitCode; locale: string | undefined };
beforeEach(() => {
  saved = { exitCode: process.exitCode, locale: process.env.FLEETAI_LOCALE };
  process.env.FLEETAI_LOCALE = 'en';
  process.exitCode = undefined;
});
afterEach(() => {
  process.exitCode = saved.exitCode;
  if (saved.locale === undefined) delete process.env.FLEETAI_LOCALE;
  else process.env.FLEETAI_LOCALE = saved.locale;
});

async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  let out = '';
  let err = '';
  const program = createProgram({ out: (t) => (out += t), err: (t) => (err += t) });
  await program.parseAsync(args, { from: 'user' });
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, exitCode };
}

describe('fleet run:auto', () => {
  it('runs the example plan to its approval (exit 2), and finishes it after the approval is decided', async () => {
    const ws = tempDir();
    const first = await run('run:auto', autoPlan, '-w', ws, '--no-wait');
    expect(first.exitCode).toBe(2);
    expect(first.out).toMatch(/^running plan "auto" \(v1\) as (auto-\S+)$/m);
    expect(first.out).toMatch(/\d\d:\d\d:\d\d {2}node-version +done$/m);
    expect(first.out).toMatch(/ no-summary +skipped$/m);
    expect(first.out).toMatch(/ approve +waiting_approval {2}approval \S+$/m);
    const thread = /as (\S+)\n/.exec(first.out)![1]!;
    expect(readFileSync(path.join(ws, 'auto-output/ticks.txt'), 'utf8')).toBe('tick\ntick\ntick\n');
    expect(existsSync(path.join(ws, 'auto-output/published.txt'))).toBe(false);

    const status = await run('plan:status', '-w', ws);
    expect(status.out).toContain(`${thread}  waiting_approval  v1`);

    // Decided the way `fleet approvals:approve ID` does when no supervisor runs: in the workspace's store.
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws, '.fleetai/state/approvals') });
    const [request] = await store.pending();
    expect(request).toMatchObject({ pane: 'plan:auto', risk: 'medium', source: 'fleet' });
    await store.decide(request!.id, 'approve', { by: 'cli' });

    const second = await run('run:auto', autoPlan, '-w', ws, '--resume', thread);
    expect(second.exitCode).toBe(0);
    expect(second.out).toContain(`run ${thread} done`);
    expect(second.out).not.toMatch(/ tick +running$/m);
    expect(readFileSync(path.join(ws, 'auto-output/published.txt'), 'utf8')).toContain('auto-run example');
    expect(readFileSync(path.join(ws, 'auto-output/ticks.txt'), 'utf8')).toBe('tick\ntick\ntick\n');

    const detail = await run('plan:status', thread, '-w', ws, '--json');
    expect(JSON.parse(detail.out)).toMatchObject({ status: 'done', nodes: { publish: { status: 'done' } } });
  });

  it('refuses a plan that does not validate, listing its problems, and runs nothing', async () => {
    const ws = tempDir();
    const file = path.join(ws, 'broken.plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'broken',
        title: 'Broken',
        root: 'main',
        nodes: [
          { type: 'sequence', id: 'main', title: 'Main', children: ['write', 'missing'] },
          {
            type: 'local_task',
            id: 'write',
            title: 'Write',
            retries: 11,
            action: { kind: 'file', operation: 'write', path: 'x.txt', content: 'x' },
          },
        ],
      }),
    );
    const result = await run('run:auto', file, '-w', ws);
    expect(result.exitCode).toBe(1);
    expect(result.out).toContain('missing');
    expect(result.out).toContain('retries');
    expect(result.out).toMatch(/not a valid plan: 2 errors/);
    expect(existsSync(path.join(ws, 'x.txt'))).toBe(false);
    expect(existsSync(path.join(ws, '.fleetai'))).toBe(false);
  });
});

describe('fleet plan:rollback', () => {
  it('saves an earlier version as the newest', async () => {
    const ws = tempDir();
    const plan = JSON.parse(readFileSync(autoPlan, 'utf8')) as { title: string };
    const file = path.join(ws, 'p.plan.json');
    writeFileSync(file, JSON.stringify(plan));
    expect((await run('run:auto', file, '-w', ws, '--no-wait', '--memory')).exitCode).toBe(2);
    writeFileSync(file, JSON.stringify({ ...plan, title: 'Changed title' }));
    expect((await run('run:auto', file, '-w', ws, '--no-wait', '--memory')).out).toContain('(v2)');
    const rolled = await run('plan:rollback', 'auto', '1', '-w', ws);
    expect(rolled.exitCode).toBe(0);
    expect(rolled.out).toBe('plan "auto" rolled back to v1 (saved as v3)\n');
    const v3 = JSON.parse(readFileSync(path.join(ws, '.fleetai/state/plans/auto/v3.json'), 'utf8')) as {
      plan: { title: string };
    };
    expect(v3.plan.title).toBe(plan.title);
    const missing = await run('plan:rollback', 'auto', '9', '-w', ws);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain('no version 9');
  });
});

describe('fleet plan:resume', () => {
  it('resumes only a run whose approval is answered and that nobody runs, from its stored plan version', async () => {
    const ws = tempDir();
    const first = await run('run:auto', autoPlan, '-w', ws, '--no-wait');
    expect(first.exitCode).toBe(2);
    const thread = /as (\S+)\n/.exec(first.out)![1]!;
    // Not answered yet: nothing to resume, nothing published.
    const early = await run('plan:resume', '-w', ws);
    expect(early.exitCode).toBe(0);
    expect(early.out).toContain('no run to resume');
    expect(existsSync(path.join(ws, 'auto-output/published.txt'))).toBe(false);

    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws, '.fleetai/state/approvals') });
    const [request] = await store.pending();
    await store.decide(request!.id, 'approve', { by: 'cli' });
    const resumed = await run('plan:resume', thread, '-w', ws);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.out).toContain(`run ${thread} done`);
    expect(readFileSync(path.join(ws, 'auto-output/published.txt'), 'utf8')).toContain('auto-run example');
    // The loop ran three times in the first process and not again.
    expect(readFileSync(path.join(ws, 'auto-output/ticks.txt'), 'utf8')).toBe('tick\ntick\ntick\n');
    const again = await run('plan:resume', '-w', ws);
    expect(again.out).toContain('no run to resume');
  });
});
