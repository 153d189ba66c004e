import type { RegistryEntryView } from '../core/agents/profileRegistry';
import type { ProfileProblem } from '../core/agents/profiles';
import type { ApprovalRequest } from '../core/approvals';
import type { DoctorReport } from '../core/doctor/doctor';
import type { PaneStateName } from '../core/panes/types';
import type { SupervisorState } from '../core/supervisor/paneMetadata';
import type {
  ApprovalsSnapshot,
  DashboardSnapshot,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../protocol/messages';

/** One agent pane of this window, as the API shows it. */
export interface PaneSummary {
  /** `p1`, `p2`..., in start order. */
  id: string;
  name: string;
  kind: string;
  state: PaneStateName;
  /** The name of its VS Code terminal, e.g. `FleetAI: codex (p1)`. */
  terminalName: string;
}

/** Where the workspace's supervisor runs, as this window sees it. */
export interface SupervisorSummary {
  /**
   * `off` until the window's first agent starts; `window` when this window runs it; `elsewhere` when another
   * process (a window, `fleet orchestrator`) already did, so this one does not; `failed` when it could not start.
   */
  mode: 'off' | 'window' | 'elsewhere' | 'failed';
  /** The supervisor of this window decides and logs but types nothing (always in an untrusted workspace). */
  dryRun: boolean;
  /** The process that supervises the workspace in `elsewhere` mode. */
  ownerPid?: number;
  /** ISO time of the supervisor's last heartbeat. */
  heartbeat?: string;
  /** `.fleetai/orchestrator.json` (read when present). */
  configFile?: string;
  /** The first problem of a config that did not load (`file:line:column: field: message`); defaults apply. */
  configProblem?: string;
  /** Why the control socket did not start (the supervisor runs without it). */
  controlProblem?: string;
  /** Why the supervisor did not start (`failed`). */
  problem?: string;
}

/**
 * What `activate` returns: a small read-only surface that other extensions and FleetAI's own integration tests
 * use to look at the running extension without reaching into its internals.
 */
export interface FleetAiApi {
  readonly version: string;
  /** The absolute path of the JSONL application log this window writes. */
  readonly appLogPath: string;
  /** Milliseconds spent inside `activate` (module loading excluded; the benchmark measures both). */
  readonly activateMs: number;
  /** Milliseconds from the first statement of the bundle to its last (evaluating FleetAI's code). */
  readonly moduleLoadMs: number;
  statusText(): string;
  viewIds(): readonly string[];
  dashboardOpen(): boolean;
  /** Whether the dashboard or approvals webview panel is open. */
  webviewOpen(app: 'dashboard' | 'approvals'): boolean;
  /** The snapshot that webview gets now (what the host would send it). */
  webviewSnapshot(app: 'dashboard' | 'approvals'): DashboardSnapshot | ApprovalsSnapshot;
  /** Answers a webview protocol request the way the panels' requests are answered (params validated). */
  webviewRequest<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>>;
  /** Resolves when the dashboard webview has had `method` answered through the protocol. */
  waitForDashboardRequest(method: string, timeoutMs: number): Promise<void>;
  runDoctor(): Promise<DoctorReport>;
  /** The agent panes of this window, in start order, exited ones included until removed. */
  panes(): PaneSummary[];
  /** The pane's visible screen, one string per row (empty for an unknown pane). */
  paneScreen(id: string): string[];
  /** Resolves once the pane is in `state`; rejects for an unknown pane or after `timeoutMs`. */
  waitForPaneState(id: string, state: PaneStateName, timeoutMs: number): Promise<void>;
  /** The status bar item's tooltip, as plain text or markdown source. */
  statusTooltip(): string;
  /** Where the supervisor runs, its dry run and heartbeat. */
  supervisor(): SupervisorSummary;
  /** The supervisor's metadata per pane (phase, blockers, queue, actions), when it runs in this window. */
  supervisorSnapshot(): SupervisorState | undefined;
  /** Approval requests waiting for a person, oldest first, from the workspace's store (whoever asked). */
  pendingApprovals(): Promise<ApprovalRequest[]>;
  /**
   * The items a sidebar view shows now (`fleetai.agents`, `fleetai.tasks`, `fleetai.approvals`,
   * `fleetai.mcpServers`), in order. Asking for the MCP Servers view opens the window's MCP bridge.
   */
  treeItems(viewId: string): TreeItemSummary[];
  /**
   * `FleetAI: Apply Task Draft` on a draft file with the modal answered "Apply" (the diff editor still opens):
   * what was added and replaced, or undefined when the draft was refused (the error message was shown).
   */
  applyTaskDraft(
    draftFile: string,
    options?: { replace?: boolean },
  ): Promise<{ file: string; added: string[]; replaced: string[] } | undefined>;
  /** The tool rows under an MCP server in the MCP Servers view (none unless it is connected). */
  mcpTools(alias: string): TreeItemSummary[];
  /** An MCP server as the window's bridge sees it; undefined before the bridge opened or for an unknown alias. */
  mcpStatus(alias: string): McpServerStatus | undefined;
  /** The window's agent profile registry now (hot-reloaded): profiles and registry agents, and the files refused. */
  agentProfiles(): Promise<{ entries: RegistryEntryView[]; problems: ProfileProblem[] }>;
  /** The agent kinds New Agent's pick list offers now (loads the pane registry, as New Agent does). */
  newAgentKinds(): Promise<string[]>;
}

/** One MCP server of the window, as the API shows it. */
export interface McpServerStatus {
  alias: string;
  /** The bridge's state, or `disabled` (in the file or for this session) or `broken` (a bad entry). */
  state: string;
  transport?: string;
  file: string;
  lastError?: string;
  /** While `reconnecting`: when the next attempt is due (ms since the epoch). */
  nextAttemptAt?: number;
  /** The stdio server's process id while connected. */
  pid?: number;
  sessionDisabled: boolean;
  /** Tools listed while connected. */
  toolNames: string[];
  /** A broken entry's problem (names file, alias and field). */
  problem?: string;
}

/** A sidebar tree item, as the API shows it. */
export interface TreeItemSummary {
  /** The item's id (a pane id, `task:<id>`, an approval id). */
  id: string;
  label: string;
  description: string;
  /** What the view's menus match, e.g. `fleetai.pane.awaiting_input`, `fleetai.approval.medium`. */
  contextValue: string;
  /** The codicon id, e.g. `warning`. */
  icon: string;
  /** The theme colour id of the icon, e.g. `charts.yellow`. */
  color?: string;
}
