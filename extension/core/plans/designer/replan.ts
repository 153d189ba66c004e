import { ErrorCode, FleetError } from '../../errors';
import type { RunRecord } from '../executor/runRecord';
import {
  childReferences,
  type Condition,
  type NodeStatus,
  type Operand,
  type Plan,
  type PlanNode,
} from '../planSchema';
import type { PlanStore, SavedPlanVersion } from '../planStore';
import { formatPlanProblem, validatePlan } from '../validatePlan';
import type { DesignModel } from './designModel';
import { designPlan } from './designPlan';

export interface ReplanOptions {
  plan: Plan;
  run: RunRecord;
  /** A new goal for the rest of the work; the plan's goal otherwise. */
  goal?: string;
  /** Where the new version is saved; without it the plan is only returned. */
  store?: PlanStore;
  /**
   * With a model and a new goal, the model designs the rest: it is sent the run's state (what is done, the
   * rest of the plan as left by the structural re-plan) and the new goal. Without either, the structural
   * re-plan is the new version.
   */
  model?: DesignModel | undefined;
  /** For the model's workspace facts. */
  workspace?: string;
  builtinProfilesDir?: string;
  maxRepairs?: number;
}

export interface ReplanOutcome {
  plan: Plan;
  /** Nodes left out because the run finished them (done), with everything they contain. */
  removed: string[];
  /** Conditions that read a removed node now read a plan input holding what the run recorded. */
  inputs: Record<string, unknown>;
  /** What the new plan cannot know (e.g. a removed node's output, which run records do not keep). */
  warnings: string[];
  note: string;
  saved?: SavedPlanVersion;
  /** `structure`: the plan minus its done nodes; `model`: designed for the new goal from the run's state. */
  source: 'structure' | 'model';
  /** Model requests (0 for a structural re-plan). */
  attempts: number;
}

// Only done: a node is also "skipped" when a failure stopped the run before it, and such a node must run.
// The skipped branch of a finished conditional goes with the conditional.
const FINISHED: readonly NodeStatus[] = ['done'];

/**
 * The rest of a run as a new version of its plan. Work the run finished (done) is left out with everything it
 * contains; a sequence or parallel block keeps its unfinished children in order and disappears
 * when none are left; a conditional or loop that is not finished is kept whole, since it decides (or repeats)
 * again from the start in the new run. Failed, running, waiting and skipped nodes are kept: they run (again). Conditions
 * that read a left-out node (`$.nodes.test.status`) read an input instead (`$.inputs.prior_test_status`) whose
 * default is what the run recorded, so a branch decided by finished work is decided the same way. Saved with
 * the note "replanned from <thread>".
 */
export async function replan(options: ReplanOptions): Promise<ReplanOutcome> {
  const { plan, run } = options;
  if (run.planId !== plan.id)
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `Run ${run.thread} belongs to plan "${run.planId}", not "${plan.id}"`,
      { thread: run.thread, planId: plan.id },
    );
  const byId = new Map(plan.nodes.map((node) => [node.id, node]));
  const status = (id: string): NodeStatus => run.nodes[id]?.status ?? 'pending';
  const removed = new Set<string>();
  const kept = new Map<string, PlanNode>();

  const removeAll = (id: string): void => {
    removed.add(id);
    const node = byId.get(id);
    if (node) for (const ref of childReferences(node)) removeAll(ref.id);
  };
  const keepAll = (id: string): void => {
    const node = byId.get(id);
    if (!node) return;
    kept.set(id, node);
    for (const ref of childReferences(node)) keepAll(ref.id);
  };
  /** True when the node stays in the new plan. */
  const visit = (id: string): boolean => {
    const node = byId.get(id);
    if (!node) return false;
    if (FINISHED.includes(status(id))) {
      removeAll(id);
      return false;
    }
    if (node.type === 'sequence' || node.type === 'parallel') {
      const children = node.children.filter(visit);
      if (children.length === 0) {
        removed.add(id);
        return false;
      }
      kept.set(id, { ...node, children });
      return true;
    }
    keepAll(id);
    return true;
  };

  if (!visit(plan.root))
    throw new FleetError(
      ErrorCode.PlanInvalid,
      `Every step of run ${run.thread} is finished: nothing is left to re-plan`,
      { thread: run.thread, planId: plan.id },
    );

  const inputs: Record<string, unknown> = {};
  const warnings: string[] = [];
  const rewrite = (operand: Operand): Operand => {
    if (typeof operand !== 'string') return operand;
    const match = /^\$\.nodes\.([^.]+)\.(\w+)(.*)$/.exec(operand);
    if (!match || !removed.has(match[1]!)) return operand;
    const [, id, field, rest] = match as unknown as [string, string, string, string];
    const name = inputName(id, field);
    const recorded = run.nodes[id];
    const value =
      field === 'status'
        ? status(id)
        : field === 'attempts'
          ? (recorded?.attempts ?? null)
          : field === 'error'
            ? (recorded?.error ?? null)
            : null;
    if (field === 'output' || field === 'iterations')
      warnings.push(
        `"${operand}" read the ${field} of "${id}", which run records do not keep: it now reads null ` +
          `($.inputs.${name}${rest}); check that condition`,
      );
    inputs[name] = value;
    return `$.inputs.${name}${rest}`;
  };
  const rewriteCondition = (condition: Condition): Condition => {
    const out: Condition = {};
    for (const key of ['equals', 'notEquals', 'greaterThan', 'lessThan', 'contains'] as const) {
      const pair = condition[key];
      if (pair) out[key] = [rewrite(pair[0]), rewrite(pair[1])];
    }
    if (condition.exists !== undefined) out.exists = rewrite(condition.exists) as string;
    if (condition.all) out.all = condition.all.map(rewriteCondition);
    if (condition.any) out.any = condition.any.map(rewriteCondition);
    if (condition.not) out.not = rewriteCondition(condition.not);
    return out;
  };

  // Nodes in their original order, so a version diff reads as "these were removed".
  const nodes = plan.nodes
    .filter((node) => kept.has(node.id))
    .map((original) => {
      const node = kept.get(original.id)!;
      if (node.type === 'conditional') return { ...node, condition: rewriteCondition(node.condition) };
      if (node.type === 'loop' && node.until) return { ...node, until: rewriteCondition(node.until) };
      return node;
    });
  const goal = options.goal?.trim() || plan.goal;
  const note = `replanned from ${run.thread}`;
  const removedList = plan.nodes.filter((node) => removed.has(node.id)).map((node) => node.id);
  const description = [
    plan.description,
    `Re-planned from run ${run.thread}: ${removedList.length} finished node(s) left out (${removedList.join(', ')}).`,
  ]
    .filter(Boolean)
    .join('\n');
  const candidate = {
    ...plan,
    description,
    ...(goal !== undefined ? { goal } : {}),
    inputs: { ...plan.inputs, ...inputs },
    nodes,
  };
  const validation = validatePlan(candidate);
  if (!validation.ok || !validation.plan)
    throw new FleetError(
      ErrorCode.PlanInvalid,
      `The re-planned rest of run ${run.thread} is not a valid plan: ${validation.problems
        .filter((p) => p.severity === 'error')
        .map((p) => formatPlanProblem(p))
        .join('; ')}`,
      { thread: run.thread },
    );
  let result = validation.plan;
  let attempts = 0;
  const newGoal = options.goal?.trim();
  if (options.model && newGoal && newGoal !== plan.goal) {
    const designed = await designPlan({
      goal: newGoal,
      model: options.model,
      workspace: options.workspace ?? run.workspace,
      ...(options.builtinProfilesDir !== undefined ? { builtinProfilesDir: options.builtinProfilesDir } : {}),
      ...(options.maxRepairs !== undefined ? { maxRepairs: options.maxRepairs } : {}),
      context: {
        replanning_from_run: run.thread,
        previous_goal: plan.goal ?? null,
        done: removedList.map((id) => ({ id, title: plan.nodes.find((n) => n.id === id)?.title ?? id })),
        not_done: Object.entries(run.nodes)
          .filter(([id, state]) => state.status !== 'done' && kept.has(id))
          .map(([id, state]) => ({
            id,
            status: state.status,
            ...(state.error ? { error: state.error } : {}),
          })),
        remaining_plan: result,
        instructions:
          'Design only what is still to do for the goal; the done steps are finished and must not be repeated.',
      },
    });
    // The same plan id: the designed rest is the plan's next version, next to the one the run ran.
    const same = validatePlan({ ...designed.plan, id: plan.id });
    if (!same.ok || !same.plan)
      throw new FleetError(ErrorCode.PlanInvalid, `The re-designed plan does not validate as "${plan.id}"`);
    result = same.plan;
    attempts = designed.attempts;
  }
  const saved = options.store ? await options.store.save(result, { note }) : undefined;
  return {
    plan: result,
    removed: removedList,
    inputs,
    warnings,
    note,
    source: attempts > 0 ? 'model' : 'structure',
    attempts,
    ...(saved ? { saved } : {}),
  };
}

/** `prior_<id>_<field>` in the characters an input name allows, at most 64 of them. */
function inputName(id: string, field: string): string {
  return `prior_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 63 - field.length) + `_${field}`;
}
