import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { runPlan } from '../../../extension/core/plans/executor';
import type { RunRecord } from '../../../extension/core/plans/executor/runRecord';
import { controlState, planGraphSnapshot } from '../../../extension/core/plans/planGraphSnapshot';
import { validatePlanText } from '../../../extension/core/plans/planFile';
import { NODE_STATUSES, NODE_TYPES, type Plan } from '../../../extension/core/plans/planSchema';
import { PLAN_NODE_STATES, PLAN_NODE_TYPES, PlanGraphSnapshot } from '../../../extension/protocol/messages';
import { repoRoot, useTempDirs } from '../helpers';
import { effect, valid } from './executor/executorFixtures';

const tempDir = useTempDirs();

function autoPlan(): Plan {
  const validation = validatePlanText(
    readFileSync(path.join(repoRoot, 'config/plans/auto.plan.json'), 'utf8'),
  );
  if (!validation.plan) throw new Error('config/plans/auto.plan.json does not validate');
  return validation.plan;
}

function record(nodes: RunRecord['nodes'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    planId: 'exec-plan',
    thread: 'exec-plan-1',
    workspace: '/w',
    status: 'running',
    started: '2026-11-21T10:00:00.000Z',
    updated: '2026-11-21T10:00:05.000Z',
    waits: [],
    nodes,
    markedForHuman: [],
    ...extra,
  };
}

describe('planGraphSnapshot', () => {
  it('the protocol repeats the Plan Schema vocabularies exactly (node types plus join, node states)', () => {
    expect([...PLAN_NODE_TYPES].sort()).toEqual([...NODE_TYPES, 'join'].sort());
    expect([...PLAN_NODE_STATES].sort()).toEqual([...NODE_STATUSES].sort());
  });

  it('draws a plan without a run: every node of planFlow, joins included, all pending, in the protocol shape', () => {
    const plan = autoPlan();
    const snapshot = planGraphSnapshot(plan, undefined, () => new Date('2026-11-21T10:00:00Z'));
    expect(PlanGraphSnapshot.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({ runId: 'auto', planId: 'auto', updatedAt: '2026-11-21T10:00:00.000Z' });
    expect(snapshot.runStatus).toBeUndefined();
    expect(snapshot.nodes.map((n) => n.id)).toContain('checks:join');
    expect(snapshot.nodes.find((n) => n.id === 'checks:join')).toMatchObject({
      type: 'join',
      parent: 'checks',
    });
    expect(snapshot.nodes.find((n) => n.id === 'tick')).toMatchObject({ parent: 'poll', type: 'local_task' });
    expect(snapshot.nodes.every((n) => n.state === 'pending')).toBe(true);
    expect(snapshot.edges).toContainEqual({ from: 'tick', to: 'poll', kind: 'repeat' });
    expect(snapshot.edges).toContainEqual({ from: 'choose', to: 'no-summary', kind: 'else' });
    expect(snapshot.nodes.find((n) => n.id === 'approve')).toMatchObject({
      requiresApproval: true,
      riskLevel: 'medium',
    });
  });

  it('takes the recorded states, the request a node waits for, its output, error and times', () => {
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'gate', 'b'] },
        effect('a'),
        { type: 'human_approval', id: 'gate', title: 'Ship it?', question: 'Ship?', riskLevel: 'high' },
        effect('b'),
      ],
      'main',
    );
    const snapshot = planGraphSnapshot(
      plan,
      record(
        {
          a: {
            status: 'done',
            attempts: 2,
            error: 'first try failed',
            outputExcerpt: 'x'.repeat(9000),
            startedAt: '2026-11-21T10:00:01.000Z',
            finishedAt: '2026-11-21T10:00:02.000Z',
          },
          gate: { status: 'running' },
        },
        { status: 'waiting_approval', waits: [{ node: 'gate', requestId: 'req-1' }] },
      ),
    );
    expect(PlanGraphSnapshot.parse(snapshot)).toEqual(snapshot);
    const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
    expect(byId.get('a')).toMatchObject({
      state: 'done',
      attempts: 2,
      error: 'first try failed',
      startedAt: '2026-11-21T10:00:01.000Z',
      finishedAt: '2026-11-21T10:00:02.000Z',
    });
    expect(byId.get('a')?.outputExcerpt).toHaveLength(8000);
    // The wait wins over a stale recorded state; the sequence around it is running, not waiting.
    expect(byId.get('gate')).toMatchObject({ state: 'waiting_approval', requestId: 'req-1' });
    expect(byId.get('main')?.state).toBe('running');
    expect(byId.get('b')).toMatchObject({ state: 'pending', attempts: 0 });
    expect(byId.get('b')?.requestId).toBeUndefined();
    expect(snapshot).toMatchObject({ runId: 'exec-plan-1', runStatus: 'waiting_approval' });
    expect(snapshot.updatedAt).toBe('2026-11-21T10:00:05.000Z');
  });

  it('derives control nodes and joins from their children when the record lacks them', () => {
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['fan', 'pick'] },
        { type: 'parallel', id: 'fan', title: 'Fan', children: ['p1', 'p2'] },
        effect('p1'),
        effect('p2'),
        {
          type: 'conditional',
          id: 'pick',
          title: 'Pick',
          condition: { equals: [1, 1] },
          then: 'yes',
          else: 'no',
        },
        effect('yes'),
        effect('no'),
      ],
      'main',
    );
    const state = (nodes: RunRecord['nodes'], status: RunRecord['status'] = 'running') =>
      new Map(planGraphSnapshot(plan, record(nodes, { status })).nodes.map((n) => [n.id, n.state]));

    const half = state({ p1: { status: 'done' }, p2: { status: 'running' } });
    expect([half.get('fan'), half.get('fan:join'), half.get('main')]).toEqual([
      'running',
      'pending',
      'running',
    ]);

    const failed = state({ p1: { status: 'done' }, p2: { status: 'failed' } }, 'failed');
    expect([failed.get('fan'), failed.get('fan:join'), failed.get('main')]).toEqual([
      'failed',
      'failed',
      'failed',
    ]);

    const done = state({ p1: { status: 'done' }, p2: { status: 'done' }, yes: { status: 'done' } }, 'done');
    expect([done.get('fan'), done.get('fan:join'), done.get('pick'), done.get('main')]).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(done.get('no')).toBe('pending');

    // A recorded control state is kept as it is.
    expect(state({ fan: { status: 'skipped' } }).get('fan')).toBe('skipped');
  });

  it('controlState: between two steps a block is running while the run goes on, done once it is over', () => {
    const [seq] = valid(
      [{ type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b'] }, effect('a'), effect('b')],
      'main',
    ).nodes;
    expect(controlState(seq!, ['done', 'pending'], false)).toBe('running');
    expect(controlState(seq!, ['done', 'pending'], true)).toBe('done');
    expect(controlState(seq!, ['skipped', 'skipped'], false)).toBe('skipped');
    expect(controlState(seq!, ['pending', 'pending'], false)).toBe('pending');
  });

  it('follows a real run of config/plans/auto.plan.json to its approval', async () => {
    const workspace = tempDir();
    const stateDir = path.join(workspace, '.fleetai', 'state');
    const approvals = ApprovalStore.forWorkspace({ approvalsDir: path.join(stateDir, 'approvals') });
    const plan = autoPlan();
    const first = await runPlan({
      plan,
      workspace,
      stateDir,
      approvals,
      wait: false,
      checkpointer: 'memory',
    });
    expect(first.status).toBe('waiting_approval');
    const waiting = planGraphSnapshot(plan, first.record);
    const byId = new Map(waiting.nodes.map((n) => [n.id, n]));
    const [request] = await approvals.pending();
    expect(byId.get('approve')).toMatchObject({ state: 'waiting_approval', requestId: request!.id });
    expect(byId.get('publish')?.state).toBe('pending');
    expect(byId.get('node-version')?.outputExcerpt).toContain(process.version);
    expect(byId.get('checks:join')?.state).toBe('done');
    expect(byId.get('no-summary')?.state).not.toBe('done');
    expect(byId.get('main')?.state).toBe('running');
    expect(waiting.nodes.filter((n) => n.state === 'waiting_approval').map((n) => n.id)).toEqual(['approve']);
  });
});
