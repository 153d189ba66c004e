import { z } from 'zod';
import { HOOK_WIRE_VERSION } from './hookWire';

/**
 * The shapes FleetAI reads from agent hooks, as recorded from the real CLIs (test/fixtures/hook-payloads/,
 * `node test/tools/record-hook-payloads.mjs`). Objects are loose: the CLIs add fields every few releases, and a
 * field FleetAI does not read must not make a hook fail. Fields FleetAI reads are required where every recorded
 * payload has them.
 */

export const HookWireMessage = z.strictObject({
  v: z.literal(HOOK_WIRE_VERSION),
  token: z.string().min(1).max(200),
  pane: z.string().min(1).max(200),
  payload: z.unknown(),
});

const ToolInput = z.record(z.string(), z.unknown());

/** Fields every Claude Code hook input carries. */
const claudeBase = {
  session_id: z.string(),
  cwd: z.string(),
  transcript_path: z.string().optional(),
  permission_mode: z.string().optional(),
  prompt_id: z.string().optional(),
};

const claudeTool = {
  ...claudeBase,
  tool_name: z.string().min(1),
  tool_input: ToolInput,
  tool_use_id: z.string().optional(),
};

/** Claude Code 2.1.329's hook inputs (stdin JSON), one schema per event FleetAI maps. */
export const ClaudeHookSchemas = {
  SessionStart: z.looseObject({
    ...claudeBase,
    hook_event_name: z.literal('SessionStart'),
    /** startup, resume, clear, compact. */
    source: z.string(),
    model: z.string().optional(),
  }),
  UserPromptSubmit: z.looseObject({
    ...claudeBase,
    hook_event_name: z.literal('UserPromptSubmit'),
    prompt: z.string(),
  }),
  PreToolUse: z.looseObject({ ...claudeTool, hook_event_name: z.literal('PreToolUse') }),
  PermissionRequest: z.looseObject({ ...claudeTool, hook_event_name: z.literal('PermissionRequest') }),
  PostToolUse: z.looseObject({ ...claudeTool, hook_event_name: z.literal('PostToolUse') }),
  PostToolUseFailure: z.looseObject({ ...claudeTool, hook_event_name: z.literal('PostToolUseFailure') }),
  Notification: z.looseObject({
    ...claudeBase,
    hook_event_name: z.literal('Notification'),
    message: z.string(),
    /** permission_prompt, idle_prompt, auth_success, elicitation_dialog... */
    notification_type: z.string().optional(),
    title: z.string().optional(),
  }),
  Stop: z.looseObject({
    ...claudeBase,
    hook_event_name: z.literal('Stop'),
    stop_hook_active: z.boolean(),
    last_assistant_message: z.string().optional(),
  }),
  SessionEnd: z.looseObject({
    ...claudeBase,
    hook_event_name: z.literal('SessionEnd'),
    reason: z.string().optional(),
  }),
} as const;

export type ClaudeHookEventName = keyof typeof ClaudeHookSchemas;
export type ClaudeHookInput = {
  [K in ClaudeHookEventName]: z.output<(typeof ClaudeHookSchemas)[K]>;
}[ClaudeHookEventName];

/** An event FleetAI does not map (SubagentStop, PreCompact, a newer one): read only to log its name. */
export const ClaudeOtherHook = z.looseObject({ ...claudeBase, hook_event_name: z.string().min(1) });

/** Codex 0.169.0's `notify` argument (the last argv argument of the notify program). */
export const CodexNotifyPayload = z.looseObject({
  type: z.string().min(1),
  'thread-id': z.string().optional(),
  'turn-id': z.string().optional(),
  cwd: z.string().optional(),
  client: z.string().optional(),
  'input-messages': z.array(z.string()).optional(),
  'last-assistant-message': z.string().nullable().optional(),
});
export type CodexNotifyPayload = z.output<typeof CodexNotifyPayload>;

export const CodexTurnComplete = CodexNotifyPayload.extend({
  type: z.literal('agent-turn-complete'),
  'thread-id': z.string().min(1),
  'turn-id': z.string().min(1),
});

export type HookPayload =
  | { agent: 'claude'; event: ClaudeHookInput }
  | { agent: 'claude'; event: z.output<typeof ClaudeOtherHook>; unmapped: true }
  | { agent: 'codex'; notify: CodexNotifyPayload };

export type PayloadResult = { ok: true; value: HookPayload } | { ok: false; issues: z.core.$ZodIssue[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tells the agent from the payload's shape (Claude Code names its event in `hook_event_name`, Codex in `type`)
 * and validates it. Issues come back with their path, to be reported as `payload.<field>`.
 */
export function parseHookPayload(payload: unknown): PayloadResult {
  if (!isRecord(payload)) {
    return {
      ok: false,
      issues: [{ code: 'custom', path: [], message: 'must be a JSON object', input: payload }],
    };
  }
  if ('hook_event_name' in payload) {
    const name = payload.hook_event_name;
    const schema =
      typeof name === 'string' && Object.hasOwn(ClaudeHookSchemas, name)
        ? ClaudeHookSchemas[name as ClaudeHookEventName]
        : undefined;
    if (schema) {
      const parsed = schema.safeParse(payload);
      return parsed.success
        ? { ok: true, value: { agent: 'claude', event: parsed.data } }
        : { ok: false, issues: parsed.error.issues };
    }
    const other = ClaudeOtherHook.safeParse(payload);
    return other.success
      ? { ok: true, value: { agent: 'claude', event: other.data, unmapped: true } }
      : { ok: false, issues: other.error.issues };
  }
  if ('type' in payload) {
    const schema = payload.type === 'agent-turn-complete' ? CodexTurnComplete : CodexNotifyPayload;
    const parsed = schema.safeParse(payload);
    return parsed.success
      ? { ok: true, value: { agent: 'codex', notify: parsed.data } }
      : { ok: false, issues: parsed.error.issues };
  }
  return {
    ok: false,
    issues: [
      {
        code: 'custom',
        path: [],
        message:
          'neither a Claude Code hook input (no "hook_event_name") nor a Codex notify payload (no "type")',
        input: payload,
      },
    ],
  };
}
