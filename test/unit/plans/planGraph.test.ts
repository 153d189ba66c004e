import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexPlan, joinId, planFlow, type FlowEdge } from '../../../extension/core/plans/planGraph';
import type { Plan } from '../../../extension/core/plans/planSchema';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { buildPlan, plan, task, treeArbitrary } from './planFixtures';

function valid(input: unknown): Plan {
  const result = validatePlan(input);
  expect(result.problems).toEqual([]);
  return result.plan!;
}

const edge = (from: string, to: string, kind: FlowEdge['kind']): FlowEdge => ({ from, to, kind });

describe('planFlow', () => {
  it('wires a sequence, a parallel block with its join, a conditional and a loop', () => {
    const flow = planFlow(
      valid(
        plan(
          [
            { type: 'sequence', id: 'main', title: 'Main', children: ['fan', 'if', 'again'] },
            { type: 'parallel', id: 'fan', title: 'Fan', children: ['a', 'b'] },
            task('a'),
            task('b'),
            {
              type: 'conditional',
              id: 'if',
              title: 'If',
              condition: { equals: ['$.inputs.x', 1] },
              then: 'c',
            },
            task('c'),
            { type: 'loop', id: 'again', title: 'Again', body: 'd', maxIterations: 2 },
            task('d'),
          ],
          'main',
          { inputs: { x: 1 } },
        ),
      ),
    );
    expect(flow.entry).toBe('main');
    expect(flow.exits).toEqual(['again']);
    expect(flow.nodes.map((n) => n.id)).toEqual([
      'main',
      'fan',
      joinId('fan'),
      'if',
      'again',
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(new Set(flow.edges.map((e) => JSON.stringify(e)))).toEqual(
      new Set(
        [
          edge('main', 'fan', 'start'),
          edge('fan', 'a', 'fork'),
          edge('fan', 'b', 'fork'),
          edge('a', 'fan:join', 'join'),
          edge('b', 'fan:join', 'join'),
          edge('fan:join', 'if', 'next'),
          edge('if', 'c', 'then'),
          // No else: the conditional itself, and its branch, both lead on.
          edge('c', 'again', 'next'),
          edge('if', 'again', 'next'),
          edge('again', 'd', 'body'),
          edge('d', 'again', 'repeat'),
        ].map((e) => JSON.stringify(e)),
      ),
    );
  });

  it('for any valid plan: every node is reached from the entry, and only repeat edges close cycles', () => {
    fc.assert(
      fc.property(treeArbitrary, (tree) => {
        const p = valid(buildPlan(tree).plan);
        const flow = planFlow(p, indexPlan(p));
        const ids = flow.nodes.map((n) => n.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(flow.nodes.filter((n) => n.role === 'node')).toHaveLength(p.nodes.length);

        const out = new Map<string, FlowEdge[]>();
        for (const e of flow.edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
        const reached = new Set([flow.entry]);
        const queue = [flow.entry];
        while (queue.length > 0) {
          for (const e of out.get(queue.pop()!) ?? []) {
            if (reached.has(e.to)) continue;
            reached.add(e.to);
            queue.push(e.to);
          }
        }
        expect([...reached].sort()).toEqual([...ids].sort());

        // Kahn's algorithm over the edges that are not repeat edges must consume every node.
        const forward = flow.edges.filter((e) => e.kind !== 'repeat');
        const indegree = new Map(ids.map((id) => [id, 0]));
        for (const e of forward) indegree.set(e.to, indegree.get(e.to)! + 1);
        const ready = ids.filter((id) => indegree.get(id) === 0);
        let seen = 0;
        while (ready.length > 0) {
          const id = ready.pop()!;
          seen++;
          for (const e of forward.filter((f) => f.from === id)) {
            indegree.set(e.to, indegree.get(e.to)! - 1);
            if (indegree.get(e.to) === 0) ready.push(e.to);
          }
        }
        expect(seen).toBe(ids.length);
        const loops = p.nodes.filter((n) => n.type === 'loop').length;
        expect(new Set(flow.edges.filter((e) => e.kind === 'repeat').map((e) => e.to)).size).toBe(loops);
      }),
      { numRuns: 150 },
    );
  });
});
