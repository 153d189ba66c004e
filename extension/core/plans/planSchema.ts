import { z } from 'zod';
import { RiskSchema } from '../approvals/risk';
import { SCHEMA_TEXT } from './planMessages';

/**
 * The Plan Schema (seed 004, issue 6): what a plan is, as the Designer writes it, the validator checks it, the
 * executor compiles it to LangGraph.js and the plan graph draws it.
 *
 * ## Representation: a tree of control nodes, stored flat
 *
 * A plan is one flat array `nodes`, each with an `id`, plus the id of its `root`. Control nodes (`sequence`,
 * `parallel`, `conditional`, `loop`) name the nodes they contain by id (`children`, `then`/`else`, `body`); the
 * other nodes are the work (`local_task`, `agent_invocation`, `mcp_tool`, `external_service`) and the
 * `human_approval` gates. Every node has exactly one place: the root, or one reference from one control node.
 *
 * Why a tree rather than free nodes + edges:
 * - Structured control flow compiles to a fixed LangGraph pattern per construct (a sequence is a chain of edges,
 *   a parallel block a fan-out and a join, a conditional a conditional edge, a loop a bounded back edge). With
 *   free edges the executor would have to guess what a node with two incoming edges waits for (all? any?),
 *   where a loop starts and ends, and what bounds it; arbitrary goto graphs cannot be checked for that.
 * - Repetition exists only as a `loop` with `maxIterations`, so every plan terminates; a cycle anywhere else is a
 *   mistake the validator names (a node that contains itself).
 * - Parallel joins are explicit: the end of a `parallel` block waits for every child.
 *
 * Why flat rather than nested JSON:
 * - Every node is addressable the same way everywhere: in error messages (`nodes[3] (id "test")`), in conditions
 *   (`$.nodes.test.status`), in checkpoints and in the graph webview.
 * - A model writes it reliably with structured output (no recursive schema for nodes), and versions diff well.
 *
 * `planFlow()` (planGraph.ts) derives the drawn / compiled edges from the tree, so the executor and the webview
 * agree on one graph.
 *
 * Conditions are data, never code: `{ "equals": ["$.nodes.test.status", "done"] }`. A string operand starting
 * with `$.` is a path into the run's state (`$.nodes.<id>.status|output|error|attempts|iterations`,
 * `$.inputs.<name>`); anything else is a literal.
 */

export const PLAN_SCHEMA_VERSION = 1;
/** Written by extension/build/gen-schemas.mjs into config/ for editors. */
export const PLAN_SCHEMA_FILE = 'plan.schema.json';

export const CONTROL_NODE_TYPES = ['sequence', 'parallel', 'conditional', 'loop'] as const;
export const WORK_NODE_TYPES = [
  'human_approval',
  'local_task',
  'agent_invocation',
  'mcp_tool',
  'external_service',
] as const;
export const NODE_TYPES = [...CONTROL_NODE_TYPES, ...WORK_NODE_TYPES] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export type ControlNodeType = (typeof CONTROL_NODE_TYPES)[number];

/** The states a node goes through in a run (the graph webview colours them; conditions compare with them). */
export const NODE_STATUSES = ['pending', 'running', 'waiting_approval', 'done', 'failed', 'skipped'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** What a condition may read of a node: `$.nodes.<id>.<field>` (`output` may go deeper). */
export const NODE_STATE_FIELDS = ['status', 'output', 'error', 'attempts', 'iterations'] as const;

/** Seed 004: at most 10 nodes run at once. */
export const MAX_PARALLEL = 10;
/** Loops are bounded; a thousand passes is already far beyond any plan a person reviews. */
export const MAX_LOOP_ITERATIONS = 1000;
/** Retries after the first failure; the default gives the issue's "a node failing 3 times is marked for a human". */
export const DEFAULT_RETRIES = 2;
export const MAX_RETRIES = 10;
/** One week: longer than any step of a plan should take, short enough to catch `timeoutSeconds: 1e12`. */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const MAX_NODES = 5000;

const t = SCHEMA_TEXT;

/** Node ids appear in `$.nodes.<id>` paths, so no dots; they also name checkpoint entries and graph nodes. */
export const NodeId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, t.nodeId.en);
/** A plan id names its folder under `.fleetai/state/plans/`. */
export const PlanId = z.string().regex(/^[A-Za-z0-9][\w.-]{0,63}$/, t.planId.en);
const InputName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, t.inputName.en);
const AgentKindName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, t.agentKind.en);
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, t.envName.en);
const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, t.headerName.en);
const Text = z.string().trim().min(1, t.emptyText.en);
const Seconds = z.number().positive().max(MAX_TIMEOUT_SECONDS);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const JsonValue: z.ZodType<Json> = z.json();

// ---------------------------------------------------------------------------------------------- conditions

/** A literal, or (a string starting with `$.`) a path into the run's state. */
const Operand = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .describe('A literal value, or a path into the run state such as "$.nodes.test.status".');
const StatePath = z
  .string()
  .startsWith('$.', t.conditionPath.en)
  .describe(
    'A path into the run state: "$.nodes.<id>.status|output|error|attempts|iterations" or "$.inputs.<name>".',
  );
const Pair = z.tuple([Operand, Operand]);

const CONDITION_KEYS = [
  'equals',
  'notEquals',
  'greaterThan',
  'lessThan',
  'contains',
  'exists',
  'all',
  'any',
  'not',
] as const;

export type Operand = z.infer<typeof Operand>;
export interface Condition {
  equals?: [Operand, Operand];
  notEquals?: [Operand, Operand];
  greaterThan?: [Operand, Operand];
  lessThan?: [Operand, Operand];
  contains?: [Operand, Operand];
  exists?: string;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

/**
 * One object with exactly one operator key: that shape gives precise errors ("unknown key "equal"") where a
 * union of ten object shapes would only say "invalid input".
 */
export const Condition: z.ZodType<Condition> = z
  .strictObject({
    equals: Pair.optional().describe('True when both operands are equal (JSON equality).'),
    notEquals: Pair.optional().describe('True when the operands differ.'),
    greaterThan: Pair.optional().describe('True when both are numbers and the first is greater.'),
    lessThan: Pair.optional().describe('True when both are numbers and the first is smaller.'),
    contains: Pair.optional().describe(
      'True when the first (a string or an array) contains the second (a substring or an element).',
    ),
    exists: StatePath.optional().describe('True when the path has a value (not undefined, not null).'),
    get all(): z.ZodOptional<z.ZodArray<z.ZodType<Condition>>> {
      return z.array(Condition).min(1).optional().describe('True when every condition is true.');
    },
    get any(): z.ZodOptional<z.ZodArray<z.ZodType<Condition>>> {
      return z.array(Condition).min(1).optional().describe('True when at least one condition is true.');
    },
    get not(): z.ZodOptional<z.ZodType<Condition>> {
      return Condition.optional().describe('True when the condition is false.');
    },
  })
  .superRefine((condition, ctx) => {
    const keys = CONDITION_KEYS.filter((key) => condition[key] !== undefined);
    if (keys.length !== 1) ctx.addIssue({ code: 'custom', message: t.conditionOneKey.en });
  })
  .meta({
    minProperties: 1,
    maxProperties: 1,
    description:
      'Data, not code: exactly one of equals, notEquals, greaterThan, lessThan, contains, exists, all, any, not.',
  });

// -------------------------------------------------------------------------------------------- common fields

const base = {
  id: NodeId.describe('Unique id of the node in this plan, e.g. "test". Used in "$.nodes.<id>" paths.'),
  title: Text.max(200).describe('What the node does, in a few words (shown in the graph and approvals).'),
  description: z.string().optional().describe('Longer notes for people; not used when running.'),
  requiresApproval: z
    .boolean()
    .default(false)
    .describe('Ask a human before the node starts (its run waits in the approvals queue).'),
  riskLevel: RiskSchema.default('low').describe(
    'How much harm the node can do: low, medium, high or critical (approvals and audit show it).',
  ),
  timeoutSeconds: Seconds.optional().describe(
    'The node fails if it has not finished after this many seconds (a human_approval is then denied).',
  ),
};

/** Work nodes only: a control node is as good as its children. */
const continueOnError = {
  continueOnError: z
    .boolean()
    .default(false)
    .describe(
      'A failure (or a denied approval) does not stop the plan: the node ends "failed" and conditions can read ' +
        'it, e.g. a loop that runs the tests until they pass.',
    ),
};

/** Only work that can be repeated has retries; a control node's children retry themselves. */
const retries = {
  ...continueOnError,
  retries: z
    .number()
    .int()
    .min(0)
    .max(MAX_RETRIES)
    .default(DEFAULT_RETRIES)
    .describe(
      `Further attempts after a failure (default ${DEFAULT_RETRIES}); when they are used up the node is marked for a human.`,
    ),
};

const Env = z
  .record(EnvName, z.string())
  .describe(
    "Extra environment variables (plain values, not secrets: the executor's own environment is inherited).",
  );
const Cwd = Text.describe(
  'Folder to run in, relative to the workspace (or to the branch worktree); the workspace by default.',
);
const Branch = Text.describe(
  "Run in the git worktree that has this branch checked out (the one the plan's agents on this branch use).",
);

// ---------------------------------------------------------------------------------------------- HTTP

/** Header names whose values are credentials; they must come from the environment. */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api[-_]?key/i;

const httpFields = {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: Text.describe('http:// or https:// URL (checked by the dry run).').superRefine((url, ctx) => {
    if (URL.canParse(url)) {
      const parsed = new URL(url);
      if (parsed.username || parsed.password) ctx.addIssue({ code: 'custom', message: t.urlCredentials.en });
    }
  }),
  headers: z
    .record(HeaderName, z.string())
    .optional()
    .describe('Headers with plain, non-secret values (Accept, Content-Type...).')
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers ?? {})) {
        if (SECRET_HEADER.test(name))
          ctx.addIssue({ code: 'custom', path: [name], message: t.secretHeader.en });
      }
    }),
  headersFromEnv: z
    .record(HeaderName, EnvName)
    .optional()
    .describe(
      'Header name -> name of the environment variable holding its value, e.g. {"Authorization": "GITHUB_AUTH"}. ' +
        'Secrets stay out of the plan.',
    ),
  body: JsonValue.optional().describe('Sent as JSON.'),
  expectStatus: z
    .array(z.number().int().min(100).max(599))
    .min(1)
    .optional()
    .describe('Statuses that count as success; any 2xx by default.'),
};

// ---------------------------------------------------------------------------------------------- local tasks

const CommandAction = z
  .strictObject({
    kind: z.literal('command'),
    command: Text.describe('Program to run (looked up on PATH; not through a shell).'),
    args: z.array(z.string()).default([]),
    cwd: Cwd.optional(),
    branch: Branch.optional(),
    env: Env.optional(),
    successExitCodes: z.array(z.number().int()).min(1).default([0]),
  })
  .describe('Run a program with arguments.');

const ScriptAction = z
  .strictObject({
    kind: z.literal('script'),
    script: Text.describe('Shell script text.'),
    shell: Text.default('sh').describe('Shell that runs the script (sh, bash, pwsh...).'),
    cwd: Cwd.optional(),
    branch: Branch.optional(),
    env: Env.optional(),
    successExitCodes: z.array(z.number().int()).min(1).default([0]),
  })
  .describe('Run a shell script.');

const HttpAction = z
  .strictObject({ kind: z.literal('http'), ...httpFields })
  .describe('Send an HTTP request.');

const FILE_OPERATIONS = ['read', 'write', 'append', 'copy', 'move', 'delete', 'mkdir', 'exists'] as const;
const FileAction = z
  .strictObject({
    kind: z.literal('file'),
    operation: z.enum(FILE_OPERATIONS),
    path: Text.describe('File or folder, relative to the workspace (or to the branch worktree).'),
    content: z.string().optional().describe('Text to write or append.'),
    to: Text.optional().describe('Destination of copy and move, relative like path.'),
    branch: Branch.optional(),
  })
  .superRefine((action, ctx) => {
    const writes = action.operation === 'write' || action.operation === 'append';
    const moves = action.operation === 'copy' || action.operation === 'move';
    if (writes && action.content === undefined)
      ctx.addIssue({ code: 'custom', path: ['content'], message: t.fileNeedsContent.en });
    if (!writes && action.content !== undefined)
      ctx.addIssue({ code: 'custom', path: ['content'], message: t.fileNoContent.en });
    if (moves && action.to === undefined)
      ctx.addIssue({ code: 'custom', path: ['to'], message: t.fileNeedsTo.en });
    if (!moves && action.to !== undefined)
      ctx.addIssue({ code: 'custom', path: ['to'], message: t.fileNoTo.en });
  })
  .describe('A file operation inside the workspace.');

const TimerAction = z
  .strictObject({ kind: z.literal('timer'), seconds: Seconds.describe('How long to wait.') })
  .describe('Wait.');

export const LocalAction = z.discriminatedUnion(
  'kind',
  [CommandAction, ScriptAction, HttpAction, FileAction, TimerAction],
  { error: (issue) => (issue.code === 'invalid_union' ? t.actionKind.en : undefined) },
);
export type LocalAction = z.output<typeof LocalAction>;

// ---------------------------------------------------------------------------------------------- agents

const PaneTarget = z
  .strictObject({
    type: z.literal('pane'),
    paneId: Text.describe('Id of a pane that is running when the node runs (e.g. one of orchestrator.json).'),
  })
  .describe('An existing pane.');

const KindTarget = z
  .strictObject({
    type: z.literal('kind'),
    agentKind: AgentKindName.describe(
      'Agent profile: codex, claude, gemini, aider, shell, or a workspace one.',
    ),
    branch: Text.optional().describe(
      'Git branch: the agent works in the worktree of this branch (created, with the branch, when missing).',
    ),
    cwd: Cwd.optional(),
  })
  .describe(
    'A pane of this agent kind (on this branch), started by the executor the first time and reused by the ' +
      "plan's later nodes naming the same kind and branch.",
  );

const RegistryTarget = z
  .strictObject({
    type: z.literal('registry'),
    name: Text.describe('Name of an @openai/agents agent in the agent registry.'),
  })
  .describe('An @openai/agents agent from the registry (no pane).');

export const AgentTarget = z.discriminatedUnion('type', [PaneTarget, KindTarget, RegistryTarget], {
  error: (issue) => (issue.code === 'invalid_union' ? t.agentType.en : undefined),
});
export type AgentTarget = z.output<typeof AgentTarget>;

export const CompletionCriterion = z.discriminatedUnion(
  'kind',
  [
    z
      .strictObject({ kind: z.literal('turn_end') })
      .describe('The agent finished its turn and waits for input again.'),
    z
      .strictObject({ kind: z.literal('output_contains'), text: Text })
      .describe("The agent's answer contains this text."),
    z
      .strictObject({ kind: z.literal('file_exists'), path: Text })
      .describe('This file exists (relative to the workspace, or the agent folder).'),
    z
      .strictObject({
        kind: z.literal('command_succeeds'),
        command: Text,
        args: z.array(z.string()).default([]),
      })
      .describe('This program exits with 0 (e.g. the tests pass).'),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? t.completionKind.en : undefined) },
);
export type CompletionCriterion = z.output<typeof CompletionCriterion>;

// ---------------------------------------------------------------------------------------------- nodes

const SequenceNode = z
  .strictObject({
    type: z.literal('sequence'),
    ...base,
    children: z.array(NodeId).min(1).describe('Ids of the nodes run one after the other.'),
  })
  .describe('Runs its children in order; stops at the first that fails.');

const ParallelNode = z
  .strictObject({
    type: z.literal('parallel'),
    ...base,
    children: z.array(NodeId).min(1).describe('Ids of the nodes run at the same time.'),
    maxConcurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_PARALLEL)
      .default(MAX_PARALLEL)
      .describe(`At most this many children run at once (never more than ${MAX_PARALLEL}).`),
  })
  .describe('Runs its children at the same time; it is done when every child is.');

const ConditionalNode = z
  .strictObject({
    type: z.literal('conditional'),
    ...base,
    condition: Condition,
    then: NodeId.describe('Id of the node run when the condition holds.'),
    else: NodeId.optional().describe('Id of the node run otherwise; nothing runs when left out.'),
  })
  .describe('Runs one of two nodes depending on a condition (data, not code).');

const LoopNode = z
  .strictObject({
    type: z.literal('loop'),
    ...base,
    body: NodeId.describe('Id of the node run on each pass (a sequence for several steps).'),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(MAX_LOOP_ITERATIONS)
      .describe('The loop never runs its body more often than this.'),
    until: Condition.optional().describe(
      'Checked after each pass: the loop ends when it holds. Without it the body runs maxIterations times.',
    ),
  })
  .describe('Repeats its body, bounded by maxIterations.');

const HumanApprovalNode = z
  .strictObject({
    type: z.literal('human_approval'),
    ...base,
    ...continueOnError,
    question: Text.describe('What the person is asked to approve.'),
    details: z.string().optional().describe('What they should look at before deciding.'),
  })
  .describe('Waits in the approvals queue until a person approves (or denies: the node fails).');

const LocalTaskNode = z
  .strictObject({
    type: z.literal('local_task'),
    ...base,
    ...retries,
    action: LocalAction,
  })
  .describe('Ordinary program work: a command or script, an HTTP request, a file operation, or a timer.');

const AgentInvocationNode = z
  .strictObject({
    type: z.literal('agent_invocation'),
    ...base,
    ...retries,
    agent: AgentTarget,
    prompt: Text.describe('What the agent is asked to do.'),
    completion: z
      .array(CompletionCriterion)
      .min(1)
      .default([{ kind: 'turn_end' }])
      .describe('The node is done when all of these hold; by default when the agent ends its turn.'),
  })
  .describe('A prompt to an AI agent: one in a pane, or an @openai/agents agent from the registry.');

const McpToolNode = z
  .strictObject({
    type: z.literal('mcp_tool'),
    ...base,
    ...retries,
    server: Text.describe('Alias of the MCP server in mcp.servers.json.'),
    tool: Text.describe('Name of the tool on that server.'),
    arguments: z.record(z.string(), JsonValue).default({}).describe('The tool arguments.'),
  })
  .describe('Calls a tool of an MCP server.');

const ExternalServiceNode = z
  .strictObject({
    type: z.literal('external_service'),
    ...base,
    ...retries,
    service: Text.optional().describe('Name of the service, for people (e.g. "GitHub").'),
    ...httpFields,
  })
  .describe('Calls an HTTP endpoint of an external service; credentials come from environment variables.');

export const PlanNode = z.discriminatedUnion(
  'type',
  [
    SequenceNode,
    ParallelNode,
    ConditionalNode,
    LoopNode,
    HumanApprovalNode,
    LocalTaskNode,
    AgentInvocationNode,
    McpToolNode,
    ExternalServiceNode,
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? t.nodeType.en : undefined) },
);
export type PlanNode = z.output<typeof PlanNode>;
export type PlanNodeInput = z.input<typeof PlanNode>;
export type PlanNodeOf<T extends NodeType> = Extract<PlanNode, { type: T }>;
export type ControlNode = PlanNodeOf<ControlNodeType>;

const planShape = {
  $schema: z.string().optional().describe('For editors: the JSON Schema of this file.'),
  schemaVersion: z.literal(PLAN_SCHEMA_VERSION, { error: t.schemaVersion.en }).describe('Always 1.'),
  id: PlanId.describe('Plan id; its versions are kept in .fleetai/state/plans/<id>/.'),
  title: Text.max(200),
  description: z.string().optional(),
  goal: z
    .string()
    .optional()
    .describe('The goal the plan was designed for (the Designer reads it to re-plan).'),
  inputs: z
    .record(InputName, JsonValue)
    .default({})
    .describe('Named values with their defaults, read by conditions as "$.inputs.<name>".'),
  root: NodeId.describe('Id of the node the run starts with (usually a sequence).'),
  nodes: z.array(PlanNode).min(1).max(MAX_NODES).describe('Every node of the plan, each once.'),
};

export const PlanSchema = z.strictObject(planShape).describe('A FleetAI plan (schemaVersion 1).');
export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

export function isControlNode(node: PlanNode): node is ControlNode {
  return (CONTROL_NODE_TYPES as readonly string[]).includes(node.type);
}

/** The ids a node contains, in order, with the field that names each (for messages and the graph). */
export function childReferences(node: PlanNode): { id: string; field: (string | number)[]; label: string }[] {
  switch (node.type) {
    case 'sequence':
    case 'parallel':
      return node.children.map((id, index) => ({ id, field: ['children', index], label: String(index + 1) }));
    case 'conditional':
      return [
        { id: node.then, field: ['then'], label: 'then' },
        ...(node.else !== undefined ? [{ id: node.else, field: ['else'], label: 'else' }] : []),
      ];
    case 'loop':
      return [{ id: node.body, field: ['body'], label: 'body' }];
    default:
      return [];
  }
}

/** The conditions of a node with where they sit in it. */
export function nodeConditions(node: PlanNode): { condition: Condition; field: string }[] {
  if (node.type === 'conditional') return [{ condition: node.condition, field: 'condition' }];
  if (node.type === 'loop' && node.until) return [{ condition: node.until, field: 'until' }];
  return [];
}

export { CONDITION_KEYS };

/** The JSON Schema editors use for `*.plan.json` (draft 7, as VS Code's JSON service). */
export function planJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(PlanSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  });
  return { $schema, title: 'FleetAI plan', ...rest };
}
