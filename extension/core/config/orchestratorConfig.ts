import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isIP } from 'node:net';
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { ErrorCode, FleetError, describeError } from '../errors';
import { formatPath } from '../schemas/issues';
import { describeParseError, lineColumn, nodeValue } from './jsoncText';

/**
 * The supervisor's settings for one workspace: `.fleetai/orchestrator.json` (JSONC: comments and trailing commas
 * are fine). Keys are snake_case, as in the user's own orchestrator.toml (seeds 001 and 003), so a user moving
 * over finds `stall_timeout_seconds` where they left it. Every key is optional; what is left out takes the
 * default shown in `config/orchestrator.example.jsonc`.
 */

export const ORCHESTRATOR_CONFIG_SCHEMA_FILE = 'orchestrator.schema.json';

/** Ids end up in file names, metric labels and chat commands (`/approve <task>`): keep them plain. */
const Id = z
  .string()
  .regex(
    /^[A-Za-z0-9][\w.-]{0,63}$/,
    'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

const AgentKindName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,31}$/,
    'must be 1-32 lowercase letters, digits or dashes, starting with a letter',
  );

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name');
const EnvMap = z.record(EnvName, z.string());
const NonEmpty = z.string().min(1);

const Seconds = z.number().positive();
const Count = z.number().int().min(0);

const HttpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

export const PHASES = ['PLANNING', 'EXECUTING', 'VERIFYING', 'BLOCKED', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];

/** An exponential backoff whose ceiling must not be below its start. */
function backoffOrder<T>(minKey: keyof T & string, maxKey: keyof T & string) {
  return (value: T, ctx: z.RefinementCtx): void => {
    if ((value[minKey] as number) > (value[maxKey] as number)) {
      ctx.addIssue({ code: 'custom', path: [maxKey], message: `must not be less than ${minKey}` });
    }
  };
}

const RateLimit = z
  .strictObject({
    base_seconds: Seconds.default(30).describe('First wait after a rate-limit error (HTTP 429).'),
    max_seconds: Seconds.default(600).describe(
      'Longest wait; each retry doubles the previous one up to this.',
    ),
    jitter: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Random spread of each wait, as a fraction (0.2 = +/-20%), so panes do not retry in step.'),
  })
  .superRefine(backoffOrder('base_seconds', 'max_seconds'))
  .describe('Backoff when an agent reports a rate limit.');

const ServerError = z
  .strictObject({
    base_seconds: Seconds.default(10).describe('First wait after a server error (HTTP 5xx).'),
    max_seconds: Seconds.default(300).describe('Longest wait between retries.'),
    max_retries: Count.default(5).describe('Retries before the pane is reported as blocked.'),
  })
  .superRefine(backoffOrder('base_seconds', 'max_seconds'))
  .describe('Backoff when an agent reports a server error.');

const Restart = z
  .strictObject({
    max_failures: Count.default(3).describe('Crashes in a row before FleetAI stops restarting the agent.'),
    backoff_min_seconds: Seconds.default(120).describe('Wait before the first restart.'),
    backoff_max_seconds: Seconds.default(1800).describe('Longest wait between restarts.'),
  })
  .superRefine(backoffOrder('backoff_min_seconds', 'backoff_max_seconds'))
  .describe('Restarting an agent that exited or crashed.');

const Loop = z
  .strictObject({
    window: z.number().int().min(2).default(6).describe('How many recent agent turns are compared.'),
    repeats: z
      .number()
      .int()
      .min(2)
      .default(3)
      .describe('The same output this many times within the window counts as a loop.'),
  })
  .superRefine((loop, ctx) => {
    if (loop.repeats > loop.window) {
      ctx.addIssue({ code: 'custom', path: ['repeats'], message: 'must not be more than window' });
    }
  })
  .describe('Detecting an agent that repeats itself.');

const Recovery = z
  .strictObject({
    rate_limit: RateLimit.prefault({}),
    server_error: ServerError.prefault({}),
    restart: Restart.prefault({}),
    loop: Loop.prefault({}),
    continue_unfinished: z
      .boolean()
      .default(true)
      .describe('Tell an agent that stopped before its task was done to continue (task acceptance not met).'),
  })
  .describe('How FleetAI recovers by itself before asking a human.');

const Approvals = z
  .strictObject({
    medium: z
      .enum(['ask', 'auto', 'deny'])
      .default('ask')
      .describe('What happens to a medium-risk request no rule decides: ask a human, approve, or decline.'),
    allow: z
      .array(NonEmpty)
      .default([])
      .describe('Commands approved without asking (rules; deny wins over allow).'),
    deny: z.array(NonEmpty).default([]).describe('Commands always declined.'),
    model_judge: z
      .boolean()
      .default(false)
      .describe('Let the model judge requests no rule decides (never for high risk).'),
    expire_minutes: z
      .number()
      .min(0)
      .default(0)
      .describe('A pending request no one answers is declined after this many minutes; 0 = never.'),
  })
  .describe('Approval policy for what agents ask to do.');

const Model = z
  .strictObject({
    base_url: HttpUrl.optional().describe(
      'OpenAI-compatible endpoint, e.g. "https://api.openai.com/v1"; FleetAI uses no model without it or model.',
    ),
    model: NonEmpty.optional().describe('Model name sent to the endpoint.'),
    api_key_env: EnvName.default('OPENAI_API_KEY').describe(
      'Environment variable holding the API key (the key itself never goes in this file).',
    ),
    timeout_seconds: Seconds.default(60).describe('Longest wait for one model answer.'),
    summary_every_lines: z
      .number()
      .int()
      .min(1)
      .default(400)
      .describe('Summarise a pane log after this many new lines.'),
  })
  .describe('The model that plans, summarises and helps decide.');

const Prompts = z
  .strictObject({
    planning: NonEmpty.optional().describe('Prompt template for the PLANNING phase.'),
    execution: NonEmpty.optional().describe('Prompt template for the EXECUTING phase.'),
    testing: NonEmpty.optional().describe('Prompt template for the VERIFYING phase.'),
    summary: NonEmpty.optional().describe('Prompt template for log summaries.'),
  })
  .describe('Prompt template files, relative to this config file; built-in prompts where left out.');

const AgentSettings = z
  .strictObject({
    bin: NonEmpty.optional().describe(
      'Program (or shell command line) that starts this agent, e.g. "codex" or ' +
        '". ~/.proxy-on.sh && proxychains4 -q codex"; the profile\'s command when left out.',
    ),
    extra_args: z
      .array(z.string())
      .default([])
      .describe('Arguments added after the profile\'s, e.g. ["--dangerously-bypass-approvals-and-sandbox"].'),
    env: EnvMap.default({}).describe('Environment variables added when this agent starts.'),
    fleet_mcp: z
      .boolean()
      .optional()
      .describe(
        "Give every pane of this agent FleetAI's MCP server (`fleet mcp-server`: report_status, " +
          "request_approval...) through its profile's fleetMcp arguments; a pane's own fleet_mcp wins. Default false.",
      ),
  })
  .describe('Settings for every pane of one agent kind.');

const Pane = z
  .strictObject({
    id: Id.describe('Unique pane id, e.g. "api".'),
    agent: AgentKindName.describe(
      'Agent kind (profile): codex, claude, gemini, aider, shell, or a workspace one.',
    ),
    command: NonEmpty.optional().describe("Program to start instead of the agent's bin or profile command."),
    args: z.array(z.string()).optional().describe("Arguments instead of the profile's."),
    cwd: NonEmpty.optional().describe(
      'Folder to start in, relative to the workspace; the workspace by default.',
    ),
    branch: NonEmpty.optional().describe('Git branch this pane works on.'),
    worktree: z
      .boolean()
      .default(false)
      .describe('Run the pane in its own git worktree for branch (created when missing).'),
    base: NonEmpty.optional().describe(
      'Branch or commit a new branch starts from; the current HEAD by default.',
    ),
    env: EnvMap.default({}).describe('Environment variables for this pane only.'),
    task: Id.optional().describe('Id of the task this pane works on.'),
    fleet_mcp: z
      .boolean()
      .optional()
      .describe(
        "Give this pane's agent FleetAI's MCP server for the run (its profile must offer it: codex, claude). " +
          "Default: the agent's fleet_mcp, else false. Off by default because it changes the agent's tools, and " +
          'for Codex any -c argument runs it without its shared app-server daemon.',
      ),
    autostart: z.boolean().default(true).describe('Start the pane when the supervisor starts.'),
  })
  .superRefine((pane, ctx) => {
    if (pane.worktree && pane.branch === undefined) {
      ctx.addIssue({ code: 'custom', path: ['branch'], message: 'is required when worktree is true' });
    }
    if (pane.base !== undefined && !pane.worktree) {
      ctx.addIssue({ code: 'custom', path: ['base'], message: 'only applies when worktree is true' });
    }
  })
  .describe('An agent pane the supervisor starts and watches.');

const Task = z
  .strictObject({
    id: Id.describe('Unique task id, used in /approve <task> and depends_on.'),
    title: NonEmpty.describe('What the task is, in a line.'),
    branch: NonEmpty.optional().describe('Git branch the work lands on.'),
    pane: Id.optional().describe('Id of the pane that works on it.'),
    owner: NonEmpty.optional().describe('Who answers for it.'),
    tags: z.array(NonEmpty).default([]),
    phase: z.enum(PHASES).optional().describe('Starting phase; the supervisor derives it when left out.'),
    depends_on: z.array(Id).default([]).describe('Ids of tasks that must be DONE first.'),
    acceptance: z
      .strictObject({
        checklist: z.array(NonEmpty).optional().describe('What must be true when the task is done.'),
        command: NonEmpty.optional().describe('Command whose exit code 0 proves it, e.g. "npm test".'),
      })
      .optional()
      .describe('How FleetAI tells that the task is done.'),
    requirements_doc: NonEmpty.optional().describe(
      'Requirements document to decompose, relative to the workspace.',
    ),
    prompt: NonEmpty.optional().describe('Instruction given to the pane for this task.'),
  })
  .describe('A unit of work on the task board.');

export const NOTIFY_CHANNELS = ['wecom', 'slack', 'webhook'] as const;

const Notify = z
  .strictObject({
    wecom_webhook_env: EnvName.default('WECOM_WEBHOOK').describe(
      'Environment variable holding the WeCom (企业微信) robot webhook URL.',
    ),
    slack_webhook_env: EnvName.optional().describe(
      'Environment variable holding a Slack incoming-webhook URL (SLACK_WEBHOOK_URL when left out).',
    ),
    webhook_url_env: EnvName.optional().describe(
      'Environment variable holding a generic JSON webhook URL (FLEETAI_WEBHOOK_URL when left out).',
    ),
    webhook_secret_env: EnvName.optional().describe(
      'Environment variable holding the secret that signs generic webhook requests (X-FleetAI-Signature).',
    ),
    channels: z
      .array(z.enum(NOTIFY_CHANNELS))
      .optional()
      .describe(
        'Remote channels to use. A listed channel whose URL is missing is reported as degraded. Left out: ' +
          'wecom, plus slack and webhook when their variable is set.',
      ),
    min_level: z
      .enum(['info', 'warning', 'critical'])
      .default('critical')
      .describe('Least severity sent to remote channels; approval requests are always sent.'),
    wecom_msgtype: z
      .enum(['markdown', 'text'])
      .default('markdown')
      .describe('WeCom message type: markdown (WeCom app) or text (also readable in WeChat).'),
    dedupe_seconds: z
      .number()
      .min(0)
      .default(300)
      .describe('The same notification (an approval by its id) is sent once within this many seconds.'),
    rate_per_minute: z
      .number()
      .positive()
      .default(20)
      .describe('Messages per minute per remote channel on average (a WeCom robot accepts 20).'),
    burst: z.number().int().min(1).default(5).describe('Messages a remote channel may send at once.'),
    timeout_seconds: Seconds.default(10).describe('Longest wait for one webhook request.'),
    retry_min_seconds: Seconds.default(5).describe('First retry of a failing channel.'),
    retry_max_seconds: Seconds.default(300).describe('Longest wait between retries of a failing channel.'),
  })
  .superRefine(backoffOrder('retry_min_seconds', 'retry_max_seconds'))
  .describe('Where notifications go besides VS Code; URLs come from the environment, never from this file.');

/** An IP address or a host name (anything but loopback is an explicit choice, logged as a warning). */
const ListenHost = NonEmpty.refine(
  (host) =>
    isIP(host) !== 0 ||
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host),
  'must be an IP address (127.0.0.1, 0.0.0.0, ::1) or a host name',
);

const Portal = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8787)
      .describe('Port of the approval portal and of the WeCom / Slack callbacks; 0 turns them off.'),
    host: ListenHost.default('127.0.0.1').describe(
      'Address the portal listens on. Reach it from a phone through a tunnel or reverse proxy rather than ' +
        'binding 0.0.0.0; anything but loopback is logged as a warning.',
    ),
    token_env: EnvName.default('FLEETAI_PORTAL_TOKEN').describe(
      'Environment variable that may hold the portal token. Unset: a token made once is kept in the state ' +
        'folder (portal.token, readable by its owner only).',
    ),
    public_url: z
      .url()
      .optional()
      .describe('The address people open, when a tunnel or reverse proxy stands in front (used in links).'),
    allowed_users: z
      .array(NonEmpty)
      .default([])
      .describe(
        'WeCom UserIDs and Slack user ids that may approve, deny or send from a chat; empty: anyone the chat ' +
          'app lets through. Anyone may ask for /status.',
      ),
    wecom_token_env: EnvName.default('WECOM_CALLBACK_TOKEN').describe(
      'Environment variable holding the Token of the WeCom application callback (接收消息 Token).',
    ),
    wecom_aes_key_env: EnvName.default('WECOM_CALLBACK_AES_KEY').describe(
      'Environment variable holding the EncodingAESKey of the WeCom application callback.',
    ),
    wecom_corp_id_env: EnvName.default('WECOM_CORP_ID').describe(
      'Environment variable holding the WeCom CorpID (企业 ID) the callback messages must carry.',
    ),
    slack_signing_secret_env: EnvName.default('SLACK_SIGNING_SECRET').describe(
      'Environment variable holding the Slack app signing secret for its slash commands.',
    ),
  })
  .describe(
    'The approval portal (a page for a phone) and the chat callbacks: decisions away from the editor, each ' +
      'request checked by token or signature. Secrets come from the environment, never from this file.',
  );

const Review = z
  .strictObject({
    digest_time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM" (24-hour local time), e.g. "09:00"')
      .optional()
      .describe(
        'Local time ("HH:MM") of the daily review digest sent to the notification channels; off when left out.',
      ),
    test_command: NonEmpty.optional().describe(
      'Command `fleet review --run-tests` runs in the workspace (tasks without acceptance.command), e.g. "npm test".',
    ),
  })
  .describe('The project review (`fleet review`) and its daily digest.');

const Control = z
  .strictObject({
    socket: NonEmpty.optional().describe(
      'Socket (Windows: named pipe) where `fleet` talks to the running supervisor; relative to this file. ' +
        'Default: control.sock in the state folder.',
    ),
  })
  .describe('The control channel between the fleet CLI and the supervisor.');

const Backup = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Back up the state folder every day at time (fleet orchestrator and the VS Code window).'),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM" (24-hour local time), e.g. "03:30"')
      .default('03:30')
      .describe('Local time ("HH:MM") of the daily backup.'),
    keep_daily: z
      .number()
      .int()
      .min(1)
      .default(7)
      .describe('Days of state archives kept: the newest archive of each of the last this many days.'),
    keep_weekly_logs: z
      .number()
      .int()
      .min(1)
      .default(4)
      .describe('Weekly log archives (logs-YYYY-Www.tar.gz) kept.'),
    dir: NonEmpty.default('.fleetai/backups').describe(
      'Folder of the archives (state-YYYYMMDD-HHMMSS.tar.gz), relative to the workspace folder.',
    ),
  })
  .describe(
    'Daily backups of .fleetai/state and weekly archives of .fleetai/logs (fleet backup, fleet restore).',
  );

const shape = {
  $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
  stall_timeout_seconds: Seconds.default(120).describe(
    'A pane working without visible progress this long counts as stalled.',
  ),
  stall_retries_before_notify: Count.default(2).describe('Nudges of a stalled pane before a human is told.'),
  failure_alert_threshold: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Failed commands in a row on a pane before an alert (and a blocked pane).'),
  session_cooldown_seconds: z
    .number()
    .min(0)
    .default(5)
    .describe('Least time between two commands sent to the same pane; later ones queue.'),
  dry_run: z
    .boolean()
    .default(false)
    .describe('Decide and log (result "dry_run"), but never type into a pane.'),
  tick_seconds: Seconds.default(5).describe('How often the supervisor looks at every pane.'),
  heartbeat_seconds: Seconds.default(5).describe('How often the supervisor writes its heartbeat.'),
  metrics_host: ListenHost
    // Anything but loopback shows pane and branch names to the network: allowed, but logged as a warning.
    .default('127.0.0.1')
    .describe('Address the Prometheus /metrics endpoint listens on.'),
  metrics_port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(9108)
    .describe('Port of the Prometheus /metrics endpoint; 0 turns it off.'),
  recovery: Recovery.prefault({}),
  approvals: Approvals.prefault({}),
  model: Model.prefault({}),
  prompts: Prompts.prefault({}),
  agents: z
    .record(AgentKindName, AgentSettings)
    .default({})
    .describe('Per agent kind, like [codex] in orchestrator.toml: bin, extra_args, env.'),
  panes: z.array(Pane).default([]).describe('Panes started and supervised.'),
  tasks: z.array(Task).default([]).describe('The task board: phases, owners, dependencies, acceptance.'),
  notify: Notify.prefault({}),
  portal: Portal.prefault({}),
  control: Control.prefault({}),
  review: Review.prefault({}),
  backup: Backup.prefault({}),
};

/** The structure alone, without the cross-references (what the JSON Schema for editors describes). */
const orchestratorConfigShape = z
  .strictObject(shape)
  .describe('FleetAI supervisor settings for one workspace (.fleetai/orchestrator.json).');

/** Issues raised by the cross-reference checks carry this, so the loader can report E_CONFIG_REFERENCE. */
const REFERENCE = { fleetai: 'reference' } as const;

/** The config schema, with every default and the checks that span fields (ids, references, cycles). */
export const orchestratorConfigSchema = orchestratorConfigShape.superRefine((config, ctx) => {
  for (const issue of referenceIssues(config)) ctx.addIssue({ code: 'custom', ...issue, params: REFERENCE });
});

export type OrchestratorConfig = z.output<typeof orchestratorConfigSchema>;
/** What a user may write: every key optional. */
export type OrchestratorConfigInput = z.input<typeof orchestratorConfigSchema>;
export type PaneConfig = OrchestratorConfig['panes'][number];
export type TaskConfig = OrchestratorConfig['tasks'][number];

interface ReferenceIssue {
  path: (string | number)[];
  message: string;
}

type ReferenceInput = Pick<OrchestratorConfig, 'panes' | 'tasks'>;

function referenceIssues(config: ReferenceInput): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const paneIds = uniqueIds(config.panes, 'panes', 'pane', issues);
  const taskIds = uniqueIds(config.tasks, 'tasks', 'task', issues);
  config.panes.forEach((pane, i) => {
    if (pane.task !== undefined && !taskIds.has(pane.task)) {
      issues.push({ path: ['panes', i, 'task'], message: `no task with id "${pane.task}"` });
    }
  });
  config.tasks.forEach((task, i) => {
    if (task.pane !== undefined && !paneIds.has(task.pane)) {
      issues.push({ path: ['tasks', i, 'pane'], message: `no pane with id "${task.pane}"` });
    }
    task.depends_on.forEach((dep, j) => {
      if (!taskIds.has(dep)) {
        issues.push({ path: ['tasks', i, 'depends_on', j], message: `no task with id "${dep}"` });
      }
    });
  });
  const cycle = dependencyCycle(config.tasks);
  if (cycle) {
    const index = config.tasks.findIndex((t) => t.id === cycle[0]);
    issues.push({
      path: ['tasks', index, 'depends_on'],
      message: `dependency cycle: ${cycle.join(' -> ')}`,
    });
  }
  return issues;
}

function uniqueIds(
  items: readonly { id: string }[],
  list: string,
  what: string,
  issues: ReferenceIssue[],
): Set<string> {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      issues.push({
        path: [list, i, 'id'],
        message: `duplicate ${what} id "${item.id}" (first at ${list}[${first}])`,
      });
    } else seen.set(item.id, i);
  });
  return new Set(seen.keys());
}

/**
 * One dependency cycle among the tasks, as the ids along it with the first repeated at the end
 * (["a", "b", "a"]), or undefined. Depth-first search; dependencies on unknown tasks are reported elsewhere.
 */
export function dependencyCycle(
  tasks: readonly { id: string; depends_on: readonly string[] }[],
): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.id, t.depends_on]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every default, as if the file were `{}`. */
export function defaultOrchestratorConfig(): OrchestratorConfig {
  return orchestratorConfigSchema.parse({});
}

export interface LoadedOrchestratorConfig {
  config: OrchestratorConfig;
  /** The absolute path of the file read (or looked for). */
  file: string;
  /** False when there is no such file: `config` holds the defaults. */
  found: boolean;
}

/**
 * Reads, validates and fills in the defaults of an orchestrator config. A missing file is not an error (every
 * key has a default). Problems are FleetErrors naming `file:line:column` and the field: E_CONFIG_PARSE (not
 * JSONC, or unreadable), E_CONFIG_SCHEMA (a wrong, unknown or misspelt field), E_CONFIG_REFERENCE (duplicate
 * ids, a task or pane that does not exist, a dependency cycle). `details.problems` holds one line per problem.
 */
export async function loadOrchestratorConfig(file: string): Promise<LoadedOrchestratorConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { config: defaultOrchestratorConfig(), file: absolute, found: false };
    }
    throw new FleetError(
      ErrorCode.ConfigParse,
      `${absolute}: could not read (${describeError(error)})`,
      { file: absolute },
      { cause: error },
    );
  }
  return { config: parseOrchestratorConfig(absolute, text), file: absolute, found: true };
}

/** Validates config text that came from `file` (for a file being edited, and for tests). */
export function parseOrchestratorConfig(file: string, raw: string): OrchestratorConfig {
  // A byte-order mark becomes a space: ignored by the parser, and every offset still matches the file.
  const text = raw.startsWith('\uFEFF') ? ` ${raw.slice(1)}` : raw;
  const errors: ParseError[] = [];
  // An empty file is a config with every default, like a missing one.
  const tree = parseTree(text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: true,
  });
  if (errors.length > 0) {
    const problems = errors.map((e) => `${file}:${lineColumn(text, e.offset)}: ${describeParseError(e)}`);
    // The parser recovers and reports follow-on errors; the first one is where the file went wrong.
    throw new FleetError(ErrorCode.ConfigParse, problems[0] ?? `${file}: not JSONC`, { file, problems });
  }
  const data: unknown = tree === undefined ? {} : nodeValue(tree);
  const result = orchestratorConfigSchema.safeParse(data);
  if (result.success) return result.data;

  const issues = result.error.issues;
  const onlyReferences = issues.every((i) => i.code === 'custom' && i.params?.fleetai === REFERENCE.fleetai);
  // In file order, so the list reads top to bottom like the file (zod reports nested issues first).
  const located = issues
    .map((issue) => {
      const offset = issueOffset(tree, issue);
      const field = formatPath(issue.path);
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const message =
        keys.length > 0
          ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      return { offset, field, line: `${file}:${lineColumn(text, offset)}: ${field || '(root)'}: ${message}` };
    })
    .sort((a, b) => a.offset - b.offset);
  const problems = located.map((p) => p.line);
  throw new FleetError(
    onlyReferences ? ErrorCode.ConfigReference : ErrorCode.ConfigSchema,
    problems.join('\n'),
    { file, problems, fields: located.map((p) => p.field) },
  );
}

/**
 * Where a zod issue points in the text: the offending value, or for an unknown key the key itself, or for a
 * missing field the object that lacks it.
 */
function issueOffset(tree: JsonNode | undefined, issue: z.core.$ZodIssue): number {
  if (!tree) return 0;
  const segments = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let node: JsonNode | undefined;
  for (let n = segments.length; n >= 0 && !node; n--) node = findNodeAtLocation(tree, segments.slice(0, n));
  node ??= tree;
  if (issue.code === 'unrecognized_keys' && node.type === 'object') {
    const key = node.children?.find((p) => p.children?.[0]?.value === issue.keys[0])?.children?.[0];
    if (key) node = key;
  }
  return node.offset;
}

/** A path from the config (a prompt file, the control socket) taken relative to the config file's folder. */
export function resolveConfigPath(configFile: string, value: string): string {
  return path.resolve(path.dirname(configFile), value);
}

/**
 * Where `fleet` reaches the running supervisor: `control.socket` (relative to the config file), else
 * `control.sock` in the state folder. Windows has no unix sockets in folders: there it is a named pipe
 * derived from the path.
 */
export function controlSocketPath(config: OrchestratorConfig, configFile: string, stateDir: string): string {
  const socket = config.control.socket
    ? resolveConfigPath(configFile, config.control.socket)
    : path.join(stateDir, 'control.sock');
  if (process.platform !== 'win32' || socket.startsWith('\\\\.\\pipe\\')) return socket;
  return `\\\\.\\pipe\\fleetai-${socket.replace(/[^A-Za-z0-9]+/g, '-').slice(-200)}`;
}

/** The JSON Schema editors use for `.fleetai/orchestrator.json` (draft 7, as VS Code's JSON service). */
export function orchestratorConfigJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(orchestratorConfigShape, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  });
  return { $schema, title: 'FleetAI orchestrator config', ...rest };
}
