import { childReferences, isControlNode, MAX_PARALLEL, type Plan } from '../planSchema';
import { indexPlan, type PlanIndex } from '../planGraph';
import { evaluateCondition } from './conditions';
import type { NodeRunState, NodeStates } from './runState';

type BlockResult = 'done' | 'failed' | 'active';

export interface Schedule {
  /** Every node's state after this step's control decisions (branches taken, loops repeated). */
  nodes: NodeStates;
  /** Work nodes to run next, all at once (at most MAX_PARALLEL). */
  ready: string[];
  /** Set when nothing more will run. */
  outcome?: 'done' | 'failed';
}

/**
 * The control nodes of a plan, interpreted between LangGraph steps. Work nodes are graph nodes; after each step
 * this walks the plan's tree over the run state and decides what runs next: a sequence's first unfinished child,
 * every unfinished child of a parallel block (up to its maxConcurrency), the branch a conditional's condition
 * picks (the other is marked skipped), and a loop's body again (its states reset) until `until` holds or
 * maxIterations is reached. It is a pure function of the plan and the checkpointed state, so a resumed run
 * decides exactly as the crashed one would have.
 */
export function schedule(
  plan: Plan,
  current: NodeStates,
  inputs: Record<string, unknown>,
  index: PlanIndex = indexPlan(plan),
): Schedule {
  const nodes: NodeStates = structuredClone(current);
  const ready: string[] = [];
  const state = (id: string): NodeRunState => (nodes[id] ??= { status: 'pending' });

  const descendants = (id: string): string[] => {
    const node = index.byId.get(id);
    if (!node) return [];
    return childReferences(node).flatMap((ref) => [ref.id, ...descendants(ref.id)]);
  };
  const markSkipped = (id: string): void => {
    for (const each of [id, ...descendants(id)]) {
      if (state(each).status === 'pending') nodes[each] = { ...state(each), status: 'skipped' };
    }
  };
  const finish = (id: string, result: BlockResult): BlockResult => {
    const node = index.byId.get(id)!;
    if (isControlNode(node)) {
      const status = result === 'done' ? 'done' : result === 'failed' ? 'failed' : 'running';
      nodes[id] = { ...state(id), status };
    }
    return result;
  };

  const visit = (id: string): BlockResult => {
    const node = index.byId.get(id);
    if (!node) return 'done';
    switch (node.type) {
      case 'sequence': {
        for (const child of node.children) {
          const result = visit(child);
          if (result !== 'done') return finish(id, result);
        }
        return finish(id, 'done');
      }
      case 'parallel': {
        let active = 0;
        let failed = false;
        for (const child of node.children) {
          const childState = state(child).status;
          // A child not yet started waits while the block already runs maxConcurrency children.
          if (
            childState === 'pending' &&
            active >= node.maxConcurrency &&
            !isControlNode(index.byId.get(child)!)
          ) {
            continue;
          }
          const result = visit(child);
          if (result === 'active') active++;
          else if (result === 'failed') failed = true;
        }
        return finish(id, active > 0 ? 'active' : failed ? 'failed' : 'done');
      }
      case 'conditional': {
        const own = state(id);
        if (own.branch === undefined) {
          const holds = evaluateCondition(node.condition, nodes, inputs);
          const branch = holds ? 'then' : node.else !== undefined ? 'else' : 'none';
          nodes[id] = { ...own, branch, output: { branch } };
          if (branch !== 'then') markSkipped(node.then);
          if (branch !== 'else' && node.else !== undefined) markSkipped(node.else);
        }
        const branch = state(id).branch;
        if (branch === 'none') return finish(id, 'done');
        return finish(id, visit(branch === 'then' ? node.then : node.else!));
      }
      case 'loop': {
        for (;;) {
          const result = visit(node.body);
          if (result !== 'done') return finish(id, result);
          const iterations = (state(id).iterations ?? 0) + 1;
          nodes[id] = { ...state(id), iterations, output: { iterations } };
          const stop =
            iterations >= node.maxIterations ||
            (node.until !== undefined && evaluateCondition(node.until, nodes, inputs));
          if (stop) return finish(id, 'done');
          // Another pass: the body's nodes run again from pending (the until condition has read their outputs).
          for (const each of [node.body, ...descendants(node.body)]) {
            nodes[each] = { status: 'pending' };
          }
        }
      }
      default: {
        const own = state(id);
        if (own.status === 'done' || own.status === 'skipped') return 'done';
        if (own.status === 'failed') return node.continueOnError ? 'done' : 'failed';
        if (ready.length < MAX_PARALLEL) {
          ready.push(id);
          nodes[id] = { ...own, status: 'running' };
        }
        return 'active';
      }
    }
  };

  const result = visit(plan.root);
  if (result === 'active') return { nodes, ready };
  if (result === 'failed') {
    for (const id of index.order) if (state(id).status === 'pending') nodes[id] = { status: 'skipped' };
  }
  return { nodes, ready: [], outcome: result };
}
