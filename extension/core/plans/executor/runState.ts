import { Annotation } from '@langchain/langgraph';
import type { NodeStatus } from '../planSchema';

/** What a run knows about one plan node (work and control nodes alike); conditions read these fields. */
export interface NodeRunState {
  status: NodeStatus;
  output?: unknown;
  error?: string;
  attempts?: number;
  /** Loops: passes of the body finished so far. */
  iterations?: number;
  /** Conditionals: the branch taken, decided once per pass. */
  branch?: 'then' | 'else' | 'none';
}

export type NodeStates = Record<string, NodeRunState>;

/** Parallel work nodes return their own entries in the same step: entries are merged, a node's replaced whole. */
function mergeNodes(current: NodeStates, update: NodeStates): NodeStates {
  return { ...current, ...update };
}

/**
 * The LangGraph state of a plan run. `ready` is what the scheduler chose for the next step; `outcome` is set
 * once the plan is finished.
 */
export const RunAnnotation = Annotation.Root({
  inputs: Annotation<Record<string, unknown>>({ reducer: (_a, b) => b, default: () => ({}) }),
  nodes: Annotation<NodeStates>({ reducer: mergeNodes, default: () => ({}) }),
  ready: Annotation<string[]>({ reducer: (_a, b) => b, default: () => [] }),
  outcome: Annotation<'done' | 'failed' | undefined>({ reducer: (_a, b) => b, default: () => undefined }),
});

export type RunState = typeof RunAnnotation.State;
