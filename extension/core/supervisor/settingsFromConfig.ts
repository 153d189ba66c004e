import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { SupervisorSettings } from './settings';

const s = (seconds: number): number => Math.round(seconds * 1000);

/** The workspace config's seed-named keys, in the supervisor's units. */
export function settingsFromConfig(
  config: OrchestratorConfig,
  overrides: { dryRun?: boolean } = {},
): SupervisorSettings {
  const r = config.recovery;
  return {
    stallTimeoutMs: s(config.stall_timeout_seconds),
    stallRetriesBeforeNotify: config.stall_retries_before_notify,
    failureAlertThreshold: config.failure_alert_threshold,
    sessionCooldownMs: s(config.session_cooldown_seconds),
    dryRun: overrides.dryRun ?? config.dry_run,
    tickMs: s(config.tick_seconds),
    heartbeatMs: s(config.heartbeat_seconds),
    rateLimit: {
      baseMs: s(r.rate_limit.base_seconds),
      maxMs: s(r.rate_limit.max_seconds),
      jitter: r.rate_limit.jitter,
    },
    serverError: {
      baseMs: s(r.server_error.base_seconds),
      maxMs: s(r.server_error.max_seconds),
      maxRetries: r.server_error.max_retries,
      jitter: r.rate_limit.jitter,
    },
    restart: {
      maxFailures: r.restart.max_failures,
      backoffMinMs: s(r.restart.backoff_min_seconds),
      backoffMaxMs: s(r.restart.backoff_max_seconds),
      minUptimeMs: 30_000,
    },
    loop: { window: r.loop.window, repeats: r.loop.repeats },
    continueUnfinished: r.continue_unfinished,
    maxContinues: 3,
    approvals: {
      medium: config.approvals.medium,
      allow: config.approvals.allow,
      deny: config.approvals.deny,
      modelJudge: config.approvals.model_judge,
      expireMs: config.approvals.expire_minutes * 60_000,
    },
    summaryEveryLines: config.model.summary_every_lines,
  };
}
