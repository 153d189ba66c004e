import { z } from 'zod';
import { RISK_LEVELS } from '../../decisions/decisionSchema';
import { NODE_TYPES, PLAN_SCHEMA_VERSION, type PlanNodeInput } from '../planSchema';

/**
 * What the model answers when it designs a plan: a "design", simpler than the Plan Schema and converted to a
 * plan by `designToPlan`. Why not the Plan Schema itself as the structured output: OpenAI's strict structured
 * outputs need every property listed and no open records, and the Plan Schema has a recursive `Condition`,
 * discriminated unions nested two deep (node type, then action kind / agent target / completion kind), records
 * (`env`, `headers`, MCP `arguments`) and defaults. The design is one flat node object with every field of every
 * type, the ones a type does not use left null; conditions and MCP arguments are JSON text (parsed here, a parse
 * failure is a problem sent back like a validation problem). The root description carries the `fleetai:design`
 * tag the fake model server reads.
 */

const text = z.string().min(1);

export const designNodeSchema = z.object({
  id: text.describe('Unique id: a letter, then letters, digits, "_" or "-" (no dots)'),
  type: z.enum(NODE_TYPES),
  title: text.describe('What the step does, for people'),
  children: z
    .array(z.string())
    .nullish()
    .describe('sequence and parallel: ids of the nodes they contain, in order'),
  max_concurrency: z.number().int().nullish().describe('parallel: at most this many children at once (1-10)'),
  condition: z
    .string()
    .nullish()
    .describe('conditional: the condition as JSON text, e.g. {"equals": ["$.nodes.test.status", "done"]}'),
  then: z.string().nullish().describe('conditional: id of the node run when the condition holds'),
  else: z.string().nullish().describe('conditional: id of the node run otherwise (null: nothing)'),
  body: z.string().nullish().describe('loop: id of the node repeated (a sequence for several steps)'),
  max_iterations: z.number().int().nullish().describe('loop: at most this many passes (required for a loop)'),
  until: z
    .string()
    .nullish()
    .describe('loop: condition as JSON text checked after each pass; null: no check'),
  question: z.string().nullish().describe('human_approval: what the person is asked to approve'),
  details: z.string().nullish().describe('human_approval: what to look at before deciding'),
  agent_kind: z
    .string()
    .nullish()
    .describe('agent_invocation: one of the workspace agent kinds (codex, claude, ...)'),
  branch: z.string().nullish().describe('agent_invocation and local_task: git branch to work on'),
  prompt: z.string().nullish().describe('agent_invocation: what the agent is asked to do'),
  command: z
    .array(z.string())
    .nullish()
    .describe('local_task: a program and its arguments, e.g. ["npm", "test"] (no shell)'),
  script: z.string().nullish().describe('local_task: a shell script (when command is null)'),
  server: z.string().nullish().describe('mcp_tool: alias of an MCP server of the workspace'),
  tool: z.string().nullish().describe('mcp_tool: the tool name'),
  arguments: z.string().nullish().describe('mcp_tool: the tool arguments as JSON object text'),
  service: z.string().nullish().describe('external_service: the service name, for people'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).nullish(),
  url: z.string().nullish().describe('external_service: http(s) URL'),
  risk: z.enum(RISK_LEVELS).nullish().describe('How much harm the node can do; low by default'),
  requires_approval: z.boolean().nullish().describe('A person approves before this node runs'),
  retries: z.number().int().nullish().describe('Work nodes: further attempts after a failure (0-10)'),
  continue_on_error: z.boolean().nullish().describe('Work nodes: a failure does not stop the plan'),
  timeout_seconds: z.number().nullish(),
});
export type DesignNode = z.infer<typeof designNodeSchema>;

export const designSchema = z
  .object({
    id: text.describe('Plan id: letters, digits, ".", "_", "-" (it names a folder)'),
    title: text,
    description: z.string().nullish(),
    root: text.describe('Id of the node the run starts with (usually a sequence)'),
    nodes: z.array(designNodeSchema).min(1).describe('Every node, each once; contained nodes named by id'),
  })
  .describe('fleetai:design - a FleetAI plan (a tree of steps) designed for a goal');
export type Design = z.infer<typeof designSchema>;

/** A design field that could not be turned into a plan field; the path is the design's. */
export interface DesignProblem {
  path: (string | number)[];
  message: string;
}

/** Present and not null. */
function given<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

function parseJsonField(value: string, path: (string | number)[], problems: DesignProblem[]): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    problems.push({
      path,
      message: `not JSON text (${error instanceof Error ? error.message : String(error)})`,
    });
    return undefined;
  }
}

/**
 * The plan a design describes, node for node in the same order (so `nodes[3]` in a validation problem is the
 * design's `nodes[3]` too). Fields a node type does not use are dropped; what is missing is left missing, for
 * `validatePlan` to name. Problems are only the JSON text fields that do not parse.
 */
export function designToPlan(
  design: Design,
  goal: string,
): { plan: Record<string, unknown>; problems: DesignProblem[] } {
  const problems: DesignProblem[] = [];
  const nodes = design.nodes.map((node, index) => convertNode(node, index, problems));
  const plan: Record<string, unknown> = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    id: design.id,
    title: design.title,
    ...(given(design.description) && design.description.trim() ? { description: design.description } : {}),
    goal,
    root: design.root,
    nodes,
  };
  return { plan, problems };
}

function convertNode(node: DesignNode, index: number, problems: DesignProblem[]): PlanNodeInput {
  const at = (field: string): (string | number)[] => ['nodes', index, field];
  const condition = (field: 'condition' | 'until'): unknown =>
    given(node[field]) ? parseJsonField(node[field], at(field), problems) : undefined;
  const base = {
    id: node.id,
    title: node.title,
    ...(given(node.risk) ? { riskLevel: node.risk } : {}),
    ...(given(node.requires_approval) ? { requiresApproval: node.requires_approval } : {}),
    ...(given(node.timeout_seconds) ? { timeoutSeconds: node.timeout_seconds } : {}),
  };
  const work = {
    ...(given(node.retries) ? { retries: node.retries } : {}),
    ...(given(node.continue_on_error) ? { continueOnError: node.continue_on_error } : {}),
  };
  // Casts: a design may miss required fields on purpose-less nodes; validatePlan names them field by field.
  switch (node.type) {
    case 'sequence':
      return { type: 'sequence', ...base, children: node.children ?? [] };
    case 'parallel':
      return {
        type: 'parallel',
        ...base,
        children: node.children ?? [],
        ...(given(node.max_concurrency) ? { maxConcurrency: node.max_concurrency } : {}),
      };
    case 'conditional':
      return {
        type: 'conditional',
        ...base,
        condition: condition('condition'),
        then: node.then,
        ...(given(node.else) ? { else: node.else } : {}),
      } as PlanNodeInput;
    case 'loop': {
      const until = condition('until');
      return {
        type: 'loop',
        ...base,
        body: node.body,
        maxIterations: node.max_iterations,
        ...(until !== undefined ? { until } : {}),
      } as PlanNodeInput;
    }
    case 'human_approval':
      return {
        type: 'human_approval',
        ...base,
        ...(given(node.continue_on_error) ? { continueOnError: node.continue_on_error } : {}),
        question: node.question,
        ...(given(node.details) ? { details: node.details } : {}),
      } as PlanNodeInput;
    case 'local_task': {
      const [program, ...args] = node.command ?? [];
      const branch = given(node.branch) ? { branch: node.branch } : {};
      const action =
        program !== undefined
          ? { kind: 'command', command: program, args, ...branch }
          : given(node.script)
            ? { kind: 'script', script: node.script, ...branch }
            : undefined;
      if (action === undefined)
        problems.push({ path: at('command'), message: 'a local_task needs a command (or a script)' });
      return { type: 'local_task', ...base, ...work, action } as PlanNodeInput;
    }
    case 'agent_invocation':
      return {
        type: 'agent_invocation',
        ...base,
        ...work,
        agent: {
          type: 'kind',
          agentKind: node.agent_kind,
          ...(given(node.branch) ? { branch: node.branch } : {}),
        },
        prompt: node.prompt,
      } as PlanNodeInput;
    case 'mcp_tool':
      return {
        type: 'mcp_tool',
        ...base,
        ...work,
        server: node.server,
        tool: node.tool,
        ...(given(node.arguments)
          ? { arguments: parseJsonField(node.arguments, at('arguments'), problems) }
          : {}),
      } as PlanNodeInput;
    case 'external_service':
      return {
        type: 'external_service',
        ...base,
        ...work,
        ...(given(node.service) ? { service: node.service } : {}),
        ...(given(node.method) ? { method: node.method } : {}),
        url: node.url,
      } as PlanNodeInput;
  }
}
