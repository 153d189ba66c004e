import { END, interrupt, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { classifyCommand, isAtLeast, maxRisk, type ApprovalStore } from '../../approvals';
import { DEFAULT_RISK_RULES, type RiskRules } from '../../approvals/riskRules';
import type { Logger } from '../../observability/appLog';
import { indexPlan, type PlanIndex } from '../planGraph';
import { isControlNode, type Plan, type PlanNode } from '../planSchema';
import { approvalFor } from './approvalGate';
import { runLocalAction, httpRequest } from './localTasks';
import { RunAnnotation, type NodeRunState, type RunState } from './runState';
import { schedule } from './scheduler';
import {
  unsupportedAgents,
  unsupportedMcp,
  type AgentWorkPort,
  type McpWorkPort,
  type WorkContext,
  type WorkResult,
} from './workPorts';
import { timeoutSignal } from '../../timeoutSignal';
import { probeWritable } from '../../store/probeWritable';

/** The wait before attempt `attempt` (2, 3, ...): 2 s, 4 s, 8 s ... at most 60 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}

/** The graph node that runs the control nodes between steps; plan node ids start with a letter. */
export const SCHEDULER_NODE = '_schedule';

/** What `interrupt()` carries for an approval: the runner waits for this request's decision. */
export interface ApprovalWait {
  node: string;
  requestId: string;
}

export interface ExecutorEvent {
  node: string;
  status: NodeRunState['status'];
  attempt?: number;
  error?: string;
  requestId?: string;
  /** When a node finishes: the start of its output as text, for the run record and the plan graph. */
  outputExcerpt?: string;
}

/** Bytes of a node's output kept in events and run records (the whole output stays in the checkpoint). */
export const OUTPUT_EXCERPT_CHARS = 2000;

export function outputExcerpt(output: unknown): string | undefined {
  if (output === undefined || output === null) return undefined;
  const text = typeof output === 'string' ? output : JSON.stringify(output, null, 2);
  if (text === undefined) return undefined;
  return text.length > OUTPUT_EXCERPT_CHARS ? `${text.slice(0, OUTPUT_EXCERPT_CHARS)}…` : text;
}

export interface CompileOptions {
  workspace: string;
  checkpointer: BaseCheckpointSaver;
  /** Where approvals are filed; without one, nodes needing approval fail (nobody could decide). */
  approvals?: ApprovalStore;
  agents?: AgentWorkPort;
  mcp?: McpWorkPort;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** The wait before a retry; `retryDelayMs` (2 s doubling, at most 60 s) by default. */
  retryDelayMs?: (attempt: number) => number;
  /** How commands and scripts are rated; the defaults plus the workspace's allow and deny lists. */
  riskRules?: RiskRules;
  /** Called inside work nodes as they start, retry, wait and finish (the runner prints and records these). */
  onEvent?: (event: ExecutorEvent) => void;
  /**
   * The run's state folder: after a failed attempt it is checked to take writes, so a failure that came from an
   * unwritable state pauses the run (E_STATE_WRITE) instead of using up the node's attempts.
   */
  stateDir?: string;
}

/** `<node>#<pass of each enclosing loop>`: one approval per node per loop pass of a run. */
function passKey(id: string, index: PlanIndex, state: RunState): string {
  const passes: number[] = [];
  for (let at = index.parent.get(id); at !== undefined; at = index.parent.get(at)) {
    if (index.byId.get(at)?.type === 'loop') passes.unshift(state.nodes[at]?.iterations ?? 0);
  }
  return [id, ...passes].join('#');
}

/**
 * LangGraph's recursion limit (25 steps by default) would stop long plans. A plan always ends (loops are
 * bounded), and each run of a work node takes two steps (the node, then the scheduler), so this bound is
 * never reached by a correct run but still stops a scheduler bug from spinning forever.
 */
export function stepBound(plan: Plan, index: PlanIndex = indexPlan(plan)): number {
  let runs = 0;
  for (const id of index.order) {
    const node = index.byId.get(id)!;
    if (isControlNode(node)) continue;
    let times = 1;
    for (let at = index.parent.get(id); at !== undefined; at = index.parent.get(at)) {
      const parent = index.byId.get(at);
      if (parent?.type === 'loop') times *= parent.maxIterations;
    }
    runs += times;
  }
  return Math.min(Number.MAX_SAFE_INTEGER, 2 * runs + 10);
}

async function attemptOnce(node: PlanNode, key: string, options: CompileOptions): Promise<WorkResult> {
  const signal =
    node.timeoutSeconds !== undefined
      ? timeoutSignal(node.timeoutSeconds * 1000)
      : new AbortController().signal;
  const context: WorkContext = {
    workspace: options.workspace,
    signal,
    env: options.env ?? process.env,
    ...(options.log ? { log: options.log } : {}),
  };
  switch (node.type) {
    case 'local_task':
      return runLocalAction(node.action, context);
    case 'external_service':
      return httpRequest(node, context);
    case 'agent_invocation':
      return (options.agents ?? unsupportedAgents).invokeAgent(node, key, context);
    case 'mcp_tool':
      return (options.mcp ?? unsupportedMcp).callTool(node, key, context);
    default:
      return { ok: true, output: null };
  }
}

/**
 * Compiles a valid plan to a LangGraph StateGraph: one graph node per work node (human_approval included) and
 * one scheduler node. START leads to the scheduler; the scheduler's conditional edge fans out to every work node
 * it found ready (they run in the same step, at most MAX_PARALLEL); each work node leads back to the scheduler,
 * which walks the control nodes (sequence, parallel, conditional, loop) over the new state, or ends the run.
 */
export function compilePlan(plan: Plan, options: CompileOptions) {
  const index = indexPlan(plan);
  const emit = options.onEvent ?? (() => undefined);
  const builder = new StateGraph(RunAnnotation);
  // StateGraph's types track node names added one by one; these are added by name at run time.
  const graph = builder as unknown as {
    addNode(
      name: string,
      run: (state: RunState, config: LangGraphRunnableConfig) => Promise<Partial<RunState>>,
    ): void;
    addEdge(from: string, to: string): void;
    addConditionalEdges(from: string, route: (state: RunState) => string[], ends: string[]): void;
  };
  const workIds = index.order.filter((id) => !isControlNode(index.byId.get(id)!));

  graph.addNode(SCHEDULER_NODE, (state) => Promise.resolve(schedule(plan, state.nodes, state.inputs, index)));
  graph.addEdge(START, SCHEDULER_NODE);
  graph.addConditionalEdges(
    SCHEDULER_NODE,
    (state) => (state.outcome !== undefined || state.ready.length === 0 ? [END] : state.ready),
    [...workIds, END],
  );

  for (const id of workIds) {
    const node = index.byId.get(id)!;
    graph.addNode(id, async (state, config) => {
      const thread = String(config.configurable?.thread_id ?? 'run');
      const key = passKey(id, index, state);
      const finish = (update: NodeRunState): Partial<RunState> => {
        const excerpt = outputExcerpt(update.output);
        emit({
          node: id,
          status: update.status,
          ...(update.error ? { error: update.error } : {}),
          ...(excerpt !== undefined ? { outputExcerpt: excerpt } : {}),
        });
        return { nodes: { [id]: update } };
      };

      // A command or script is rated like any command FleetAI types (the risk rules): a denied one never runs,
      // a high or critical one waits for a person even when the plan did not ask for an approval.
      const rated = rateCommand(node, options.workspace, options.riskRules ?? DEFAULT_RISK_RULES);
      if (rated?.denied)
        return finish({
          status: 'failed',
          error: `denied by the risk rules: ${rated.reasons.join('; ')}`,
          attempts: 0,
        });
      // An MCP tool is rated by its server's labels and annotations: a high or critical one waits for a person
      // unless the server config always allows it.
      const tool = node.type === 'mcp_tool' && options.mcp?.rate ? await options.mcp.rate(node) : undefined;
      const toolRisk = tool && !tool.alwaysAllow ? tool.risk : undefined;
      const found = rated?.risk ?? toolRisk;
      const risky = found !== undefined && isAtLeast(found, 'high');
      if (node.type === 'human_approval' || node.requiresApproval || risky) {
        if (!options.approvals)
          return finish({ status: 'failed', error: 'no approvals store / 没有审批存储' });
        const asked = found ? { ...node, riskLevel: maxRisk(node.riskLevel, found) } : node;
        const answer = await approvalFor(options.approvals, {
          planId: plan.id,
          thread,
          node: asked,
          passKey: key,
        });
        let state2 = answer.state;
        if (state2 === 'pending') {
          emit({ node: id, status: 'waiting_approval', requestId: answer.requestId });
          // Throws the first time; on resume returns the decision the runner read from the store.
          const resumed = interrupt<ApprovalWait, string>({ node: id, requestId: answer.requestId });
          state2 = resumed === 'approve' || resumed === 'approve_for_session' ? 'approved' : 'denied';
        }
        if (state2 === 'denied') {
          return finish({
            status: 'failed',
            error: `denied (request ${answer.requestId}) / 已拒绝`,
            attempts: 0,
          });
        }
        if (node.type === 'human_approval') {
          return finish({ status: 'done', output: { decision: 'approve', requestId: answer.requestId } });
        }
      }

      emit({ node: id, status: 'running' });
      const tries = 'retries' in node ? node.retries + 1 : 1;
      let last: WorkResult = { ok: false, error: 'not run' };
      for (let attempt = 1; attempt <= tries; attempt++) {
        if (attempt > 1) {
          emit({ node: id, status: 'running', attempt, error: last.ok ? '' : last.error });
          // A server that just went away (an MCP reconnect starts after 5 s) gets time to come back.
          await new Promise((resolve) =>
            setTimeout(resolve, (options.retryDelayMs ?? retryDelayMs)(attempt)),
          );
        }
        last = await attemptOnce(node, `${thread}/${key}/${attempt}`, options);
        if (last.ok) return finish({ status: 'done', output: last.output, attempts: attempt });
        // Throws E_STATE_WRITE when the state folder refuses writes: the run pauses here, attempts kept.
        if (options.stateDir !== undefined) await probeWritable(options.stateDir);
      }
      return finish({
        status: 'failed',
        error: last.ok ? '' : last.error,
        attempts: tries,
        ...(last.output !== undefined ? { output: last.output } : {}),
      });
    });
    graph.addEdge(id, SCHEDULER_NODE);
  }
  return builder.compile({ checkpointer: options.checkpointer });
}

export type CompiledPlan = ReturnType<typeof compilePlan>;

/** The command line a `local_task` runs (command or script), rated by the risk rules; undefined otherwise. */
function rateCommand(
  node: PlanNode,
  workspace: string,
  rules: RiskRules,
): ReturnType<typeof classifyCommand> | undefined {
  if (node.type !== 'local_task') return undefined;
  const text =
    node.action.kind === 'command'
      ? [node.action.command, ...node.action.args].join(' ')
      : node.action.kind === 'script'
        ? node.action.script
        : undefined;
  return text === undefined ? undefined : classifyCommand(text, rules, { workspaceRoot: workspace });
}
