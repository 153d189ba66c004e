import { z } from 'zod';
import {
  PLAN_EDGE_KINDS,
  PLAN_NODE_STATES,
  PLAN_NODE_TYPES,
  PlanGraphNodeView,
  PlanGraphSnapshot as ProtocolPlanSnapshot,
} from '../../extension/protocol/messages';

/**
 * The plan graph's snapshot as the app keeps it: the protocol's (`plan.getSnapshot`, event `plan.snapshot`,
 * extension/protocol/messages.ts) reduced to the fields the graph draws. Its nodes follow `planFlow()` in
 * extension/core/plans/planGraph.ts (a parallel block's join is a node of its own), parents first.
 */
export { PLAN_EDGE_KINDS, PLAN_NODE_STATES, PLAN_NODE_TYPES };
export type PlanNodeType = (typeof PLAN_NODE_TYPES)[number];
export type PlanNodeState = (typeof PLAN_NODE_STATES)[number];
export type PlanEdgeKind = (typeof PLAN_EDGE_KINDS)[number];

export const PlanGraphNode = PlanGraphNodeView.pick({
  id: true,
  type: true,
  parent: true,
  title: true,
  state: true,
  riskLevel: true,
  requiresApproval: true,
  attempts: true,
  outputExcerpt: true,
});
export type PlanGraphNode = z.infer<typeof PlanGraphNode>;

export const PlanGraphEdge = ProtocolPlanSnapshot.shape.edges.element;
export type PlanGraphEdge = z.infer<typeof PlanGraphEdge>;

export const PlanGraphSnapshot = ProtocolPlanSnapshot.pick({
  runId: true,
  planId: true,
  planTitle: true,
  updatedAt: true,
}).extend({ nodes: z.array(PlanGraphNode), edges: z.array(PlanGraphEdge) });
export type PlanGraphSnapshot = z.infer<typeof PlanGraphSnapshot>;

/** English words per state (keys of webview/shared/i18n.ts). */
export const stateText = {
  pending: 'pending',
  running: 'running',
  waiting_approval: 'waiting for approval',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
} as const satisfies Record<PlanNodeState, string>;

/** A codicon and English label per node type. */
export const typeLook = {
  sequence: { icon: 'list-ordered', label: 'Sequence' },
  parallel: { icon: 'split-horizontal', label: 'Parallel' },
  conditional: { icon: 'git-compare', label: 'Conditional' },
  loop: { icon: 'sync', label: 'Loop' },
  human_approval: { icon: 'person', label: 'Human approval' },
  local_task: { icon: 'terminal', label: 'Local task' },
  agent_invocation: { icon: 'hubot', label: 'Agent' },
  mcp_tool: { icon: 'tools', label: 'MCP tool' },
  external_service: { icon: 'globe', label: 'External service' },
  join: { icon: 'merge', label: 'Join' },
} as const satisfies Record<PlanNodeType, { icon: string; label: string }>;

/** CSS classes of an edge: its kind, and `conditional` for then/else (labelled), `cycle` for repeat (dashed). */
export function edgeClass(kind: PlanEdgeKind): string {
  if (kind === 'repeat') return 'plan-edge kind-repeat cycle';
  if (kind === 'then' || kind === 'else') return `plan-edge kind-${kind} conditional`;
  return `plan-edge kind-${kind}`;
}

/** Only the edges between nodes the snapshot has: a half-written snapshot must not break the layout. */
export function drawableEdges(snapshot: PlanGraphSnapshot): PlanGraphEdge[] {
  const ids = new Set(snapshot.nodes.map((n) => n.id));
  return snapshot.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
}

export function canApprove(node: PlanGraphNode | undefined, connected: boolean): boolean {
  return connected && node?.state === 'waiting_approval';
}

/**
 * What the plan view keeps across a reload besides the snapshot: the selected node and the viewport. Checked
 * when read back (a state saved by an older FleetAI may not fit); a part that does not fit is dropped.
 */
export const PlanUi = z.object({
  selected: z.string().optional(),
  viewport: z
    .object({ x: z.number().finite(), y: z.number().finite(), zoom: z.number().positive().finite() })
    .optional(),
});
export type PlanUi = z.infer<typeof PlanUi>;

export function restorePlanUi(raw: unknown): PlanUi {
  const whole = PlanUi.safeParse(raw);
  if (whole.success) return whole.data;
  const ui: PlanUi = {};
  const parts = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const selected = PlanUi.shape.selected.safeParse(parts.selected);
  if (selected.success && selected.data !== undefined) ui.selected = selected.data;
  const viewport = PlanUi.shape.viewport.safeParse(parts.viewport);
  if (viewport.success && viewport.data !== undefined) ui.viewport = viewport.data;
  return ui;
}

/** The selection is forgotten once a fresh snapshot no longer has that node. */
export function prunePlanUi(ui: PlanUi, snapshot: PlanGraphSnapshot): PlanUi {
  if (ui.selected === undefined || snapshot.nodes.some((n) => n.id === ui.selected)) return ui;
  const { selected: _gone, ...rest } = ui;
  return rest;
}

/** Which node the run is at: one waiting for approval first, then running, then failed. */
export function activeNode(snapshot: PlanGraphSnapshot): PlanGraphNode | undefined {
  for (const state of ['waiting_approval', 'running', 'failed'] as const) {
    const node = snapshot.nodes.find((n) => n.state === state);
    if (node) return node;
  }
  return undefined;
}

/**
 * Where the first view looks: the node the run is at (`anchor`) and the nodes within `span` pixels of it (up
 * and down); none when the run is at no node.
 */
export function focusNodes(
  snapshot: PlanGraphSnapshot,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  span = 450,
): { anchor: string; near: string[] } | undefined {
  const active = activeNode(snapshot);
  const at = active && positions.get(active.id);
  if (!active || !at) return undefined;
  const near = snapshot.nodes.filter((n) => Math.abs((positions.get(n.id)?.y ?? Infinity) - at.y) <= span);
  return { anchor: active.id, near: near.map((n) => n.id) };
}
