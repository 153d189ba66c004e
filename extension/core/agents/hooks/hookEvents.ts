import type { Candidate } from '../../panes/stateTracker';
import type { ApprovalOption, ApprovalRequest, PaneState } from '../../panes/types';
import type { ClaudeHookInput, CodexNotifyPayload, HookPayload } from './hookPayloads';

/**
 * What one hook event means for a pane's state. Pure: the listener applies it to the pane's tracker
 * (`report` outranks the screen for a moment, `progress` only keeps a working pane from counting as stalled).
 */
export type HookOutcome =
  | { type: 'report'; candidate: Candidate; pendingTool?: string | null }
  | { type: 'progress'; why: string; pendingTool?: string | null }
  | { type: 'ignore'; why: string };

export interface HookContext {
  /** The pane's state when the event arrives. */
  current: Pick<PaneState, 'name'>;
  /**
   * The tool call a hook-reported approval waits for (`toolKey`). A tool that finishes meanwhile (Claude runs
   * tool calls of one message side by side) must not end that approval.
   */
  pendingTool?: string | undefined;
  /** How to answer the prompt with keys (from the agent profile): the screen's options never replace these. */
  approvalOptions: ApprovalOption[];
}

const EDIT_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);
const EVIDENCE_MAX = 200;

/** One line of untrusted text for `evidence`: first line, trimmed, bounded. */
function clip(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > EVIDENCE_MAX ? `${trimmed.slice(0, EVIDENCE_MAX - 1)}…` : trimmed;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Identifies a tool call across PreToolUse, PermissionRequest and PostToolUse (which lacks `tool_use_id`). */
export function toolKey(toolName: string, toolInput: Record<string, unknown>): string {
  return `${toolName}\u0000${JSON.stringify(toolInput)}`;
}

/** What a PermissionRequest asks for: a shell command, an edit of a file, or another tool. */
export function approvalFromTool(
  toolName: string,
  toolInput: Record<string, unknown>,
  options: ApprovalOption[],
): ApprovalRequest {
  const command = toolName === 'Bash' ? str(toolInput.command) : undefined;
  if (command !== undefined) {
    const description = str(toolInput.description);
    return {
      kind: 'command',
      source: 'hook',
      command,
      reason: description ?? `${toolName} wants to run a command`,
      options,
    };
  }
  if (EDIT_TOOLS.has(toolName)) {
    const file = str(toolInput.file_path) ?? str(toolInput.notebook_path);
    return {
      kind: 'edit',
      source: 'hook',
      reason: file ? `${toolName} ${file}` : `${toolName} wants to change a file`,
      options,
    };
  }
  return { kind: 'other', source: 'hook', reason: `${toolName} wants to run`, options };
}

function claudeReport(
  event: string,
  name: Candidate['name'],
  what: string,
  details: (string | undefined)[] = [],
): Candidate {
  return {
    name,
    reason: `Claude Code hook ${event}: ${what}`,
    evidence: [event, ...details.filter((d): d is string => d !== undefined && d !== '').map(clip)],
  };
}

export function mapClaudeHook(input: ClaudeHookInput, context: HookContext): HookOutcome {
  const waitingForApproval = context.current.name === 'awaiting_approval';
  switch (input.hook_event_name) {
    case 'SessionStart':
      // A compaction restarts the session in the middle of a turn: the agent keeps working.
      if (input.source === 'compact') return { type: 'progress', why: 'SessionStart after a compaction' };
      return {
        type: 'report',
        candidate: claudeReport('SessionStart', 'awaiting_input', `session ${input.source}, ready for input`),
        pendingTool: null,
      };
    case 'UserPromptSubmit':
      return {
        type: 'report',
        candidate: claudeReport('UserPromptSubmit', 'working', 'a prompt was submitted', [input.prompt]),
        pendingTool: null,
      };
    case 'PreToolUse':
      // Claude asks for permission after PreToolUse; a second tool of the same message must not hide a prompt.
      if (waitingForApproval)
        return { type: 'progress', why: `PreToolUse ${input.tool_name} while a prompt waits` };
      return {
        type: 'report',
        candidate: claudeReport('PreToolUse', 'working', `running ${input.tool_name}`, [
          str(input.tool_input.command) ?? str(input.tool_input.file_path),
        ]),
      };
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const key = toolKey(input.tool_name, input.tool_input);
      if (waitingForApproval && context.pendingTool !== undefined && context.pendingTool !== key) {
        return {
          type: 'progress',
          why: `${input.hook_event_name} ${input.tool_name}, another tool still waits`,
        };
      }
      const what = input.hook_event_name === 'PostToolUse' ? 'finished' : 'failed';
      return {
        type: 'report',
        candidate: claudeReport(input.hook_event_name, 'working', `${input.tool_name} ${what}, working on`),
        pendingTool: null,
      };
    }
    case 'PermissionRequest': {
      const approval = approvalFromTool(input.tool_name, input.tool_input, context.approvalOptions);
      return {
        type: 'report',
        candidate: {
          ...claudeReport('PermissionRequest', 'awaiting_approval', `${input.tool_name} needs permission`, [
            approval.command ?? approval.reason,
          ]),
          approval,
        },
        pendingTool: toolKey(input.tool_name, input.tool_input),
      };
    }
    case 'Notification': {
      const type = input.notification_type;
      // Claude Code 2.1.329 sends it about 6 s after PermissionRequest, without the tool: it adds nothing then.
      if (type === 'permission_prompt' || (type === undefined && /permission/i.test(input.message))) {
        if (waitingForApproval)
          return { type: 'progress', why: 'permission notification for the prompt shown' };
        return {
          type: 'report',
          candidate: {
            ...claudeReport('Notification', 'awaiting_approval', 'permission needed', [input.message]),
            approval: {
              kind: 'other',
              source: 'hook',
              reason: clip(input.message),
              options: context.approvalOptions,
            },
          },
        };
      }
      if (type === 'idle_prompt' || (type === undefined && /waiting for your input/i.test(input.message))) {
        return {
          type: 'report',
          candidate: claudeReport('Notification', 'awaiting_input', 'idle, waiting for input', [
            input.message,
          ]),
          pendingTool: null,
        };
      }
      return { type: 'ignore', why: `Notification ${type ?? 'without a type'}` };
    }
    case 'Stop':
      return {
        type: 'report',
        candidate: claudeReport('Stop', 'awaiting_input', 'the turn finished', [
          input.last_assistant_message,
        ]),
        pendingTool: null,
      };
    case 'SessionEnd':
      // The pty reports the exit itself, with the exit code.
      return { type: 'ignore', why: 'SessionEnd (the process exit follows)' };
  }
}

/**
 * Codex 0.169.0 runs a second, hidden turn on the first prompt to name the session, and notifies its completion
 * like any other (mid-turn when the real turn is slow). Its answer is a JSON object with only a `title`.
 */
export function isTitleTurn(payload: CodexNotifyPayload): boolean {
  const last = payload['last-assistant-message'];
  if (typeof last !== 'string' || !last.trimStart().startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(last);
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.keys(parsed).length === 1 &&
      typeof (parsed as { title?: unknown }).title === 'string'
    );
  } catch {
    return false;
  }
}

export function mapCodexNotify(payload: CodexNotifyPayload): HookOutcome {
  if (payload.type !== 'agent-turn-complete') return { type: 'ignore', why: `Codex notify ${payload.type}` };
  if (isTitleTurn(payload)) return { type: 'ignore', why: 'Codex notify for its session-title turn' };
  const last = payload['last-assistant-message'];
  return {
    type: 'report',
    candidate: {
      name: 'awaiting_input',
      reason: 'Codex notify agent-turn-complete: the turn finished',
      evidence: ['agent-turn-complete', ...(last ? [clip(last)] : [])],
    },
  };
}

export function mapHookPayload(payload: HookPayload, context: HookContext): HookOutcome {
  if (payload.agent === 'codex') return mapCodexNotify(payload.notify);
  if ('unmapped' in payload) return { type: 'ignore', why: `${payload.event.hook_event_name} is not mapped` };
  return mapClaudeHook(payload.event, context);
}
