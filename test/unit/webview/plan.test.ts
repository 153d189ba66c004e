import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  firstViewport,
  layoutGeneral,
  layoutInput,
  layoutPlan,
  layoutTree,
  miniMapPaths,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodeHandles,
  nodeSize,
  planBounds,
  READABLE_ZOOM,
  shapeKey,
  type FlowViewport,
} from '../../../webview/plan/layout';
import {
  canApprove,
  drawableEdges,
  edgeClass,
  focusNodes,
  PLAN_EDGE_KINDS,
  PLAN_NODE_STATES,
  PlanGraphSnapshot,
  prunePlanUi,
  restorePlanUi,
  type PlanGraphNode,
} from '../../../webview/plan/model';

function node(
  id: string,
  type: PlanGraphNode['type'],
  parent?: string,
  state: PlanGraphNode['state'] = 'pending',
): PlanGraphNode {
  return {
    id,
    type,
    title: id,
    state,
    riskLevel: 'low',
    requiresApproval: false,
    attempts: 0,
    ...(parent ? { parent } : {}),
  };
}

// root: sequence [a, par: parallel [b, c], cond: conditional then d else e, loop: loop body f]
const snapshot: PlanGraphSnapshot = {
  runId: 'r1',
  planId: 'p1',
  planTitle: 'Plan',
  updatedAt: '2026-11-21T10:00:00.000Z',
  nodes: [
    node('root', 'sequence'),
    node('a', 'local_task', 'root', 'done'),
    node('par', 'parallel', 'root', 'running'),
    node('par:join', 'join', 'par'),
    node('cond', 'conditional', 'root'),
    node('loop', 'loop', 'root'),
    node('b', 'agent_invocation', 'par', 'running'),
    node('c', 'mcp_tool', 'par', 'waiting_approval'),
    node('d', 'local_task', 'cond'),
    node('e', 'external_service', 'cond'),
    node('f', 'local_task', 'loop'),
  ],
  edges: [
    { from: 'root', to: 'a', kind: 'start' },
    { from: 'a', to: 'par', kind: 'next' },
    { from: 'par', to: 'b', kind: 'fork' },
    { from: 'par', to: 'c', kind: 'fork' },
    { from: 'b', to: 'par:join', kind: 'join' },
    { from: 'c', to: 'par:join', kind: 'join' },
    { from: 'par:join', to: 'cond', kind: 'next' },
    { from: 'cond', to: 'd', kind: 'then' },
    { from: 'cond', to: 'e', kind: 'else' },
    { from: 'd', to: 'loop', kind: 'next' },
    { from: 'e', to: 'loop', kind: 'next' },
    { from: 'loop', to: 'f', kind: 'body' },
    { from: 'f', to: 'loop', kind: 'repeat' },
  ],
};

describe('plan graph layout', () => {
  it('gives dagre every node with its size and only the forward edges', () => {
    const input = layoutInput(snapshot);
    expect(input.nodes).toHaveLength(snapshot.nodes.length);
    expect(input.nodes.find((n) => n.id === 'par:join')).toEqual({ id: 'par:join', width: 20, height: 20 });
    expect(input.nodes.find((n) => n.id === 'a')).toEqual({
      id: 'a',
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    });
    expect(input.edges).toHaveLength(snapshot.edges.length - 1);
    expect(input.edges).not.toContainEqual({ from: 'f', to: 'loop' });
  });

  it('leaves out edges to nodes the snapshot does not have', () => {
    const cut = {
      ...snapshot,
      edges: [...snapshot.edges, { from: 'a', to: 'ghost', kind: 'next' as const }],
    };
    expect(drawableEdges(cut)).toHaveLength(snapshot.edges.length);
  });

  it('lays a plan out by its tree: blocks below their control node, branches side by side, join below them', () => {
    const at = layoutTree(snapshot.nodes);
    expect(at).toBeDefined();
    const p = (id: string): { x: number; y: number } => at!.get(id)!;
    expect(at!.size).toBe(snapshot.nodes.length);
    // Sequence order is top to bottom.
    expect(p('a').y).toBeGreaterThan(p('root').y);
    expect(p('par').y).toBeGreaterThan(p('a').y);
    expect(p('cond').y).toBeGreaterThan(p('par:join').y);
    expect(p('loop').y).toBeGreaterThan(p('d').y);
    // Parallel children on one row, apart, under the block, with the join below both.
    expect(p('b').y).toBe(p('c').y);
    expect(Math.abs(p('b').x - p('c').x)).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(p('par:join').y).toBeGreaterThan(p('b').y + NODE_HEIGHT);
    // then/else side by side; the loop's body below the loop.
    expect(p('d').y).toBe(p('e').y);
    expect(p('f').y).toBeGreaterThan(p('loop').y);
    // No two nodes' boxes overlap.
    const boxes = snapshot.nodes.map((n) => ({ id: n.id, ...p(n.id), ...nodeSize(n) }));
    for (const one of boxes)
      for (const two of boxes) {
        if (one.id >= two.id) continue;
        const apart =
          one.x + one.width <= two.x ||
          two.x + two.width <= one.x ||
          one.y + one.height <= two.y ||
          two.y + two.height <= one.y;
        expect(apart, `${one.id} and ${two.id} overlap`).toBe(true);
      }
  });

  it('falls back to dagre when the tree is not complete', () => {
    const noParents = { ...snapshot, nodes: snapshot.nodes.map(({ parent: _p, ...n }) => n) };
    expect(layoutTree(noParents.nodes)).toBeUndefined();
    const orphan = [...snapshot.nodes, node('x', 'local_task', 'missing')];
    expect(layoutTree(orphan)).toBeUndefined();
    const general = layoutPlan(noParents);
    expect(general.size).toBe(snapshot.nodes.length);
    expect(general).toEqual(layoutGeneral(layoutInput(noParents)));
    expect(general.get('a')!.y).toBeGreaterThan(general.get('root')!.y);
  });

  it('keys the layout by shape only, so state changes keep the positions', () => {
    const moved = { ...snapshot, nodes: snapshot.nodes.map((n) => ({ ...n, state: 'done' as const })) };
    expect(shapeKey(moved)).toBe(shapeKey(snapshot));
    expect(shapeKey({ ...snapshot, edges: snapshot.edges.slice(1) })).not.toBe(shapeKey(snapshot));
  });

  it('finds the node the run is at and the nodes near it for the first view', () => {
    const at = layoutPlan(snapshot);
    // Waiting for approval comes before running.
    expect(focusNodes(snapshot, at, 0)).toEqual({
      anchor: 'c',
      near: snapshot.nodes.filter((n) => at.get(n.id)!.y === at.get('c')!.y).map((n) => n.id),
    });
    expect(focusNodes(snapshot, at, 100_000)?.near).toHaveLength(snapshot.nodes.length);
    const idle = { ...snapshot, nodes: snapshot.nodes.map((n) => ({ ...n, state: 'pending' as const })) };
    expect(focusNodes(idle, at)).toBeUndefined();
  });
});

/** A long plan: a root sequence of `n` local tasks, one of them in `state`. */
function longPlan(n: number, at?: { index: number; state: PlanGraphNode['state'] }): PlanGraphSnapshot {
  const nodes = [node('root', 'sequence')];
  for (let i = 0; i < n; i++)
    nodes.push(node(`t${i}`, 'local_task', 'root', i === at?.index ? at.state : 'pending'));
  return { ...snapshot, nodes, edges: [] };
}

/** Where a node is drawn on the canvas, in screen pixels, at a viewport. */
function onScreen(
  id: string,
  plan: PlanGraphSnapshot,
  at: ReadonlyMap<string, { x: number; y: number }>,
  v: FlowViewport,
): { left: number; top: number; right: number; bottom: number } {
  const p = at.get(id)!;
  const size = nodeSize(plan.nodes.find((n) => n.id === id)!);
  return {
    left: p.x * v.zoom + v.x,
    top: p.y * v.zoom + v.y,
    right: (p.x + size.width) * v.zoom + v.x,
    bottom: (p.y + size.height) * v.zoom + v.y,
  };
}

describe('plan graph first view and minimap', () => {
  const canvas = { width: 900, height: 800 };
  const inside = (box: ReturnType<typeof onScreen>): boolean =>
    box.left >= 0 && box.top >= 0 && box.right <= canvas.width && box.bottom <= canvas.height;

  it('gives every node its handles where React Flow would measure them: top centre in, bottom centre out', () => {
    for (const type of ['local_task', 'join'] as const) {
      const { width, height } = nodeSize({ type });
      const [target, source] = nodeHandles({ type });
      expect(target).toMatchObject({ type: 'target', position: 'top' });
      expect(source).toMatchObject({ type: 'source', position: 'bottom' });
      // React Flow draws an edge from the handle's centre across and its outer edge (top of a top handle).
      expect(target!.x + target!.width! / 2).toBe(width / 2);
      expect(source!.x + source!.width! / 2).toBe(width / 2);
      expect(target!.y + target!.height! / 2).toBe(0);
      expect(source!.y + source!.height! / 2).toBe(height);
    }
  });

  it('opens a small plan whole, no larger than full size', () => {
    const at = layoutPlan(snapshot);
    const v = firstViewport(snapshot.nodes, at, canvas, focusNodes(snapshot, at));
    expect(v.zoom).toBeLessThanOrEqual(1);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    for (const n of snapshot.nodes) expect(inside(onScreen(n.id, snapshot, at, v)), n.id).toBe(true);
  });

  it('opens a long plan readable on the node the run is at, not shrunk to fit', () => {
    const plan = longPlan(1000, { index: 600, state: 'running' });
    const at = layoutPlan(plan);
    const v = firstViewport(plan.nodes, at, canvas, focusNodes(plan, at));
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(v.zoom).toBeLessThanOrEqual(1);
    const box = onScreen('t600', plan, at, v);
    expect(inside(box)).toBe(true);
    // Roughly in the middle of the canvas.
    expect(Math.abs((box.top + box.bottom) / 2 - canvas.height / 2)).toBeLessThan(canvas.height / 4);
    expect(inside(onScreen('t0', plan, at, v))).toBe(false);
  });

  it('opens a long plan at its start when the run is at no node', () => {
    const plan = longPlan(1000);
    const at = layoutPlan(plan);
    const v = firstViewport(plan.nodes, at, canvas, focusNodes(plan, at));
    expect(v.zoom).toBe(1);
    const root = onScreen('root', plan, at, v);
    expect(inside(root)).toBe(true);
    expect(root.top).toBeLessThan(canvas.height / 4);
  });

  it('centres a node whose neighbours are too wide to read together', () => {
    // A parallel block of 40 branches: its row is far wider than the canvas at a readable zoom.
    const nodes = [
      node('root', 'sequence'),
      node('par', 'parallel', 'root'),
      node('par:join', 'join', 'par'),
    ];
    for (let i = 0; i < 40; i++)
      nodes.push(node(`b${i}`, 'local_task', 'par', i === 30 ? 'waiting_approval' : 'pending'));
    for (let i = 0; i < 200; i++) nodes.push(node(`t${i}`, 'local_task', 'root'));
    const plan = { ...snapshot, nodes, edges: [] };
    const at = layoutPlan(plan);
    const v = firstViewport(plan.nodes, at, canvas, focusNodes(plan, at));
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(inside(onScreen('b30', plan, at, v))).toBe(true);
  });

  it('draws the minimap as one path per state, with a rectangle per node and the active states on top', () => {
    const at = layoutPlan(snapshot);
    const paths = miniMapPaths(snapshot.nodes, at);
    expect(paths.map((p) => p.state)).toEqual(['pending', 'done', 'running', 'waiting_approval']);
    const rects = paths.reduce((sum, p) => sum + (p.d.match(/M/g)?.length ?? 0), 0);
    expect(rects).toBe(snapshot.nodes.length);
    const c = at.get('c')!;
    expect(paths.at(-1)!.d).toBe(`M${c.x} ${c.y}h${NODE_WIDTH}v${NODE_HEIGHT}h${-NODE_WIDTH}z`);
    const bounds = planBounds(snapshot.nodes, at)!;
    for (const n of snapshot.nodes) {
      const p = at.get(n.id)!;
      expect(p.x).toBeGreaterThanOrEqual(bounds.x);
      expect(p.y + nodeSize(n).height).toBeLessThanOrEqual(bounds.y + bounds.height);
    }
  });
});

describe('plan graph look', () => {
  it('styles edges by kind: repeat dashed, then/else conditional', () => {
    expect(edgeClass('repeat')).toContain('cycle');
    expect(edgeClass('then')).toContain('conditional');
    expect(edgeClass('else')).toContain('kind-else');
    expect(edgeClass('next')).toBe('plan-edge kind-next');
    for (const kind of PLAN_EDGE_KINDS) expect(edgeClass(kind)).toContain(`kind-${kind}`);
  });

  it('has a theme colour in plan.css for every state but pending (the default) and in the minimap', () => {
    const css = readFileSync(path.join(__dirname, '../../../webview/plan/plan.css'), 'utf8');
    for (const state of PLAN_NODE_STATES.filter((s) => s !== 'pending')) {
      expect(css).toMatch(
        new RegExp(`\\[data-state='${state}'\\] \\{\\s*--state-colour: var\\(--vscode-charts-`),
      );
      expect(css).toMatch(new RegExp(`\\.minimap-${state} \\{\\s*fill: var\\(--vscode-charts-`));
    }
  });

  it('offers Approve only for a node waiting for approval, while connected', () => {
    const waiting = snapshot.nodes.find((n) => n.id === 'c');
    expect(canApprove(waiting, true)).toBe(true);
    expect(canApprove(waiting, false)).toBe(false);
    expect(canApprove(snapshot.nodes[1], true)).toBe(false);
    expect(canApprove(undefined, true)).toBe(false);
  });
});

describe('plan view restore', () => {
  it('restores the selected node and the viewport, dropping only the part that does not fit', () => {
    expect(restorePlanUi({ selected: 'a', viewport: { x: 1, y: 2, zoom: 0.5 } })).toEqual({
      selected: 'a',
      viewport: { x: 1, y: 2, zoom: 0.5 },
    });
    expect(restorePlanUi({ selected: 'a', viewport: { x: 1, y: 2, zoom: -1 } })).toEqual({ selected: 'a' });
    expect(restorePlanUi({ selected: 7, viewport: { x: 1, y: 2, zoom: 1 } })).toEqual({
      viewport: { x: 1, y: 2, zoom: 1 },
    });
    expect(restorePlanUi(undefined)).toEqual({});
    expect(restorePlanUi('junk')).toEqual({});
  });

  it('forgets the selection once a fresh snapshot no longer has that node', () => {
    const ui = { selected: 'gone', viewport: { x: 0, y: 0, zoom: 1 } };
    expect(prunePlanUi(ui, snapshot)).toEqual({ viewport: { x: 0, y: 0, zoom: 1 } });
    const kept = { selected: 'a' };
    expect(prunePlanUi(kept, snapshot)).toBe(kept);
  });

  it('accepts the bench data (the shape planFlow gives) and refuses a node in an unknown state', async () => {
    // The bench's generator ports planFlow(); the app must accept what it makes.
    const { planSnapshot } = await import('../../bench/plangraph/data.mjs');
    const parsed = PlanGraphSnapshot.safeParse(planSnapshot({ size: 200 }));
    expect(parsed.success).toBe(true);
    if (parsed.success) expect(layoutTree(parsed.data.nodes)?.size).toBe(200);
    const bad = { ...snapshot, nodes: [{ ...snapshot.nodes[0], state: 'sleeping' }] };
    expect(PlanGraphSnapshot.safeParse(bad).success).toBe(false);
  });
});
