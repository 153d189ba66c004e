import type { Risk } from '../approvals/risk';
import type { RunRecord, RunRecordNode, RunStatus } from './executor/runRecord';
import { indexPlan, planFlow, type FlowEdgeKind } from './planGraph';
import {
  childReferences,
  isControlNode,
  type NodeStatus,
  type NodeType,
  type Plan,
  type PlanNode,
} from './planSchema';

/** A graph node's type: the plan node's, or `join` for the point where a parallel block's children meet. */
export type PlanGraphNodeType = NodeType | 'join';

/** One node of the plan graph as the webview draws it (extension/protocol/messages.ts checks the shape). */
export interface PlanGraphNodeData {
  id: string;
  type: PlanGraphNodeType;
  /** The control node containing it (for a join, its parallel block); none for the root. */
  parent?: string;
  title: string;
  state: NodeStatus;
  riskLevel: Risk;
  requiresApproval: boolean;
  attempts: number;
  outputExcerpt?: string;
  error?: string;
  /** The approval request the node waits for (`waiting_approval` only): what `plan.approve` decides. */
  requestId?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface PlanGraphSnapshotData {
  /** The run's thread id (`<planId>-<time>`), the name of its record file. */
  runId: string;
  planId: string;
  planVersion?: number;
  planTitle: string;
  /** The run's own status; absent when the plan has no run yet. */
  runStatus?: RunStatus;
  updatedAt: string;
  nodes: PlanGraphNodeData[];
  edges: { from: string; to: string; kind: FlowEdgeKind }[];
}

/** The webview's limit per excerpt (webview/plan/model.ts); the record keeps the start of the output. */
export const MAX_OUTPUT_EXCERPT = 8000;

const FINISHED: ReadonlySet<NodeStatus> = new Set(['done', 'skipped', 'failed']);

/**
 * The plan graph of a run: every node of `planFlow()` (joins included) with its state from the run record.
 * The executor records work nodes as they change; a control node (or a join) the record does not name gets a
 * state derived from its children, so a sequence shows `running` while one of its steps runs. Pure: the host
 * reads the files, this only combines them.
 */
export function planGraphSnapshot(
  plan: Plan,
  record: RunRecord | undefined,
  now: () => Date = () => new Date(),
): PlanGraphSnapshotData {
  const index = indexPlan(plan);
  const flow = planFlow(plan, index);
  const recorded = record?.nodes ?? {};
  const waitOf = new Map((record?.waits ?? []).map((wait) => [wait.node, wait.requestId]));
  const runFinished = record !== undefined && (record.status === 'done' || record.status === 'failed');

  const derived = new Map<string, NodeStatus>();
  const stateOf = (id: string): NodeStatus => {
    const known = derived.get(id);
    if (known) return known;
    const node = index.byId.get(id);
    let state: NodeStatus = recorded[id]?.status ?? 'pending';
    if (waitOf.has(id)) state = 'waiting_approval';
    else if (node && isControlNode(node) && recorded[id] === undefined)
      state = controlState(
        node,
        childReferences(node).map((ref) => stateOf(ref.id)),
        runFinished,
      );
    derived.set(id, state);
    return state;
  };

  const nodes: PlanGraphNodeData[] = [];
  for (const flowNode of flow.nodes) {
    const node = index.byId.get(flowNode.planNode);
    if (!node) continue;
    if (flowNode.role === 'join') {
      nodes.push({
        id: flowNode.id,
        type: 'join',
        parent: node.id,
        title: `${node.title} (join)`,
        state: joinState(node, stateOf),
        riskLevel: 'low',
        requiresApproval: false,
        attempts: 0,
      });
      continue;
    }
    nodes.push(
      graphNode(node, index.parent.get(node.id), stateOf(node.id), recorded[node.id], waitOf.get(node.id)),
    );
  }
  return {
    runId: record?.thread ?? plan.id,
    planId: plan.id,
    ...(record?.planVersion !== undefined ? { planVersion: record.planVersion } : {}),
    planTitle: plan.title,
    ...(record ? { runStatus: record.status } : {}),
    updatedAt: record?.updated ?? now().toISOString(),
    nodes,
    edges: flow.edges.map((edge) => ({ from: edge.from, to: edge.to, kind: edge.kind })),
  };
}

function graphNode(
  node: PlanNode,
  parent: string | undefined,
  state: NodeStatus,
  recorded: RunRecordNode | undefined,
  requestId: string | undefined,
): PlanGraphNodeData {
  const excerpt = recorded?.outputExcerpt;
  return {
    id: node.id,
    type: node.type,
    ...(parent !== undefined ? { parent } : {}),
    title: node.title,
    state,
    riskLevel: node.riskLevel,
    requiresApproval: node.requiresApproval || node.type === 'human_approval',
    attempts: recorded?.attempts ?? 0,
    ...(excerpt !== undefined && excerpt !== ''
      ? {
          outputExcerpt: excerpt.length > MAX_OUTPUT_EXCERPT ? excerpt.slice(0, MAX_OUTPUT_EXCERPT) : excerpt,
        }
      : {}),
    ...(recorded?.error ? { error: recorded.error } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(recorded?.startedAt ? { startedAt: recorded.startedAt } : {}),
    ...(recorded?.finishedAt ? { finishedAt: recorded.finishedAt } : {}),
  };
}

/**
 * A control node's state from its children's. Work under way below it makes it `running` (never
 * `waiting_approval`: the graph points at the node that waits, not at every block around it); a failure below
 * makes it `failed`. A conditional is done once its branch is (the other branch stays pending forever), and a
 * block whose run is over counts as done even if some of it never ran.
 */
export function controlState(node: PlanNode, children: NodeStatus[], runFinished: boolean): NodeStatus {
  if (children.length === 0) return runFinished ? 'done' : 'pending';
  if (children.some((s) => s === 'running' || s === 'waiting_approval')) return 'running';
  if (children.some((s) => s === 'failed')) return 'failed';
  if (children.every((s) => s === 'pending')) return 'pending';
  if (children.every((s) => s === 'skipped')) return 'skipped';
  if (children.every((s) => FINISHED.has(s))) return 'done';
  if (node.type === 'conditional' && children.some((s) => s === 'done')) return 'done';
  // Some children finished, others not yet: the block is between two of its steps.
  return runFinished ? 'done' : 'running';
}

/** A parallel block's join is reached when every child finished, and shares the block's failure. */
function joinState(block: PlanNode, stateOf: (id: string) => NodeStatus): NodeStatus {
  const children = childReferences(block).map((ref) => stateOf(ref.id));
  if (children.some((s) => s === 'failed')) return 'failed';
  if (children.length > 0 && children.every((s) => s === 'skipped')) return 'skipped';
  return children.every((s) => FINISHED.has(s)) ? 'done' : 'pending';
}
