import type { DoctorReport } from '../core/doctor/doctor';

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
}
