import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../../../extension/core/plans/executor/conditions';
import { schedule } from '../../../../extension/core/plans/executor/scheduler';
import type { NodeStates } from '../../../../extension/core/plans/executor/runState';
import { effect, valid } from './executorFixtures';

describe('schedule', () => {
  const plan = valid(
    [
      { type: 'sequence', id: 'main', title: 'Main', children: ['fan', 'last'] },
      { type: 'parallel', id: 'fan', title: 'Fan', children: ['a', 'b', 'c'], maxConcurrency: 2 },
      effect('a'),
      effect('b'),
      effect('c'),
      effect('last'),
    ],
    'main',
  );

  it('runs at most maxConcurrency children of a parallel block at once, then the rest, then what follows', () => {
    const first = schedule(plan, {}, {});
    expect(first.ready).toEqual(['a', 'b']);
    expect(first.nodes.c?.status).toBe('pending');
    const afterA: NodeStates = { ...first.nodes, a: { status: 'done' } };
    // b is still "running" in this state only if the step had not ended; the scheduler runs between steps.
    const second = schedule(plan, { ...afterA, b: { status: 'done' } }, {});
    expect(second.ready).toEqual(['c']);
    const third = schedule(plan, { ...second.nodes, c: { status: 'done' } }, {});
    expect(third.ready).toEqual(['last']);
    expect(third.nodes.fan?.status).toBe('done');
    const end = schedule(plan, { ...third.nodes, last: { status: 'done' } }, {});
    expect(end).toMatchObject({ ready: [], outcome: 'done' });
  });

  it('stops at a failure without continueOnError and skips what never ran', () => {
    const failed = schedule(
      plan,
      { a: { status: 'failed' }, b: { status: 'done' }, c: { status: 'done' } },
      {},
    );
    expect(failed.outcome).toBe('failed');
    expect(failed.nodes.last?.status).toBe('skipped');
    expect(failed.nodes.fan?.status).toBe('failed');
  });
});

describe('evaluateCondition', () => {
  const nodes: NodeStates = {
    test: { status: 'done', output: { exitCode: 0, stdout: 'ok 12 tests', list: ['x', 'y'] }, attempts: 2 },
  };
  const inputs = { publish: true, n: 3 };

  it('reads node state and inputs by path and compares as data', () => {
    expect(evaluateCondition({ equals: ['$.nodes.test.status', 'done'] }, nodes, inputs)).toBe(true);
    expect(evaluateCondition({ equals: ['$.nodes.other.status', 'pending'] }, nodes, inputs)).toBe(true);
    expect(evaluateCondition({ contains: ['$.nodes.test.output.stdout', '12 tests'] }, nodes, inputs)).toBe(
      true,
    );
    expect(evaluateCondition({ contains: ['$.nodes.test.output.list', 'y'] }, nodes, inputs)).toBe(true);
    expect(evaluateCondition({ greaterThan: ['$.nodes.test.attempts', 1] }, nodes, inputs)).toBe(true);
    expect(evaluateCondition({ lessThan: ['$.inputs.n', 'x'] }, nodes, inputs)).toBe(false);
    expect(evaluateCondition({ exists: '$.nodes.test.error' }, nodes, inputs)).toBe(false);
    expect(
      evaluateCondition(
        { all: [{ equals: ['$.inputs.publish', true] }, { not: { notEquals: ['$.inputs.n', 3] } }] },
        nodes,
        inputs,
      ),
    ).toBe(true);
    expect(evaluateCondition({ any: [{ equals: ['$.inputs.n', 4] }] }, nodes, inputs)).toBe(false);
  });
});
