/**
 * The supervisor's knobs in milliseconds and camelCase, derived from the workspace config
 * (`.fleetai/orchestrator.json`, seed names such as `stall_retries_before_notify`) or VS Code settings.
 */
export interface SupervisorSettings {
  stallTimeoutMs: number;
  stallRetriesBeforeNotify: number;
  failureAlertThreshold: number;
  sessionCooldownMs: number;
  dryRun: boolean;
  tickMs: number;
  heartbeatMs: number;
  rateLimit: { baseMs: number; maxMs: number; jitter: number };
  serverError: { baseMs: number; maxMs: number; maxRetries: number; jitter: number };
  restart: { maxFailures: number; backoffMinMs: number; backoffMaxMs: number; minUptimeMs: number };
  loop: { window: number; repeats: number };
  continueUnfinished: boolean;
  /** How many times an idle agent is told what remains before a human is asked. */
  maxContinues: number;
  approvals: {
    medium: 'auto' | 'ask' | 'deny';
    allow: string[];
    deny: string[];
    modelJudge: boolean;
    /** Unanswered requests are declined after this long; 0 waits for ever. */
    expireMs: number;
  };
  /** With a model: summarise a pane once this many new lines have come. */
  summaryEveryLines: number;
}

export const DEFAULT_SUPERVISOR_SETTINGS: SupervisorSettings = {
  stallTimeoutMs: 120_000,
  stallRetriesBeforeNotify: 2,
  failureAlertThreshold: 3,
  sessionCooldownMs: 5_000,
  dryRun: false,
  tickMs: 5_000,
  heartbeatMs: 5_000,
  rateLimit: { baseMs: 30_000, maxMs: 600_000, jitter: 0.2 },
  serverError: { baseMs: 10_000, maxMs: 300_000, maxRetries: 5, jitter: 0.2 },
  restart: { maxFailures: 3, backoffMinMs: 120_000, backoffMaxMs: 1_800_000, minUptimeMs: 30_000 },
  loop: { window: 6, repeats: 3 },
  continueUnfinished: true,
  maxContinues: 3,
  approvals: { medium: 'ask', allow: [], deny: [], modelJudge: false, expireMs: 0 },
  summaryEveryLines: 400,
};
