import { ErrorCode, FleetError } from '../../errors';
import { NODE_TYPES, type Plan } from '../planSchema';
import { findTemplate, PLAN_TEMPLATES, type TemplateParams } from '../templates';
import { formatPlanProblem, validatePlan } from '../validatePlan';
import { chooseTemplate } from './chooseTemplate';
import type { DesignModel } from './designModel';
import { designToPlan, type Design } from './designSchema';
import { readWorkspaceFacts, type WorkspaceFacts } from './workspaceFacts';

export const DEFAULT_MAX_REPAIRS = 2;

export interface DesignPlanOptions {
  goal: string;
  /** No model: a built-in template gives the plan. */
  model?: DesignModel | undefined;
  workspace: string;
  /** Requests after the first that send the problems back; the model is asked at most maxRepairs + 1 times. */
  maxRepairs?: number;
  /** More for the model to know (a re-plan sends the run's state); sent as JSON. */
  context?: Record<string, unknown>;
  /** Use this template (its id) instead of the model or the keyword choice. */
  template?: string;
  /** The shipped agent profiles (`agents-config/`), for the agent kinds the model may name. */
  builtinProfilesDir?: string;
  /** Already read (tests, a re-plan that read them). */
  facts?: WorkspaceFacts;
  /** Parameters for a template beyond the goal (branch, base...). */
  templateParams?: Omit<TemplateParams, 'goal'>;
}

export interface DesignRound {
  attempt: number;
  /** The problems of this attempt's answer, as sent back to the model. */
  problems: string[];
}

export interface DesignOutcome {
  plan: Plan;
  source: 'model' | 'template';
  /** The template's id when one was used. */
  template?: string;
  /** The model's name when one was used. */
  model?: string;
  /** Model requests made (0 for a template). */
  attempts: number;
  /** The attempts that were refused, in order. */
  rounds: DesignRound[];
  /** Validation warnings of the final plan (the plan runs with them). */
  warnings: string[];
}

/**
 * The model's standing instructions. The design schema's field descriptions travel with the JSON schema; this
 * says what a good plan is and how to answer a list of problems.
 */
export const DESIGN_INSTRUCTIONS = [
  'You design FleetAI plans. A plan is a tree of steps that FleetAI runs for a software goal: control nodes',
  '(sequence, parallel, conditional, loop) name the nodes they contain by id; work nodes are agent_invocation',
  '(a prompt to an AI coding agent of one of the workspace agent kinds), local_task (a program with arguments,',
  'or a shell script), mcp_tool (a tool of an MCP server the workspace names), external_service (an HTTP call),',
  'and human_approval (a person decides).',
  'Rules: every node has a unique id; every node except the root appears exactly once in one control node;',
  'the root is usually a sequence; a loop needs max_iterations; conditions are JSON text such as',
  '{"equals": ["$.nodes.test.status", "done"]} reading "$.nodes.<id>.status|output|error|attempts|iterations".',
  'Use only the agent kinds and MCP servers listed in the input. A good plan for a code change: plan, implement,',
  'test, review, then a human_approval before anything risky (a merge, a deploy, deleting data).',
  'Fill every field; use null for the fields a node type does not use.',
  'When the input has "problems", they are the problems of "previous_design" (converted to a plan: paths such as',
  'nodes[3].action.command name plan fields): answer the whole design again with every problem fixed.',
].join('\n');

/**
 * A goal becomes a plan. With a model: the goal, the workspace facts and the node types go to the model, whose
 * design is converted to a plan and validated; the problems go back to it, at most `maxRepairs` times, and if
 * the plan still has problems the Designer gives up with E_PLAN_INVALID listing them (a model that cannot be
 * reached or answers an HTTP error ends it at once with that error's code). Without a model (or with
 * `template`): a built-in template chosen by keywords of the goal (English and Chinese).
 */
export async function designPlan(options: DesignPlanOptions): Promise<DesignOutcome> {
  const goal = options.goal.trim();
  if (!goal) throw new FleetError(ErrorCode.ConfigInvalid, 'A plan design needs a goal');
  const facts =
    options.facts ?? (await readWorkspaceFacts(options.workspace, options.builtinProfilesDir ?? ''));
  if (options.template !== undefined || !options.model) return fromTemplate(goal, facts, options);
  return fromModel(goal, facts, options.model, options);
}

function fromTemplate(goal: string, facts: WorkspaceFacts, options: DesignPlanOptions): DesignOutcome {
  const template = options.template !== undefined ? findTemplate(options.template) : chooseTemplate(goal);
  if (!template)
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `No plan template "${options.template}" (templates: ${PLAN_TEMPLATES.map((t) => t.id).join(', ')})`,
      { template: options.template },
    );
  const agentKind = facts.agent_kinds.includes('codex') ? 'codex' : facts.agent_kinds[0];
  const validation = validatePlan(
    template.build({
      ...(agentKind ? { agentKind } : {}),
      ...(facts.test_command ? { testCommand: facts.test_command } : {}),
      ...options.templateParams,
      goal,
    }),
  );
  if (!validation.ok || !validation.plan)
    throw new FleetError(
      ErrorCode.PlanInvalid,
      `Template "${template.id}" gave an invalid plan: ${validation.problems.map((p) => formatPlanProblem(p)).join('; ')}`,
    );
  return {
    plan: validation.plan,
    source: 'template',
    template: template.id,
    attempts: 0,
    rounds: [],
    warnings: warningsOf(validation.problems),
  };
}

async function fromModel(
  goal: string,
  facts: WorkspaceFacts,
  model: DesignModel,
  options: DesignPlanOptions,
): Promise<DesignOutcome> {
  const maxRepairs = Math.max(0, Math.floor(options.maxRepairs ?? DEFAULT_MAX_REPAIRS));
  const rounds: DesignRound[] = [];
  let previous: Design | undefined;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxRepairs + 1; attempt++) {
    const input = {
      goal,
      workspace: facts,
      node_types: NODE_TYPES,
      ...(options.context ? { context: options.context } : {}),
      ...(problems.length > 0 ? { previous_design: previous ?? null, problems } : {}),
    };
    const answer = await model.design({ instructions: DESIGN_INSTRUCTIONS, input: JSON.stringify(input) });
    if (!answer.ok) {
      // An answer that is not a design is the model's mistake like an invalid plan: it gets told and tries
      // again within the same bound. An endpoint that fails will fail again: no repair can help.
      if (answer.error.code !== ErrorCode.ModelBadOutput)
        throw new FleetError(answer.error.code, answer.error.message, {
          ...answer.error.details,
          attempt,
        });
      problems = [answer.error.message];
      previous = undefined;
      rounds.push({ attempt, problems });
      continue;
    }
    const converted = designToPlan(answer.value, goal);
    const validation = validatePlan(converted.plan);
    problems = [
      ...converted.problems.map((p) => `${formatPath(p.path)}: ${p.message}`),
      ...validation.problems.filter((p) => p.severity === 'error').map((p) => formatPlanProblem(p)),
    ];
    if (problems.length === 0 && validation.plan)
      return {
        plan: validation.plan,
        source: 'model',
        model: model.name,
        attempts: attempt,
        rounds,
        warnings: warningsOf(validation.problems),
      };
    previous = answer.value;
    rounds.push({ attempt, problems });
  }
  const attempts = maxRepairs + 1;
  throw new FleetError(
    ErrorCode.PlanInvalid,
    `The model's plan still has problems after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problems.join('; ')}`,
    { attempts, problems, rounds },
  );
}

function warningsOf(problems: ReturnType<typeof validatePlan>['problems']): string[] {
  return problems.filter((p) => p.severity === 'warning').map((p) => formatPlanProblem(p));
}

/** `nodes[3].condition` (a design path: no node id, the design may not have one that is usable). */
function formatPath(path: (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
