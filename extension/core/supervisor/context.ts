import type { CommandQueue, RiskVerdict } from '../commands/commandQueue';
import type { Logger } from '../observability/appLog';
import type { PaneMeta } from './paneMetadata';
import type { ApprovalsPort, DeciderPort, FleetPaneView, FleetPort, NotifierPort } from './ports';
import type { SupervisorSettings } from './settings';
import type { TaskBoard } from './taskBoard';

/** The log category of the supervisor's own (non-audit) lines. */
export const CATEGORY = 'supervisor';

export type AuditLevel = 'info' | 'warn' | 'error';

/** Classifies a command or an agent's approval request by the approval rules. */
export type Classify = (input: {
  text: string;
  kind: 'command' | 'edit' | 'other' | 'prompt' | 'shell';
  cwd: string;
}) => RiskVerdict;

/**
 * What the Orchestrator shares with the parts it delegates to (agent approvals, recovery steps, model assist,
 * task progress): the ports, the command queue and a few of its own services. Narrow on purpose, so a part
 * sees the supervisor's state only through the pane metadata it is handed or asks for.
 */
export interface SupervisorContext {
  readonly fleet: FleetPort;
  readonly approvals: ApprovalsPort;
  readonly notifier: NotifierPort;
  readonly log: Logger;
  readonly decider: DeciderPort | undefined;
  readonly workspaceRoot: string;
  readonly queue: CommandQueue;
  /** Read each time: the host changes the settings object in place. */
  readonly settings: SupervisorSettings;
  /** Read each time: the board is replaced when the saved state is loaded. */
  readonly tasks: TaskBoard;
  classify: Classify;
  /** The pane's metadata, created on first sight; it follows the branch when the pane gets a new id. */
  ensureMeta(pane: FleetPaneView): PaneMeta;
  /** Derives the pane's phase from its blockers and task; a change is audited. */
  updatePhase(meta: PaneMeta): void;
  /** The metadata changed: a save is scheduled. */
  changed(): void;
  /** One line of the audit trail. */
  audit(event: string, context: Record<string, unknown>, level?: AuditLevel): void;
  /** Now on the supervisor's clock, as an ISO timestamp. */
  iso(): string;
}
