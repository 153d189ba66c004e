import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isFleetError } from '../../../extension/core/errors';
import type { PlanInput } from '../../../extension/core/plans/planSchema';
import { PlanStore } from '../../../extension/core/plans/planStore';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, useTempDirs } from '../helpers';
import { plan, task } from './planFixtures';

const tempDir = useTempDirs();

function store(): { store: PlanStore; stateDir: string } {
  const { stateDir } = workspacePaths(tempDir());
  let tick = 0;
  return {
    store: new PlanStore({ stateDir, now: () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)) }),
    stateDir,
  };
}

const v1: PlanInput = plan([{ type: 'sequence', id: 'main', title: 'Main', children: ['a'] }, task('a')]);
const v2: PlanInput = plan([
  { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b'] },
  task('a'),
  task('b'),
]);

describe('PlanStore', () => {
  it('writes each version to .fleetai/state/plans/<id>/v<N>.json, with the defaults filled in and a final newline', async () => {
    const { store: plans, stateDir } = store();
    expect(await plans.save(v1, { note: 'first' })).toMatchObject({ version: 1, created: true });
    expect(await plans.save(v2)).toMatchObject({ version: 2, created: true });
    const dir = path.join(stateDir, 'plans', 'test-plan');
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(['v1.json', 'v2.json']);
    const text = readFileSync(path.join(dir, 'v1.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const record = JSON.parse(text) as {
      version: number;
      note: string;
      savedAt: string;
      plan: { nodes: { retries?: number }[] };
    };
    expect(record).toMatchObject({ version: 1, note: 'first', savedAt: '2025-01-01T00:00:00.000Z' });
    expect(record.plan.nodes[1]!.retries).toBe(2);
  });

  it('does not save a plan equal to the newest version again', async () => {
    const { store: plans } = store();
    await plans.save(v1);
    expect(await plans.save(structuredClone(v1))).toMatchObject({ version: 1, created: false });
    expect((await plans.versions('test-plan')).map((v) => v.version)).toEqual([1]);
  });

  it('rolls back by restoring an old version as a new one, and lists the history', async () => {
    const { store: plans } = store();
    await plans.save(v1);
    await plans.save(v2);
    expect(await plans.restore('test-plan', 1)).toMatchObject({ version: 3, created: true });
    const latest = await plans.load('test-plan');
    expect(latest).toMatchObject({ version: 3, restoredFrom: 1, note: 'rollback to v1' });
    expect(latest!.plan.nodes.map((n) => n.id)).toEqual(['main', 'a']);
    expect(
      (await plans.versions('test-plan')).map((v) => [v.version, v.nodes, v.restoredFrom ?? null]),
    ).toEqual([
      [1, 2, null],
      [2, 3, null],
      [3, 2, 1],
    ]);
    // Restoring the newest is a no-op; the old versions are untouched.
    expect(await plans.restore('test-plan', 3)).toMatchObject({ version: 3, created: false });
    expect((await plans.load('test-plan', 2))!.plan.nodes).toHaveLength(3);
    expect(await plans.plans()).toMatchObject([{ planId: 'test-plan', version: 3 }]);
  });

  it('names the versions there are when asked for one that is not', async () => {
    const { store: plans } = store();
    await plans.save(v1);
    const error = await caught(() => plans.restore('test-plan', 7));
    expect(isFleetError(error) && error.message).toBe('Plan "test-plan" has no version 7 (versions: 1)');
    const none = await caught(() => plans.restore('other', 1));
    expect(isFleetError(none) && none.message).toMatch(/^There is no plan "other"/);
    expect(isFleetError(error) && error.code).toBe(ErrorCode.PlanNotFound);
    expect((await plans.plans()).map((p) => p.planId)).toEqual(['test-plan']);
    expect(existsSync(path.join(plans.dir, 'other'))).toBe(false);
  });

  it('refuses to save a plan that does not validate, listing its problems', async () => {
    const { store: plans, stateDir } = store();
    const broken = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'nope'] },
      task('a'),
    ]);
    const error = await caught(() => plans.save(broken));
    expect(isFleetError(error) && error.code).toBe(ErrorCode.PlanInvalid);
    expect((error as Error).message).toContain('nodes[0] (id "main"): children[1]: no node has id "nope"');
    expect(await plans.plans()).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
  });

  it('gives two saves racing from two stores (two processes) two versions', async () => {
    const { stateDir } = store();
    const a = new PlanStore({ stateDir });
    const b = new PlanStore({ stateDir });
    const results = await Promise.all([a.save(v1), b.save(v2), a.save(plan([task('solo')], 'solo'))]);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
    expect((await a.versions('test-plan')).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('refuses plan ids that are not folder names', async () => {
    const { store: plans } = store();
    const error = await caught(() => plans.load('../etc'));
    expect(isFleetError(error) && error.message).toBe(
      '"../etc" is not a plan id (letters, digits, ".", "_", "-")',
    );
    expect(isFleetError(error) && error.code).toBe(ErrorCode.PlanInvalid);
  });
});
