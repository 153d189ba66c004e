import { z } from 'zod';

/**
 * The plan graph's snapshot, as the host will send it (`plan.getSnapshot`, event `plan.snapshot`). Defined here
 * until extension/protocol/messages.ts carries it; the shape follows `planFlow()` in
 * extension/core/plans/planGraph.ts (its nodes, with a parallel block's join as a node of its own, and its edges).
 */
export const PLAN_NODE_TYPES = [
  'sequence',
  'parallel',
  'conditional',
  'loop',
  'human_approval',
  'local_task',
  'agent_invocation',
  'mcp_tool',
  'external_service',
  'join',
] as const;
export type PlanNodeType = (typeof PLAN_NODE_TYPES)[number];

export const PLAN_NODE_STATES = [
  'pending',
  'running',
  'waiting_approval',
  'done',
  'failed',
  'skipped',
] as const;
export type PlanNodeState = (typeof PLAN_NODE_STATES)[number];

export const PLAN_EDGE_KINDS = ['start', 'next', 'fork', 'join', 'then', 'else', 'body', 'repeat'] as const;
export type PlanEdgeKind = (typeof PLAN_EDGE_KINDS)[number];

export const PlanGraphNode = z.object({
  id: z.string().min(1),
  type: z.enum(PLAN_NODE_TYPES),
  /**
   * The control node containing it (`indexPlan(plan).parent`; for a join, its parallel block); none for the root.
   * Nodes come parents first and siblings in plan order (`planFlow().nodes`), so the tree is known without the
   * plan, and the layout is linear in the plan's size.
   */
  parent: z.string().min(1).optional(),
  title: z.string(),
  state: z.enum(PLAN_NODE_STATES),
  riskLevel: z.enum(['low', 'medium', 'high', 'critical']),
  requiresApproval: z.boolean(),
  attempts: z.number().int().nonnegative(),
  /** The end of the node's output, cut by the host (a few KB at most). */
  outputExcerpt: z.string().max(8000).optional(),
});
export type PlanGraphNode = z.infer<typeof PlanGraphNode>;

export const PlanGraphEdge = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  kind: z.enum(PLAN_EDGE_KINDS),
});
export type PlanGraphEdge = z.infer<typeof PlanGraphEdge>;

export const PlanGraphSnapshot = z.object({
  runId: z.string().min(1),
  planId: z.string().min(1),
  planTitle: z.string(),
  /** ISO time; the newer snapshot wins (see isNewer in webview/shared/uiState.ts). */
  updatedAt: z.string(),
  nodes: z.array(PlanGraphNode),
  edges: z.array(PlanGraphEdge),
});
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
