import fc from 'fast-check';
import type { PlanInput, PlanNodeInput } from '../../../extension/core/plans/planSchema';

/** A small local task, the leaf most tests need. */
export function task(id: string, extra: Partial<PlanNodeInput> = {}): PlanNodeInput {
  return {
    type: 'local_task',
    id,
    title: `Task ${id}`,
    action: { kind: 'command', command: 'node', args: ['--version'] },
    ...extra,
  } as PlanNodeInput;
}

export function plan(
  nodes: PlanNodeInput[],
  root = nodes[0]?.id ?? 'main',
  extra: Partial<PlanInput> = {},
): PlanInput {
  return { schemaVersion: 1, id: 'test-plan', title: 'Test plan', root, nodes, ...extra };
}

/** The shape of a plan's tree, before ids are given out. */
export type Tree =
  | { kind: 'leaf' }
  | { kind: 'approval' }
  | { kind: 'sequence' | 'parallel'; children: Tree[] }
  | { kind: 'conditional'; then: Tree; else?: Tree }
  | { kind: 'loop'; body: Tree };

/** Trees of every construct, up to a few levels deep. */
export const treeArbitrary: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Tree>({ kind: 'leaf' }),
    fc.constant<Tree>({ kind: 'approval' }),
    fc.record({
      kind: fc.constantFrom('sequence' as const, 'parallel' as const),
      children: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }),
    }),
    fc.record(
      { kind: fc.constant('conditional' as const), then: tie('tree'), else: tie('tree') },
      { requiredKeys: ['kind', 'then'] },
    ),
    fc.record({ kind: fc.constant('loop' as const), body: tie('tree') }),
  ),
})).tree;

export interface BuiltPlan {
  plan: PlanInput & { nodes: PlanNodeInput[] };
  /** Each node's id -> the ids of its ancestors, nearest first. */
  ancestors: Map<string, string[]>;
}

/**
 * Gives the tree's nodes ids (n0 is the root) and lays them out in the order `order` says (a permutation
 * seed), so that file order never matches tree order by accident. Conditions read an earlier leaf when one
 * exists (a sibling before them in a sequence), otherwise an input.
 */
export function buildPlan(tree: Tree, shuffleKeys: number[] = []): BuiltPlan {
  const nodes: PlanNodeInput[] = [];
  const ancestors = new Map<string, string[]>();
  let next = 0;
  const visit = (t: Tree, chain: string[]): string => {
    const id = `n${next++}`;
    ancestors.set(id, chain);
    const inner = [id, ...chain];
    switch (t.kind) {
      case 'leaf':
        nodes.push(task(id));
        break;
      case 'approval':
        nodes.push({ type: 'human_approval', id, title: `Approve ${id}`, question: 'Go on?' });
        break;
      case 'sequence':
      case 'parallel': {
        const node = { type: t.kind, id, title: `${t.kind} ${id}`, children: [] as string[] };
        nodes.push(node);
        for (const child of t.children) node.children.push(visit(child, inner));
        break;
      }
      case 'conditional': {
        const node: Extract<PlanNodeInput, { type: 'conditional' }> = {
          type: 'conditional',
          id,
          title: `if ${id}`,
          condition: { equals: ['$.inputs.flag', true] },
          then: '',
        };
        nodes.push(node);
        node.then = visit(t.then, inner);
        if (t.else) node.else = visit(t.else, inner);
        break;
      }
      case 'loop': {
        const node: Extract<PlanNodeInput, { type: 'loop' }> = {
          type: 'loop',
          id,
          title: `loop ${id}`,
          body: '',
          maxIterations: 3,
          until: { greaterThan: [`$.nodes.${id}.iterations`, 1] },
        };
        nodes.push(node);
        node.body = visit(t.body, inner);
        break;
      }
    }
    return id;
  };
  visit(tree, []);
  const keyed = nodes.map((node, i) => ({
    node,
    key: shuffleKeys[i % Math.max(1, shuffleKeys.length)] ?? 0,
    i,
  }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return {
    plan: {
      schemaVersion: 1,
      id: 'generated',
      title: 'Generated',
      root: 'n0',
      inputs: { flag: true },
      nodes: keyed.map((k) => k.node),
    },
    ancestors,
  };
}

/** A chain of `count` leaves under one sequence, nested in blocks of ten: the bench's shape, smaller. */
export function largePlan(count: number): PlanInput {
  const nodes: PlanNodeInput[] = [{ type: 'sequence', id: 'main', title: 'Main', children: [] }];
  const main = nodes[0] as { children: string[] };
  let made = 1;
  for (let block = 0; made < count; block++) {
    const kind = block % 3 === 0 ? 'parallel' : 'sequence';
    const blockId = `block${block}`;
    const children: string[] = [];
    nodes.push({ type: kind, id: blockId, title: `Block ${block}`, children });
    main.children.push(blockId);
    made++;
    for (let i = 0; i < 9 && made < count; i++, made++) {
      const id = `t${block}_${i}`;
      children.push(id);
      nodes.push(task(id));
    }
    if (children.length === 0) {
      children.push(`t${block}_x`);
      nodes.push(task(`t${block}_x`));
      made++;
    }
  }
  return plan(nodes, 'main');
}
