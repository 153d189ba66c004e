import dagre from '@dagrejs/dagre';
import type { PlanGraphEdge, PlanGraphNode, PlanGraphSnapshot } from './model';
import { drawableEdges } from './model';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 56;
export const JOIN_SIZE = 20;

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  /** Edges that rank the nodes: `repeat` edges are left out, so the layout sees the acyclic graph. */
  edges: { from: string; to: string }[];
}

export function nodeSize(node: Pick<PlanGraphNode, 'type'>): { width: number; height: number } {
  return node.type === 'join'
    ? { width: JOIN_SIZE, height: JOIN_SIZE }
    : { width: NODE_WIDTH, height: NODE_HEIGHT };
}

/** What dagre is given: every node with its size, and the edges that go forward. */
export function layoutInput(snapshot: PlanGraphSnapshot): LayoutInput {
  return {
    nodes: snapshot.nodes.map((n) => ({ id: n.id, ...nodeSize(n) })),
    edges: drawableEdges(snapshot)
      .filter((e: PlanGraphEdge) => e.kind !== 'repeat')
      .map((e) => ({ from: e.from, to: e.to })),
  };
}

/** Top-down layout by dagre, for a graph whose tree is not known (nodes without `parent`). */
export function layoutGeneral(input: LayoutInput): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of input.nodes) {
    const p = g.node(n.id) as { x: number; y: number };
    out.set(n.id, { x: p.x - n.width / 2, y: p.y - n.height / 2 });
  }
  return out;
}

/** The layout depends only on the graph's shape, not on states: it is kept while only states change. */
export function shapeKey(snapshot: PlanGraphSnapshot): string {
  let key = '';
  for (const n of snapshot.nodes) key += `${n.id}|${n.type}|${n.parent ?? ''};`;
  for (const e of snapshot.edges) key += `${e.from}>${e.to}:${e.kind};`;
  return key;
}

const GAP_X = 24;
const GAP_Y = 48;

/**
 * Top-down layout of a plan by its tree, in linear time: a control node sits above its block; a sequence
 * stacks its children, a parallel block and a conditional put theirs side by side (the block's join below), a
 * loop has its body below it. A plan's flow graph is built from these blocks, so this is its natural drawing;
 * dagre took 2 to 4 s for 1,000 nodes on the bench machine (crossing minimisation on a graph that has none).
 * Returns undefined when the tree is not complete (a node without a parent besides the root, or a parent
 * missing), and the caller falls back to dagre.
 */
export function layoutTree(
  nodes: readonly Pick<PlanGraphNode, 'id' | 'type' | 'parent'>[],
): Map<string, { x: number; y: number }> | undefined {
  const children = new Map<string, string[]>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const joins = new Map<string, string>();
  let root: string | undefined;
  for (const n of nodes) {
    if (n.parent === undefined) {
      if (root !== undefined) return undefined;
      root = n.id;
    } else if (!byId.has(n.parent)) return undefined;
    else if (n.type === 'join') joins.set(n.parent, n.id);
    else {
      const list = children.get(n.parent);
      if (list) list.push(n.id);
      else children.set(n.parent, [n.id]);
    }
  }
  if (root === undefined) return undefined;
  const size = new Map<string, { w: number; h: number }>();
  // Sizes bottom-up: nodes come parents first, so the reverse order has every child before its parent.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.type === 'join') continue;
    const own = nodeSize(n);
    const kids = (children.get(n.id) ?? []).map((c) => size.get(c) ?? { w: 0, h: 0 });
    let w = own.width;
    let h = own.height;
    if (kids.length) {
      if (n.type === 'parallel' || n.type === 'conditional') {
        w = Math.max(w, kids.reduce((sum, k) => sum + k.w, 0) + GAP_X * (kids.length - 1));
        h += GAP_Y + Math.max(...kids.map((k) => k.h));
      } else {
        w = Math.max(w, ...kids.map((k) => k.w));
        h += kids.reduce((sum, k) => sum + GAP_Y + k.h, 0);
      }
    }
    if (joins.has(n.id)) h += GAP_Y + JOIN_SIZE;
    size.set(n.id, { w, h });
  }
  const out = new Map<string, { x: number; y: number }>();
  // Positions top-down, each block centred in the width its parent gives it; iterative (plans can be deep).
  const stack: { id: string; left: number; top: number }[] = [{ id: root, left: 0, top: 0 }];
  while (stack.length) {
    const { id, left, top } = stack.pop()!;
    const n = byId.get(id)!;
    const box = size.get(id)!;
    const own = nodeSize(n);
    const centre = left + box.w / 2;
    out.set(id, { x: centre - own.width / 2, y: top });
    const kids = children.get(id) ?? [];
    let y = top + own.height + GAP_Y;
    if (n.type === 'parallel' || n.type === 'conditional') {
      const total = kids.reduce((sum, c) => sum + size.get(c)!.w, 0) + GAP_X * (kids.length - 1);
      let x = centre - total / 2;
      for (const c of kids) {
        stack.push({ id: c, left: x, top: y });
        x += size.get(c)!.w + GAP_X;
      }
    } else {
      for (const c of kids) {
        const k = size.get(c)!;
        stack.push({ id: c, left: centre - k.w / 2, top: y });
        y += k.h + GAP_Y;
      }
    }
    const join = joins.get(id);
    if (join !== undefined) {
      out.set(join, { x: centre - JOIN_SIZE / 2, y: top + box.h - JOIN_SIZE });
    }
  }
  // Nodes the root does not reach (a snapshot cut short) get no position from the tree: then dagre decides.
  return out.size === nodes.length ? out : undefined;
}

/** The plan's layout: by its tree when the snapshot has it, else by dagre. */
export function layoutPlan(snapshot: PlanGraphSnapshot): Map<string, { x: number; y: number }> {
  return layoutTree(snapshot.nodes) ?? layoutGeneral(layoutInput(snapshot));
}
