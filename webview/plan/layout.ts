import dagre from '@dagrejs/dagre';
import { Position, type NodeHandle } from '@xyflow/react';
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

/** React Flow's handle is a 6 px square centred on the node's edge (its stylesheet, `.react-flow__handle-top`). */
const HANDLE = 6;

/**
 * Where a node's two handles are, given up front as React Flow would measure them in the DOM. Without them React
 * Flow renders every node once to measure its handles, even with `onlyRenderVisibleElements` (a node without
 * measured handles counts as visible): for a 1,000-node plan that mounted and then removed 1,000 nodes, most
 * of the first render's second. With them, only the nodes in view are ever mounted and edges draw at once.
 */
export function nodeHandles(node: Pick<PlanGraphNode, 'type'>): NodeHandle[] {
  return node.type === 'join' ? JOIN_HANDLES : TASK_HANDLES;
}

function handlesFor(width: number, height: number): NodeHandle[] {
  const x = width / 2 - HANDLE / 2;
  return [
    { type: 'target', position: Position.Top, x, y: -HANDLE / 2, width: HANDLE, height: HANDLE },
    { type: 'source', position: Position.Bottom, x, y: height - HANDLE / 2, width: HANDLE, height: HANDLE },
  ];
}
// Shared by every node of a size (React Flow only reads them): 2,000 fewer objects for a 1,000-node plan.
const TASK_HANDLES = handlesFor(NODE_WIDTH, NODE_HEIGHT);
const JOIN_HANDLES = handlesFor(JOIN_SIZE, JOIN_SIZE);

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

export interface FlowViewport {
  x: number;
  y: number;
  zoom: number;
}
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Below this zoom a node's title and state are too small to read (12 px text at 0.6 is about 7 px). */
export const READABLE_ZOOM = 0.6;
const FIRST_VIEW_MAX_ZOOM = 1;
const FIRST_VIEW_PADDING = 0.1;

function boundsOf(
  ids: Iterable<string>,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  sizes: ReadonlyMap<string, { width: number; height: number }>,
): Box | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const id of ids) {
    const p = positions.get(id);
    const s = sizes.get(id);
    if (!p || !s) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + s.width);
    y1 = Math.max(y1, p.y + s.height);
  }
  return x0 === Infinity ? undefined : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The zoom that fits `box` with padding into the canvas (React Flow's fitView arithmetic), before clamping. */
function fitZoom(box: Box, canvas: { width: number; height: number }): number {
  const zoomX = canvas.width / (Math.max(box.width, 1) * (1 + FIRST_VIEW_PADDING));
  const zoomY = canvas.height / (Math.max(box.height, 1) * (1 + FIRST_VIEW_PADDING));
  return Math.min(zoomX, zoomY);
}

function centredOn(
  cx: number,
  cy: number,
  zoom: number,
  canvas: { width: number; height: number },
): FlowViewport {
  return { x: canvas.width / 2 - cx * zoom, y: canvas.height / 2 - cy * zoom, zoom };
}

/**
 * The viewport a plan opens at, computed from the layout before anything is drawn (no fit pass after a first
 * render, no measuring): the whole plan when it is readable at once; otherwise, readable, the nodes around the
 * one the run is at (`focus`, around `anchor`: waiting, running or failed), or the plan's start when the run is
 * at none. The minimap shows the whole plan, and the Controls' fit button fits it.
 */
export function firstViewport(
  nodes: readonly Pick<PlanGraphNode, 'id' | 'type'>[],
  positions: ReadonlyMap<string, { x: number; y: number }>,
  canvas: { width: number; height: number },
  focus: { anchor: string; near: readonly string[] } | undefined,
): FlowViewport {
  const sizes = new Map(nodes.map((n) => [n.id, nodeSize(n)]));
  const all = boundsOf(
    nodes.map((n) => n.id),
    positions,
    sizes,
  );
  if (!all) return { x: 0, y: 0, zoom: 1 };
  const whole = fitZoom(all, canvas);
  if (whole >= READABLE_ZOOM) {
    return centredOn(
      all.x + all.width / 2,
      all.y + all.height / 2,
      Math.min(whole, FIRST_VIEW_MAX_ZOOM),
      canvas,
    );
  }
  const anchor = focus && boundsOf([focus.anchor], positions, sizes);
  const near = focus && boundsOf(focus.near, positions, sizes);
  if (anchor && near) {
    const zoom = Math.min(fitZoom(near, canvas), FIRST_VIEW_MAX_ZOOM);
    // The nodes around it when they fit readable, else the anchor itself in the middle, readable.
    return zoom >= READABLE_ZOOM
      ? centredOn(near.x + near.width / 2, near.y + near.height / 2, zoom, canvas)
      : centredOn(anchor.x + anchor.width / 2, anchor.y + anchor.height / 2, READABLE_ZOOM, canvas);
  }
  // The plan's start (its first node) at the top of the canvas, centred across, full size.
  const start = boundsOf([nodes[0]!.id], positions, sizes)!;
  const zoom = FIRST_VIEW_MAX_ZOOM;
  return {
    x: canvas.width / 2 - (start.x + start.width / 2) * zoom,
    y: canvas.height * (FIRST_VIEW_PADDING / 2) - start.y * zoom,
    zoom,
  };
}

/** The box around the whole plan, in flow coordinates. */
export function planBounds(
  nodes: readonly Pick<PlanGraphNode, 'id' | 'type'>[],
  positions: ReadonlyMap<string, { x: number; y: number }>,
): Box | undefined {
  return boundsOf(
    nodes.map((n) => n.id),
    positions,
    new Map(nodes.map((n) => [n.id, nodeSize(n)])),
  );
}

const MAP_ORDER = ['pending', 'skipped', 'done', 'failed', 'running', 'waiting_approval'] as const;

/**
 * The minimap's drawing: one SVG path per state holding a rectangle per node, in flow coordinates. A handful
 * of elements for any plan size, where React Flow's minimap has an element and a store subscription per node
 * (for 1,000 nodes that was a third of the first render, and work on every pan).
 */
export function miniMapPaths(
  nodes: readonly Pick<PlanGraphNode, 'id' | 'type' | 'state'>[],
  positions: ReadonlyMap<string, { x: number; y: number }>,
): { state: PlanGraphNode['state']; d: string }[] {
  const parts = new Map<PlanGraphNode['state'], string[]>();
  for (const n of nodes) {
    const at = positions.get(n.id);
    if (!at) continue;
    const { width, height } = nodeSize(n);
    const list = parts.get(n.state) ?? [];
    list.push(`M${Math.round(at.x)} ${Math.round(at.y)}h${width}v${height}h${-width}z`);
    parts.set(n.state, list);
  }
  // Where a tall plan's nodes overlap in the map, the states that matter are drawn last, on top.
  return MAP_ORDER.filter((state) => parts.has(state)).map((state) => ({
    state,
    d: parts.get(state)!.join(''),
  }));
}
