import { childReferences, type Plan, type PlanNode } from './planSchema';

/** A valid plan's tree, indexed: what the executor, the dry run and the graph webview look nodes up by. */
export interface PlanIndex {
  byId: Map<string, PlanNode>;
  /** Position of each node in `plan.nodes` (for `nodes[3] (id "test")` messages). */
  position: Map<string, number>;
  /** The control node containing each node; the root has none. */
  parent: Map<string, string>;
  /** Every node reachable from the root, parents before children (breadth first). */
  order: string[];
}

/** Indexes a plan that passed `validatePlan` (unique ids, one parent each, no cycles). */
export function indexPlan(plan: Plan): PlanIndex {
  const byId = new Map<string, PlanNode>();
  const position = new Map<string, number>();
  plan.nodes.forEach((node, index) => {
    if (!byId.has(node.id)) {
      byId.set(node.id, node);
      position.set(node.id, index);
    }
  });
  const parent = new Map<string, string>();
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [plan.root];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    const node = byId.get(id);
    if (!node) continue;
    for (const ref of childReferences(node)) {
      if (!parent.has(ref.id) && ref.id !== plan.root) parent.set(ref.id, id);
      queue.push(ref.id);
    }
  }
  return { byId, position, parent, order };
}

/**
 * An edge of the drawn and compiled graph:
 * - `start`: a sequence to its first child; `next`: the end of one child of a sequence to the next child;
 * - `fork`: a parallel block to each child; `join`: the end of each child to the block's join node
 *   (`joinId(block)`), which waits for all of its incoming edges (the other edges fire on any one);
 * - `then` / `else`: a conditional to its branches;
 * - `body`: a loop to its body; `repeat`: the end of the body back to the loop, which decides to go again or
 *   leave (the only edges that make cycles, always bounded by `maxIterations`);
 * - `exit`: the end of the plan.
 */
export type FlowEdgeKind = 'start' | 'next' | 'fork' | 'join' | 'then' | 'else' | 'body' | 'repeat';

export interface FlowEdge {
  from: string;
  to: string;
  kind: FlowEdgeKind;
}

/** Parallel blocks get a second graph node where their children meet; `:` never occurs in a plan node id. */
export function joinId(parallelId: string): string {
  return `${parallelId}:join`;
}

export interface FlowNode {
  /** The graph node id: a plan node id, or `joinId(block)`. */
  id: string;
  /** The plan node it belongs to. */
  planNode: string;
  role: 'node' | 'join';
}

export interface PlanFlow {
  /** Every node reachable from the root, parents before children; a parallel block's join right after it. */
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Where the run starts. */
  entry: string;
  /**
   * The nodes after which the whole plan is finished (the last nodes that run; a conditional without `else`
   * is one of them, since it may finish without running anything).
   */
  exits: string[];
}

/**
 * The control-flow graph of a valid plan: every plan node is a graph node, and each control node's block is
 * wired by the rules of `FlowEdgeKind`. A node's "ends" are where control leaves its block: a work node ends in
 * itself, a sequence in its last child's ends, a parallel block in its join, a loop in itself (the loop
 * decides to go again or leave), a conditional in its branches' ends (and itself when there is no `else`).
 * Apart from `repeat` edges the graph is acyclic.
 */
export function planFlow(plan: Plan, index: PlanIndex = indexPlan(plan)): PlanFlow {
  const ends = new Map<string, string[]>();
  const edges: FlowEdge[] = [];
  // Children before parents, so every child's ends are known when its parent is wired.
  for (const id of [...index.order].reverse()) {
    const node = index.byId.get(id);
    if (!node) continue;
    const endsOf = (child: string): string[] => ends.get(child) ?? [child];
    switch (node.type) {
      case 'sequence': {
        const [first] = node.children;
        if (first !== undefined) edges.push({ from: id, to: first, kind: 'start' });
        for (let i = 1; i < node.children.length; i++) {
          for (const end of endsOf(node.children[i - 1]!)) {
            edges.push({ from: end, to: node.children[i]!, kind: 'next' });
          }
        }
        ends.set(id, endsOf(node.children[node.children.length - 1]!));
        break;
      }
      case 'parallel':
        for (const child of node.children) {
          edges.push({ from: id, to: child, kind: 'fork' });
          for (const end of endsOf(child)) edges.push({ from: end, to: joinId(id), kind: 'join' });
        }
        ends.set(id, [joinId(id)]);
        break;
      case 'conditional':
        edges.push({ from: id, to: node.then, kind: 'then' });
        if (node.else !== undefined) edges.push({ from: id, to: node.else, kind: 'else' });
        ends.set(id, [...endsOf(node.then), ...(node.else !== undefined ? endsOf(node.else) : [id])]);
        break;
      case 'loop':
        edges.push({ from: id, to: node.body, kind: 'body' });
        for (const end of endsOf(node.body)) edges.push({ from: end, to: id, kind: 'repeat' });
        ends.set(id, [id]);
        break;
      default:
        ends.set(id, [id]);
    }
  }
  const nodes: FlowNode[] = [];
  for (const id of index.order) {
    nodes.push({ id, planNode: id, role: 'node' });
    if (index.byId.get(id)?.type === 'parallel') nodes.push({ id: joinId(id), planNode: id, role: 'join' });
  }
  return { nodes, edges, entry: plan.root, exits: ends.get(plan.root) ?? [plan.root] };
}
