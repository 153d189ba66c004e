import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../../extension/core/decisions';
import { ErrorCode, type FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { createDesignModel, replan } from '../../../extension/core/plans/designer';
import type { RunRecord } from '../../../extension/core/plans/executor/runRecord';
import { runPlan } from '../../../extension/core/plans/executor';
import { PlanStore } from '../../../extension/core/plans/planStore';
import { startFakeModel } from '../../fixtures/fake-model/server.mjs';
import { caught, repoRoot, useTempDirs } from '../helpers';
import { effect, effects, valid } from './executor/executorFixtures';

// Re-planning from the record of a real run (the executor on local tasks, JSON checkpoints): the done work is
// left out, the rest runs in a new run, and nothing done runs twice.
const tempDir = useTempDirs();

function workspace(): { workspace: string; stateDir: string } {
  const dir = tempDir();
  return { workspace: dir, stateDir: path.join(dir, '.fleetai', 'state') };
}

/** a, b, then a conditional on b's status whose branch c fails until fixed.txt exists, then d. */
function plan() {
  return valid(
    [
      { type: 'sequence', id: 'main', title: 'Main', children: ['first', 'gate', 'd'] },
      { type: 'parallel', id: 'first', title: 'First', children: ['a', 'b'] },
      effect('a'),
      effect('b'),
      {
        type: 'conditional',
        id: 'gate',
        title: 'b done?',
        condition: { equals: ['$.nodes.b.status', 'done'] },
        then: 'c',
        else: 'never',
      },
      effect('c', {
        retries: 0,
        action: { kind: 'script', script: 'test -f fixed.txt && echo c >> effects.txt' },
      }),
      effect('never'),
      effect('d'),
    ],
    'main',
    { goal: 'Run a, b, c and d' },
  );
}

describe('replan', () => {
  it('leaves the done nodes out, keeps the rest, and the new run does not repeat them', async () => {
    const ws = workspace();
    const original = plan();
    const store = new PlanStore({ stateDir: ws.stateDir });
    const v1 = await store.save(original);
    const first = await runPlan({ plan: original, ...ws, planVersion: v1.version });
    expect(first.status).toBe('failed');
    expect(effects(ws.workspace)).toEqual(expect.arrayContaining(['a', 'b']));
    expect(first.record.nodes).toMatchObject({
      a: { status: 'done' },
      b: { status: 'done' },
      c: { status: 'failed' },
      d: { status: 'skipped' },
    });

    const outcome = await replan({ plan: original, run: first.record, store });
    expect(outcome.removed).toEqual(['first', 'a', 'b']);
    expect(outcome.plan.nodes.map((n) => n.id)).toEqual(['main', 'gate', 'c', 'never', 'd']);
    expect(outcome.plan.nodes[0]).toMatchObject({ children: ['gate', 'd'] });
    // The condition read b, which is gone: it reads what the run recorded instead.
    expect(outcome.plan.nodes[1]).toMatchObject({
      condition: { equals: ['$.inputs.prior_b_status', 'done'] },
    });
    expect(outcome.plan.inputs).toEqual({ prior_b_status: 'done' });
    expect(outcome.note).toBe(`replanned from ${first.thread}`);
    expect(outcome.saved).toMatchObject({ version: 2, created: true });
    const versions = await store.versions(original.id);
    expect(versions.map((v) => [v.version, v.note])).toEqual([
      [1, undefined],
      [2, `replanned from ${first.thread}`],
    ]);

    writeFileSync(path.join(ws.workspace, 'fixed.txt'), '');
    const second = await runPlan({ plan: outcome.plan, ...ws, planVersion: 2 });
    expect(second.status).toBe('done');
    const done = effects(ws.workspace);
    expect(done.filter((e) => e === 'a')).toHaveLength(1);
    expect(done.filter((e) => e === 'b')).toHaveLength(1);
    expect(done.slice(-2)).toEqual(['c', 'd']);
    expect(done).not.toContain('never');
  });

  it('takes a new goal, and refuses a run of another plan or a run with nothing left', async () => {
    const ws = workspace();
    const original = plan();
    writeFileSync(path.join(ws.workspace, 'fixed.txt'), '');
    const run = await runPlan({ plan: original, ...ws });
    expect(run.status).toBe('done');
    const nothing = await caught(() => replan({ plan: original, run: run.record }));
    expect((nothing as FleetError).code).toBe(ErrorCode.PlanInvalid);
    expect((nothing as FleetError).message).toContain('nothing is left');

    const other = { ...original, id: 'other-plan' };
    const wrong = await caught(() => replan({ plan: other, run: run.record }));
    expect((wrong as FleetError).code).toBe(ErrorCode.ConfigInvalid);

    const partial = {
      ...run.record,
      nodes: { ...run.record.nodes, d: { status: 'pending' as const }, main: { status: 'running' as const } },
    };
    const outcome = await replan({ plan: original, run: partial, goal: 'Only d now' });
    expect(outcome.plan.goal).toBe('Only d now');
    expect(outcome.plan.nodes.map((n) => n.id)).toEqual(['main', 'd']);
    expect(outcome.saved).toBeUndefined();
  });
});

describe('replan with a model and a new goal', () => {
  it("sends the run's state to the model and saves its design as the plan's next version", async () => {
    const server = await startFakeModel({ keepBodies: true });
    try {
      const ws = workspace();
      const original = plan();
      const store = new PlanStore({ stateDir: ws.stateDir });
      await store.save(original);
      // A record as the executor writes it: the parallel block done, the conditional's branch failed.
      const run: RunRecord = {
        planId: original.id,
        thread: 'exec-plan-20261121T130000000Z',
        planVersion: 1,
        workspace: ws.workspace,
        status: 'failed',
        started: '2026-11-21T13:00:00.000Z',
        updated: '2026-11-21T13:00:09.000Z',
        waits: [],
        nodes: {
          main: { status: 'failed' },
          first: { status: 'done' },
          a: { status: 'done', attempts: 1 },
          b: { status: 'done', attempts: 1 },
          gate: { status: 'failed' },
          c: { status: 'failed', attempts: 1, error: 'exit code 1' },
          never: { status: 'skipped' },
          d: { status: 'skipped' },
        },
        markedForHuman: [],
      };
      const settings = await resolveModelSettings({
        settings: { baseUrl: `${server.url}/v1`, model: 'fake-design', apiKey: 'k' },
        env: {},
      });
      const outcome = await replan({
        plan: original,
        run,
        goal: 'Finish c and d, then ask before merging',
        store,
        model: createDesignModel(settings!, { log: createMemoryLog() }),
        builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      });
      expect(outcome).toMatchObject({ source: 'model', attempts: 1, removed: ['first', 'a', 'b'] });
      expect(outcome.plan.id).toBe(original.id);
      expect(outcome.plan.goal).toBe('Finish c and d, then ask before merging');
      expect(outcome.saved).toMatchObject({ version: 2, created: true });
      expect((await store.load(original.id, 2))?.note).toBe('replanned from exec-plan-20261121T130000000Z');

      const requests = server.requests.filter((r) => r.fleetai === 'design');
      expect(requests).toHaveLength(1);
      const body = requests[0]!.body as { input: { content: string }[] };
      const input = JSON.parse(body.input.map((m) => m.content).join('')) as {
        goal: string;
        context: {
          replanning_from_run: string;
          done: { id: string }[];
          not_done: { id: string; status: string; error?: string }[];
          remaining_plan: { nodes: { id: string }[] };
        };
      };
      expect(input.goal).toBe('Finish c and d, then ask before merging');
      expect(input.context.replanning_from_run).toBe('exec-plan-20261121T130000000Z');
      expect(input.context.done.map((d) => d.id)).toEqual(['first', 'a', 'b']);
      expect(input.context.not_done).toContainEqual({ id: 'c', status: 'failed', error: 'exit code 1' });
      expect(input.context.remaining_plan.nodes.map((n) => n.id)).toEqual([
        'main',
        'gate',
        'c',
        'never',
        'd',
      ]);
    } finally {
      await server.close();
    }
  });
});
