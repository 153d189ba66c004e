import type {
  ApprovalView,
  McpServerView,
  PaneView,
  SupervisorView,
} from '../../extension/protocol/messages';
import type { MessageKey, Translate } from './i18n';

/**
 * The protocol's enum words as the person reads them. Each table is total over its enum (the `Record` types
 * make a new protocol word a compile error here), and every value is a key of the translation table.
 */
export const paneStateText: Record<PaneView['state'], MessageKey> = {
  starting: 'starting',
  working: 'working',
  awaiting_approval: 'awaiting approval',
  awaiting_input: 'awaiting input',
  stalled: 'stalled',
  error: 'error',
  exited: 'exited',
};

export const phaseText: Record<NonNullable<PaneView['phase']>, MessageKey> = {
  PLANNING: 'PLANNING',
  EXECUTING: 'EXECUTING',
  VERIFYING: 'VERIFYING',
  BLOCKED: 'BLOCKED',
  DONE: 'DONE',
};

export const heartbeatText: Record<SupervisorView['heartbeat'], MessageKey> = {
  idle: 'idle',
  running: 'running',
  stale: 'stale',
};

/** An MCP server's state, in the MCP Servers view's words. */
export const mcpStateText: Record<McpServerView['state'], MessageKey> = {
  idle: 'idle',
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  disconnected: 'disconnected',
  disabled: 'disabled',
  broken: 'broken',
};

export const riskText: Record<ApprovalView['risk'], MessageKey> = {
  low: 'low risk',
  medium: 'medium risk',
  high: 'high risk',
  critical: 'critical risk',
};

export const approvalKindText: Record<ApprovalView['kind'], MessageKey> = {
  command: 'run a command',
  edit: 'edit files',
  other: 'a permission',
};

/** Phases the host may send that this build does not know yet are shown as they come. */
export function phaseWord(t: Translate, phase: string): string {
  return Object.hasOwn(phaseText, phase) ? t(phaseText[phase as keyof typeof phaseText]) : phase;
}

export function supervisorModeText(t: Translate, supervisor: SupervisorView): string {
  switch (supervisor.mode) {
    case 'off':
      return t('not running');
    case 'window':
      return t('runs in this window');
    case 'elsewhere':
      return supervisor.ownerPid === undefined
        ? t('runs in another process')
        : t('runs in another process (pid {0})', supervisor.ownerPid);
    case 'failed':
      return supervisor.problem ? t('did not start: {0}', supervisor.problem) : t('did not start');
  }
}

/** The host's task status words (webviewSnapshots.ts); an unknown one is shown as it comes. */
const taskStatusText: Record<string, MessageKey> = {
  done: 'done',
  blocked: 'blocked',
  waiting: 'waiting',
  running: 'in progress',
  ready: 'ready',
};

export function taskStatusWord(t: Translate, status: string): string {
  const key = Object.hasOwn(taskStatusText, status) ? taskStatusText[status] : undefined;
  return key ? t(key) : status;
}
