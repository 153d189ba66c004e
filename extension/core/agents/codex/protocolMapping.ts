import type { Candidate } from '../../panes/stateTracker';
import type { ApprovalDecision, ApprovalOption, ApprovalRequest, ErrorClass } from '../../panes/types';
import {
  COMMAND_APPROVAL_METHOD,
  CommandApprovalParams,
  ErrorParams,
  FILE_CHANGE_APPROVAL_METHOD,
  FileChangeApprovalParams,
  ServerRequestResolvedParams,
  ThreadStatusChangedParams,
  TurnParams,
  type ProtocolDecision,
  type ThreadStatus,
  type TurnError,
} from './appServerProtocol';
import type { AppServerNotification, AppServerRequest } from './appServerClient';

/**
 * Codex app-server messages -> pane state candidates. Pure: the attachment (codexAttach.ts) decides which
 * thread a message is about and feeds the tracker; these functions only say what a message means. Evidence is
 * a short JSON of the event (untrusted text: shown, never executed).
 */

export interface MappingContext {
  /**
   * Subscribed to the thread (thread/resume succeeded), so turn and item events and approval requests reach
   * FleetAI. Before that only the status changes every client receives do.
   */
  subscribed: boolean;
}

export type Mapped =
  /** `defer`: a generic approval that the request with its details normally follows within milliseconds. */
  | { kind: 'report'; candidate: Candidate; defer?: boolean }
  /** Activity without a change of state (a streamed item, token usage). */
  | { kind: 'progress' }
  | undefined;

const EVIDENCE_MAX = 400;

/** The methods that only show the agent is busy: items starting, streaming and finishing, diffs, plans, usage. */
const ACTIVITY = /^(item\/|turn\/(diff|plan)\/|thread\/tokenUsage\/|rawResponse)/;

export function evidence(method: string, fields: Record<string, unknown>): string[] {
  const text = JSON.stringify({ method, ...fields });
  return [text.length > EVIDENCE_MAX ? `${text.slice(0, EVIDENCE_MAX - 1)}…` : text];
}

/** What a notification about the followed thread means for the pane. */
export function mapNotification(notification: AppServerNotification, context: MappingContext): Mapped {
  const { method, params } = notification;
  switch (method) {
    case 'turn/started': {
      const p = TurnParams.safeParse(params);
      if (!p.success) return undefined;
      return report('working', `app-server ${method}`, evidence(method, { turnId: p.data.turn.id }));
    }
    case 'turn/completed': {
      const p = TurnParams.safeParse(params);
      if (!p.success) return undefined;
      const { turn } = p.data;
      const ev = evidence(method, {
        turnId: turn.id,
        status: turn.status,
        ...(turn.error ? { error: compactError(turn.error) } : {}),
      });
      if (turn.status === 'failed') {
        const message = turn.error?.message ?? 'the turn failed';
        return {
          kind: 'report',
          candidate: {
            name: 'error',
            reason: `app-server ${method} (failed)`,
            evidence: ev,
            error: { class: classifyCodexError(turn.error?.codexErrorInfo), retrying: false, message },
          },
        };
      }
      return report('awaiting_input', `app-server ${method} (${turn.status})`, ev);
    }
    case 'error': {
      const p = ErrorParams.safeParse(params);
      if (!p.success) return undefined;
      const { error, willRetry } = p.data;
      return {
        kind: 'report',
        candidate: {
          name: 'error',
          reason: `app-server error${willRetry ? ' (Codex retries)' : ''}`,
          evidence: evidence(method, { error: compactError(error), willRetry }),
          error: {
            class: classifyCodexError(error.codexErrorInfo),
            retrying: willRetry,
            message: error.message,
          },
        },
      };
    }
    case 'thread/status/changed': {
      const p = ThreadStatusChangedParams.safeParse(params);
      if (!p.success) return undefined;
      return mapStatus(p.data.status, context, `app-server ${method}`);
    }
    case 'serverRequest/resolved': {
      const p = ServerRequestResolvedParams.safeParse(params);
      if (!p.success) return undefined;
      return report('working', `app-server ${method}`, evidence(method, { requestId: p.data.requestId }));
    }
    default:
      return ACTIVITY.test(method) ? { kind: 'progress' } : undefined;
  }
}

/**
 * A thread status (from thread/status/changed, or thread/resume's answer). Once subscribed, `active`, `idle` and
 * `systemError` are left to turn/started, turn/completed and error: those follow at once and say why.
 */
export function mapStatus(status: ThreadStatus, context: MappingContext, reason: string): Mapped {
  const flags = status.activeFlags ?? [];
  const ev = evidence('thread/status/changed', { status });
  switch (status.type) {
    case 'active':
      if (flags.includes('waitingOnApproval')) {
        return {
          kind: 'report',
          defer: true,
          candidate: {
            name: 'awaiting_approval',
            reason: `${reason} (waitingOnApproval)`,
            evidence: ev,
            approval: { kind: 'other', source: 'protocol', options: [] },
          },
        };
      }
      if (flags.includes('waitingOnUserInput')) {
        return report('awaiting_input', `${reason} (waitingOnUserInput)`, ev);
      }
      // Subscribed, turn/started (or serverRequest/resolved) follows at once and says why.
      return context.subscribed ? undefined : report('working', `${reason} (active)`, ev);
    case 'idle':
      return context.subscribed ? undefined : report('awaiting_input', `${reason} (idle)`, ev);
    case 'systemError':
      return context.subscribed
        ? undefined
        : {
            kind: 'report',
            candidate: {
              name: 'error',
              reason: `${reason} (systemError)`,
              evidence: ev,
              error: {
                class: 'unknown',
                retrying: false,
                message: 'Codex reports a system error in the thread',
              },
            },
          };
    default:
      return undefined;
  }
}

/** An approval request for a thread: what it asks, and how the TUI offers to answer it. */
export interface ProtocolApproval {
  threadId: string;
  candidate: Candidate & { approval: ApprovalRequest };
}

/** Command and file-change approval requests; undefined for any other server request (the TUI answers those). */
export function mapApprovalRequest(request: AppServerRequest): ProtocolApproval | undefined {
  const channelId = String(request.id);
  if (request.method === COMMAND_APPROVAL_METHOD) {
    const p = CommandApprovalParams.safeParse(request.params);
    if (!p.success) return undefined;
    const params = p.data;
    const command = displayCommand(params);
    const approval: ApprovalRequest = {
      kind: 'command',
      source: 'protocol',
      channelId,
      ...(command ? { command } : {}),
      ...(params.reason ? { reason: params.reason } : {}),
      options: commandOptions(params.availableDecisions ?? undefined),
    };
    return {
      threadId: params.threadId,
      candidate: {
        name: 'awaiting_approval',
        reason: `app-server ${request.method}`,
        evidence: evidence(request.method, {
          id: request.id,
          ...(command ? { command } : {}),
          ...(params.reason ? { reason: params.reason } : {}),
        }),
        approval,
      },
    };
  }
  if (request.method === FILE_CHANGE_APPROVAL_METHOD) {
    const p = FileChangeApprovalParams.safeParse(request.params);
    if (!p.success) return undefined;
    const params = p.data;
    const approval: ApprovalRequest = {
      kind: 'edit',
      source: 'protocol',
      channelId,
      ...(params.reason ? { reason: params.reason } : {}),
      options: EDIT_OPTIONS.map((o) => ({ ...o })),
    };
    return {
      threadId: params.threadId,
      candidate: {
        name: 'awaiting_approval',
        reason: `app-server ${request.method}`,
        evidence: evidence(request.method, {
          id: request.id,
          ...(params.reason ? { reason: params.reason } : {}),
          ...(params.grantRoot ? { grantRoot: params.grantRoot } : {}),
        }),
        approval,
      },
    };
  }
  return undefined;
}

/**
 * FleetAI's decision as the app-server takes it. Measured on 0.169.0: `acceptForSession` and `decline` are
 * honoured for a command even when `availableDecisions` does not list them (the TUI then offers only accept,
 * the exec-policy amendment and cancel).
 */
export function protocolDecision(decision: ApprovalDecision): ProtocolDecision {
  switch (decision) {
    case 'approve':
      return 'accept';
    case 'approve_for_session':
      return 'acceptForSession';
    case 'deny':
      return 'decline';
    case 'cancel':
      return 'cancel';
  }
}

const SERVER_ERRORS = new Set(['internalServerError', 'serverOverloaded']);
const RATE_LIMIT_ERRORS = new Set(['rateLimitExceeded', 'usageLimitExceeded']);
const NETWORK_ERRORS = new Set([
  'httpConnectionFailed',
  'responseStreamConnectionFailed',
  'responseStreamDisconnected',
  'responseTooManyFailedAttempts',
]);

/** The error class of a `codexErrorInfo`: an HTTP status where Codex forwards one, else the variant's name. */
export function classifyCodexError(info: unknown): ErrorClass {
  if (typeof info === 'string') {
    if (SERVER_ERRORS.has(info)) return 'server';
    if (RATE_LIMIT_ERRORS.has(info)) return 'rate_limit';
    if (info === 'unauthorized') return 'auth';
    return 'unknown';
  }
  if (info === null || typeof info !== 'object') return 'unknown';
  const [variant, detail] = Object.entries(info)[0] ?? [];
  if (variant === undefined) return 'unknown';
  const status =
    detail !== null && typeof detail === 'object' && 'httpStatusCode' in detail
      ? (detail as { httpStatusCode: unknown }).httpStatusCode
      : undefined;
  if (typeof status === 'number') {
    if (status === 429) return 'rate_limit';
    if (status === 401 || status === 403) return 'auth';
    if (status >= 500) return 'server';
  }
  return NETWORK_ERRORS.has(variant) ? 'network' : 'unknown';
}

/**
 * The command as the TUI shows it: Codex runs `/bin/bash -lc '<command>'`; the prompt shows `<command>`.
 * Falls back to the parsed command actions, then to the raw command.
 */
export function displayCommand(
  params: Pick<CommandApprovalParams, 'command' | 'commandActions'>,
): string | undefined {
  const raw = params.command ?? undefined;
  if (raw) {
    const inner = unwrapShell(raw);
    if (inner !== undefined) return inner;
  }
  const actions = (params.commandActions ?? []).map((a) => a.command).filter((c): c is string => !!c);
  if (actions.length > 0) return actions.join(' && ');
  return raw;
}

/** `bash -lc 'x'`, `/bin/sh -c "x"`, `zsh -lc x` -> x; undefined when the command is not such a wrapper. */
export function unwrapShell(command: string): string | undefined {
  const m = /^(?:\S*\/)?(?:bash|sh|zsh)\s+-l?c\s+([\s\S]+)$/.exec(command.trim());
  const arg = m?.[1];
  if (arg === undefined) return undefined;
  if (arg.startsWith("'") && arg.endsWith("'") && arg.length >= 2) {
    // Single quotes cannot be escaped inside single quotes: a quote is written '\'' (close, \', reopen).
    const body = arg.slice(1, -1);
    return body.includes("'") && !body.includes("'\\''") ? undefined : body.split("'\\''").join("'");
  }
  if (arg.startsWith('"') && arg.endsWith('"') && arg.length >= 2) {
    return arg.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  return /\s/.test(arg) ? undefined : arg;
}

/**
 * The options the TUI draws for a command approval, in its order and with its keys, so that answering with
 * keys still works if the protocol cannot carry the answer.
 */
export function commandOptions(availableDecisions: readonly unknown[] | undefined): ApprovalOption[] {
  const decisions = availableDecisions?.length
    ? availableDecisions
    : ['accept', 'acceptForSession', 'cancel'];
  const options: ApprovalOption[] = [];
  for (const decision of decisions) {
    const option = commandOption(decision);
    if (option) options.push(option);
  }
  return options;
}

function commandOption(decision: unknown): ApprovalOption | undefined {
  if (decision === 'accept') return { keys: 'y', label: 'Yes, proceed' };
  if (decision === 'acceptForSession')
    return { keys: 'a', label: "Yes, and don't ask again for this command in this session" };
  if (decision === 'decline') return { keys: 'd', label: 'No, continue without running it' };
  if (decision === 'cancel') return { keys: ESC, label: 'No, and tell Codex what to do differently' };
  if (decision === null || typeof decision !== 'object') return undefined;
  const amendment = (decision as { acceptWithExecpolicyAmendment?: { execpolicy_amendment?: unknown } })
    .acceptWithExecpolicyAmendment?.execpolicy_amendment;
  if (Array.isArray(amendment)) {
    const prefix = amendment.map((part) => shellQuote(String(part))).join(' ');
    return { keys: 'p', label: `Yes, and don't ask again for commands that start with \`${prefix}\`` };
  }
  const network = (
    decision as { applyNetworkPolicyAmendment?: { network_policy_amendment?: { action?: unknown } } }
  ).applyNetworkPolicyAmendment?.network_policy_amendment;
  if (network?.action === 'allow') return { keys: 'p', label: 'Yes, and allow this host in the future' };
  if (network?.action === 'deny') return { keys: 'd', label: 'No, and block this host in the future' };
  return undefined;
}

const ESC = '\u001b';

const EDIT_OPTIONS: readonly ApprovalOption[] = [
  { keys: 'y', label: 'Yes, proceed' },
  { keys: 'a', label: "Yes, and don't ask again for these files" },
  { keys: ESC, label: 'No, and tell Codex what to do differently' },
];

function shellQuote(part: string): string {
  return /^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`;
}

function compactError(error: TurnError): Record<string, unknown> {
  return {
    message: error.message,
    ...(error.codexErrorInfo != null ? { codexErrorInfo: error.codexErrorInfo } : {}),
  };
}

function report(name: Candidate['name'], reason: string, ev: string[]): Mapped {
  return { kind: 'report', candidate: { name, reason, evidence: ev } };
}
