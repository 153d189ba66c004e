import type { DoctorReport } from '../core/doctor/doctor';
import type { PaneStateName } from '../core/panes/types';

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
  /** Resolves when the dashboard webview has had `method` answered through the protocol. */
  waitForDashboardRequest(method: string, timeoutMs: number): Promise<void>;
  runDoctor(): Promise<DoctorReport>;
  /** The agent panes of this window, in start order, exited ones included until removed. */
  panes(): PaneSummary[];
  /** The pane's visible screen, one string per row (empty for an unknown pane). */
  paneScreen(id: string): string[];
  /** Resolves once the pane is in `state`; rejects for an unknown pane or after `timeoutMs`. */
  waitForPaneState(id: string, state: PaneStateName, timeoutMs: number): Promise<void>;
}
