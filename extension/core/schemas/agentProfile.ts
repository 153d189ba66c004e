import * as semver from 'semver';
import { z } from 'zod';
import { ERROR_CLASSES, PANE_STATES } from '../panes/types';

/**
 * Agent profiles: everything FleetAI needs to know about one agent CLI (how to start, resume, answer, nudge and
 * interrupt it, and how to read its state from the screen), as JSON a user can read and override. Shipped
 * profiles live in `agents-config/`; a workspace adds or overrides them in `.fleetai/agents/`.
 *
 * No field has a zod `.default()`: a workspace override is merged field by field onto a built-in profile, and a
 * default filled in by the parser would silently replace the built-in's value. Optional fields say in their
 * description what leaving them out means.
 */

export const AGENT_PROFILE_SCHEMA_VERSION = 1;

/** Flags a rule may use. `g` and `y` are refused: they make `RegExp.test` stateful across lines. */
const REGEX_FLAGS = /^(?!.*(.).*\1)[imsuv]*$/;

/** Why `source` does not compile as a regular expression with `flags`, or undefined when it does. */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8: "Invalid regular expression: /(/: Unterminated group"; keep only the reason.
    const prefix = `Invalid regular expression: /${source}/${flags}: `;
    return `invalid regular expression: ${message.startsWith(prefix) ? message.slice(prefix.length) : message}`;
  }
}

/** How many capture groups `source` has (it must compile). */
function captureGroups(source: string): number {
  // An alternative that matches the empty string makes exec() return an array with one slot per group.
  const match = new RegExp(`${source}|`).exec('');
  return match ? match.length - 1 : 0;
}

/** A regular expression in JavaScript syntax, written as a JSON string (so `\d` is written `"\\d"`). */
const RegexSource = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A regular expression whose first capture group is the value wanted. */
const RegexWithGroup = RegexSource.superRefine((source, ctx) => {
  if (regexProblem(source) === undefined && captureGroups(source) < 1) {
    ctx.addIssue({ code: 'custom', message: 'needs a capture group around the value to take' });
  }
});

/**
 * A rule's regex: refused here only when no flags could make it compile; `Rule` compiles it again with the
 * rule's own `flags`, so that a pattern written for the `u` or `v` flag is judged with that flag.
 */
const RuleRegexSource = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem && alwaysInvalid(source)) ctx.addIssue({ code: 'custom', message: problem });
  });

function alwaysInvalid(source: string): boolean {
  return ['', 'u', 'v'].every((flags) => regexProblem(source, flags) !== undefined);
}

/** Bytes typed into the agent's terminal: "y", "\r" (Enter), "\u001b" (Esc), "\u0003" (Ctrl-C). */
export const Keys = z
  .string()
  .min(1)
  .describe(
    'Bytes sent to the terminal, e.g. "y", "\\r" for Enter, "\\u001b" for Esc, "\\u0003" for Ctrl-C.',
  );

const KIND = /^[a-z][a-z0-9-]{0,31}$/;

export const AgentKind = z
  .string()
  .regex(KIND, 'must be 1-32 lowercase letters, digits or dashes, starting with a letter')
  .describe(
    'The agent kind this profile describes, e.g. "codex"; a workspace file with the same kind overrides it.',
  );

export const RuleSource = z
  .enum(['live', 'screen', 'title'])
  .describe(
    'What the regex is tested against, one line at a time: "live" the bottom rows of the screen where a TUI keeps ' +
      'its prompt and status (text quoted higher up cannot match), "screen" every visible row, "title" the ' +
      'terminal title (OSC 0/2).',
  );

/** The states a screen can show; `exited` comes from the process, never from the screen. */
export const RuleState = z
  .enum(PANE_STATES)
  .exclude(['exited'])
  .describe('The pane state this rule reports when it matches.');

export const RuleError = z
  .strictObject({
    class: z.enum(ERROR_CLASSES).describe('What kind of failure the matched line reports.'),
    retrying: z
      .boolean()
      .describe('True when the agent says it retries by itself (e.g. "Reconnecting... 1/2").'),
  })
  .describe('Only for state "error". Without it an error rule reports class "unknown", not retrying.');

export const RuleApproval = z
  .strictObject({
    kind: z.enum(['command', 'edit', 'other']).describe('What the agent asks to do.'),
    commandRegex: RegexWithGroup.optional().describe(
      'Tested against each live row while the prompt is shown; its first capture group is the command the agent ' +
        'wants to run.',
    ),
  })
  .describe('Only for state "awaiting_approval". Without it the request has kind "other" and no command.');

export const Rule = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, ".", "_" or "-"')
      .describe('Unique within its pattern set; names the rule in logs and in the state reason.'),
    description: z.string().optional().describe('What the rule is for; not used by FleetAI.'),
    state: RuleState,
    source: RuleSource,
    regex: RuleRegexSource.describe('JavaScript regular expression, tested against each line of the source.'),
    flags: z
      .string()
      .regex(REGEX_FLAGS, 'may hold each of i, m, s, u, v once (g and y would make line tests stateful)')
      .optional()
      .describe('RegExp flags, e.g. "i". Default none.'),
    priority: z
      .number()
      .int()
      .optional()
      .describe(
        'When several rules match, the highest priority wins; at equal priority the first rule in the set. ' +
          'Default 0.',
      ),
    error: RuleError.optional(),
    approval: RuleApproval.optional(),
  })
  .superRefine((rule, ctx) => {
    // Invalid whatever the flags: already reported on the field. Bad flags: reported on `flags`.
    const flags = rule.flags ?? '';
    if (!alwaysInvalid(rule.regex) && REGEX_FLAGS.test(flags)) {
      const problem = regexProblem(rule.regex, flags);
      if (problem) ctx.addIssue({ code: 'custom', path: ['regex'], message: problem });
    }
    if (rule.error && rule.state !== 'error') {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'only allowed on rules with state "error"' });
    }
    if (rule.approval && rule.state !== 'awaiting_approval') {
      ctx.addIssue({
        code: 'custom',
        path: ['approval'],
        message: 'only allowed on rules with state "awaiting_approval"',
      });
    }
  });

export const PatternSet = z
  .strictObject({
    versions: z
      .string()
      .min(1)
      .refine(
        (range) => semver.validRange(range) !== null,
        'must be a semver range such as ">=0.160.0" or "*"',
      )
      .describe('The CLI versions these rules apply to, as a semver range; "*" for any version.'),
    extend: z
      .boolean()
      .optional()
      .describe(
        'When true, these rules are added on top of the next set (further down the list) that matches the same ' +
          'version, and a rule here replaces one with the same id there. Default false: this set alone applies.',
      ),
    description: z
      .string()
      .optional()
      .describe('Where the rules come from, e.g. the version they were measured on.'),
    rules: z.array(Rule).min(1),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          message: `duplicate rule id "${rule.id}"`,
        });
      }
      seen.add(rule.id);
    });
  });

export const Detect = z
  .strictObject({
    executables: z
      .array(z.string().min(1))
      .describe(
        'Executable names that mean this agent, without folder or extension (compared case-insensitively): ' +
          '"codex" also matches /usr/bin/codex, codex.exe, codex.cmd, `npx codex`, `node .../codex.js`.',
      ),
    packages: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'npm or PyPI package names that mean this agent (`npx @openai/codex`, `node_modules/<pkg>/...`).',
      ),
  })
  .describe('How FleetAI recognises this agent from a command line.');

export const VersionProbe = z
  .strictObject({
    args: z.array(z.string()).describe('Arguments that make the CLI print its version, e.g. ["--version"].'),
    pattern: RegexWithGroup.describe(
      'Searched in the output; its first capture group is the version (semver, or coerced to it).',
    ),
  })
  .describe('How to ask the CLI for its version, to pick the pattern set. null: no version probe.');

export const Resume = z
  .strictObject({
    args: z
      .array(z.string())
      .min(1)
      .describe('Arguments that continue the most recent session in this folder.'),
  })
  .describe('How to restart the agent where it left off after a crash or a reload. null: it cannot resume.');

export const Approval = z
  .strictObject({
    approve: Keys.describe('Keys that approve the pending request once.'),
    approveForSession: Keys.optional().describe('Keys that approve it and similar requests for the session.'),
    approveForSessionOption: RegexSource.optional().describe(
      'A regex the live screen must match before approveForSession is sent: the option is not offered in every ' +
        'prompt, and the same key can mean something else when it is missing. Without it approveForSession is ' +
        'sent whenever asked for.',
    ),
    deny: Keys.describe('Keys that decline the pending request.'),
  })
  .describe("How to answer the agent's approval prompts. null: the agent never asks.");

export const Nudge = z
  .strictObject({
    text: z
      .string()
      .min(1)
      .describe('Message typed (and submitted) to get a stalled or idle agent going again.'),
  })
  .describe('null: FleetAI never nudges this agent.');

export const Input = z
  .strictObject({
    submitDelayMs: z
      .number()
      .int()
      .min(0)
      .describe(
        'Pause between the typed text and the submit keys (Codex takes an Enter right after text as a paste).',
      ),
    charDelayMs: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Pause between typed characters, for agents that drop fast input. Default 0: the text in one write.',
      ),
    submitKeys: Keys.describe('What submits a message, normally "\\r" (Enter).'),
  })
  .describe('How to type into the agent.');

export const Timing = z
  .strictObject({
    idleDebounceMs: z
      .number()
      .int()
      .min(0)
      .describe('How long a calm screen must hold before the agent counts as awaiting input.'),
    liveRows: z
      .number()
      .int()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'How many non-empty rows at the bottom of the screen form the live region that `live` rules read. ' +
          'Default 14; a line-oriented agent (a shell, Aider) wants a few rows, so answered prompts stop counting.',
      ),
  })
  .describe('Detection timing for this agent.');

export const Hooks = z
  .strictObject({
    via: z
      .enum(['claude-settings', 'codex-notify'])
      .describe(
        'How the agent reports its events to FleetAI: "claude-settings" Claude Code hooks (UserPromptSubmit, ' +
          'PreToolUse, PermissionRequest, Notification, Stop...) that run `fleet hook`; "codex-notify" Codex\'s ' +
          '`notify` program, called as `fleet hook <json>` when a turn completes.',
      ),
    inject: z
      .boolean()
      .describe(
        'true: FleetAI adds the hooks to the command line ("claude-settings": `--settings <file>` in a temporary ' +
          'folder, the user\'s own settings untouched; "codex-notify": `-c notify=[...]`, which turns off Codex\'s ' +
          'app-server daemon). false: FleetAI only gives the agent the FLEETAI_HOOK_* variables, for hooks the ' +
          'user\'s own config names (`notify = ["fleet", "hook"]` in config.toml).',
      ),
  })
  .describe(
    'Agent hooks as a structured state source: they outrank the screen for a moment. Left out or null: FleetAI ' +
      'reads this agent from its screen only.',
  );

/** What a `fleetMcp.args` entry may name; see extension/core/panes/fleetMcpArgs.ts for the values. */
export const FLEET_MCP_PLACEHOLDERS = ['command', 'args', 'env', 'workspace', 'pane', 'mcpConfig'] as const;
const PLACEHOLDER = /\$\{(?:(json|toml):)?([A-Za-z]+)\}/g;

export const FleetMcp = z
  .strictObject({
    args: z
      .array(
        z.string().superRefine((arg, ctx) => {
          for (const match of arg.matchAll(PLACEHOLDER)) {
            const name = match[2] ?? '';
            if (!(FLEET_MCP_PLACEHOLDERS as readonly string[]).includes(name)) {
              ctx.addIssue({
                code: 'custom',
                message: `unknown placeholder \${${name}} (known: ${FLEET_MCP_PLACEHOLDERS.join(', ')})`,
              });
            } else if (match[1] === undefined && ['args', 'env', 'mcpConfig'].includes(name)) {
              ctx.addIssue({
                code: 'custom',
                message: `\${${name}} is not a string: write \${json:${name}} or \${toml:${name}}`,
              });
            }
          }
        }),
      )
      .min(1)
      .describe(
        "Arguments that give the agent FleetAI's MCP server (`fleet mcp-server`) for one run, added before the " +
          'other arguments. Placeholders: ${command} the program that runs the fleet CLI (an absolute path), ' +
          '${args} its arguments (the CLI, "mcp-server", --workspace, --pane), ${env} the variables it needs ' +
          '(ELECTRON_RUN_AS_NODE in VS Code), ${workspace}, ${pane}, and ${mcpConfig} the whole ' +
          '{"mcpServers": {"fleetai": {...}}} object. ${json:x} writes the value as JSON, ${toml:x} as TOML ' +
          '(an inline table for an object), for values the agent parses.',
      ),
  })
  .describe(
    "FleetAI's own MCP server, offered to this agent (a pane with fleetMcp on gets these arguments). Left out " +
      'or null: this agent has no per-run way to be given an MCP server.',
  );

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name');

const fields = {
  $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
  schemaVersion: z.literal(AGENT_PROFILE_SCHEMA_VERSION).describe('The version of this file format: 1.'),
  kind: AgentKind,
  displayName: z.string().min(1).describe('Name shown in the views, e.g. "Codex CLI".'),
  command: z.string().min(1).describe('The executable to start, found on PATH unless it is a path.'),
  args: z.array(z.string()).describe('Arguments for a fresh start.'),
  env: z.record(EnvName, z.string()).describe('Environment variables added when starting the agent.'),
  detect: Detect,
  version: VersionProbe.nullable(),
  resume: Resume.nullable(),
  approval: Approval.nullable(),
  nudge: Nudge.nullable(),
  interrupt: Keys.describe('Keys that stop the current turn without quitting the agent.'),
  input: Input,
  timing: Timing,
  hooks: Hooks.nullable().optional(),
  fleetMcp: FleetMcp.nullable().optional(),
  patterns: z
    .array(PatternSet)
    .min(1)
    .describe(
      "Screen patterns, one set per range of CLI versions. The first set whose range matches the CLI's version " +
        "applies; a workspace override's sets come before the built-in ones.",
    ),
};

export const AgentProfile = z
  .strictObject(fields)
  .describe('A FleetAI agent profile: how to start, resume, answer and read one agent CLI.');
export type AgentProfile = z.output<typeof AgentProfile>;
export type AgentProfileRule = z.output<typeof Rule>;
export type AgentProfilePatternSet = z.output<typeof PatternSet>;
export type AgentProfileApproval = z.output<typeof Approval>;
export type AgentHooks = z.output<typeof Hooks>;
export type AgentFleetMcp = z.output<typeof FleetMcp>;

/**
 * A workspace file for a kind that already has a profile: only `schemaVersion` and `kind` are required, every
 * other field given replaces the built-in one (objects field by field), and its `patterns` sets are placed
 * before the built-in sets. The merged result must then be a valid AgentProfile.
 */
export const AgentProfileOverride = z
  .strictObject({
    $schema: fields.$schema,
    schemaVersion: fields.schemaVersion,
    kind: fields.kind,
    displayName: fields.displayName.optional(),
    command: fields.command.optional(),
    args: fields.args.optional(),
    env: fields.env.optional(),
    detect: Detect.partial().optional(),
    version: VersionProbe.partial().nullable().optional(),
    resume: Resume.nullable().optional(),
    approval: Approval.partial().nullable().optional(),
    nudge: Nudge.nullable().optional(),
    interrupt: fields.interrupt.optional(),
    input: Input.partial().optional(),
    timing: Timing.partial().optional(),
    hooks: Hooks.partial().nullable().optional(),
    fleetMcp: FleetMcp.nullable().optional(),
    patterns: fields.patterns.optional(),
  })
  .describe(
    'A workspace override of a FleetAI agent profile: the fields given replace the built-in ones; patterns come ' +
      'first.',
  );
export type AgentProfileOverride = z.output<typeof AgentProfileOverride>;

/** File names of the generated JSON Schemas, next to the shipped profiles in `agents-config/`. */
export const AGENT_PROFILE_SCHEMA_FILE = 'agent-profile.schema.json';
export const AGENT_PROFILE_OVERRIDE_SCHEMA_FILE = 'agent-profile-override.schema.json';

/**
 * The JSON Schemas for editors, keyed by file name. Draft 7, which VS Code's JSON language service supports
 * fully. Regex compilation and the cross-field checks exist only in zod; the schemas give completion and the
 * structural checks.
 */
export function agentProfileJsonSchemas(): Record<string, unknown> {
  const generate = (schema: z.ZodType, title: string): unknown => {
    const { $schema, ...rest } = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: 'input',
      unrepresentable: 'any',
    });
    return { $schema, title, ...rest };
  };
  return {
    [AGENT_PROFILE_SCHEMA_FILE]: generate(AgentProfile, 'FleetAI agent profile'),
    [AGENT_PROFILE_OVERRIDE_SCHEMA_FILE]: generate(AgentProfileOverride, 'FleetAI agent profile override'),
  };
}
