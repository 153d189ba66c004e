import type { PaneState } from '../panes/types';
import { backoffDelayMs } from './backoff';
import { refineErrorClass } from './errorClass';
import { detectLoop } from './loopDetector';
import { clearBlockers, setBlocker, type Blocker, type PaneMeta } from './paneMetadata';
import type { SupervisorSettings } from './settings';

/** What the supervisor should do for one pane now; the orchestrator carries it out (or logs it, in dry run). */
export type RecoveryStep =
  | { type: 'nudge'; reason: string; attempt: number }
  | { type: 'retry'; reason: string; attempt: number }
  | { type: 'wait'; until: number; reason: string }
  | { type: 'restart'; reason: string; attempt: number }
  | { type: 'continue'; reason: string; remaining: string[] }
  | { type: 'notify'; severity: 'warning' | 'critical'; title: string; message: string }
  | { type: 'recovered'; reason: string; cleared: Blocker[] };

export interface RecoveryInput {
  state: PaneState;
  meta: PaneMeta;
  settings: SupervisorSettings;
  now: number;
  random?: () => number;
  /** The pane's process started at (for the restart breaker: a restart that dies young failed). */
  startedAt?: number;
  /** What the pane's task still lacks when the agent went idle (empty: finished or no task). */
  remaining?: string[];
  /** Restarts are not wanted: the pane was stopped by a person, or exited cleanly. */
  restartSuppressed?: boolean;
  /** The pane's current process was started by a FleetAI restart. */
  restarted?: boolean;
  /** Called for a state change, or from the periodic tick. */
  trigger: 'transition' | 'tick';
}

// Called only where a time is stored: planRecovery runs for every pane at every tick, and formatting a date up
// front for all of them was a tenth of a tick's CPU (test/bench/supervisor.mjs).
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The recovery policies of the seeds, one pane at a time, called on every state change and on every tick. It
 * updates the pane's counters and blockers in `meta` and returns the steps to take. Deterministic given `now` and
 * `random`, so each policy is unit-tested without agents.
 */
export function planRecovery(input: RecoveryInput): RecoveryStep[] {
  const { state, meta, settings, now } = input;
  const random = input.random ?? Math.random;
  const steps: RecoveryStep[] = [];
  const looping = meta.blockers.some((b) => b.kind === 'loop');

  // A pane that finished a turn (or asks a question) again sheds the blockers of the problems it had. Working
  // alone proves nothing: a nudged agent works again at once, and may stall again.
  // An interruption (FleetAI's own nudge starts with one) heals nothing either.
  const interrupted = /interrupt/i.test(state.reason);
  if ((state.name === 'awaiting_input' && !interrupted) || state.name === 'awaiting_approval') {
    const healed: Blocker['kind'][] = ['stall', 'error', 'restart'];
    const cleared = clearBlockers(meta, healed);
    const hadSpell = meta.stall_nudges > 0 || meta.error_retries > 0;
    meta.stall_nudges = 0;
    meta.error_retries = 0;
    delete meta.retry_at;
    // A restarted agent that stays up long enough proves the restart worked: the breaker closes.
    if (input.startedAt !== undefined && now - input.startedAt >= settings.restart.minUptimeMs) {
      meta.restart_failures = 0;
      delete meta.restart_not_before;
    }
    if (cleared.length > 0 || hadSpell)
      steps.push({ type: 'recovered', reason: `agent is ${state.name}`, cleared });
  }

  switch (state.name) {
    case 'stalled': {
      if (looping) break;
      if (meta.stall_nudges < settings.stallRetriesBeforeNotify) {
        meta.stall_nudges += 1;
        steps.push({ type: 'nudge', reason: state.reason, attempt: meta.stall_nudges });
        break;
      }
      const existing = meta.blockers.find((b) => b.kind === 'stall');
      if (!existing) {
        setBlocker(
          meta,
          {
            kind: 'stall',
            reason: `stalled after ${meta.stall_nudges} nudges: ${state.reason}`,
            retries: meta.stall_nudges,
          },
          iso(now),
        );
        steps.push({
          type: 'notify',
          severity: 'warning',
          title: 'Agent stalled',
          message: `${meta.pane}${meta.branch ? ` (${meta.branch})` : ''} is stalled after ${meta.stall_nudges} nudges: ${state.reason}`,
        });
        break;
      }
      // Notified already: keep trying, spaced out, so work resumes by itself once the cause is gone.
      const wait = backoffDelayMs(
        existing.retries - settings.stallRetriesBeforeNotify,
        { baseMs: settings.stallTimeoutMs, maxMs: settings.restart.backoffMaxMs, jitter: 0 },
        random,
      );
      if (now - Date.parse(state.since) >= wait) {
        existing.retries += 1;
        meta.stall_nudges += 1;
        steps.push({
          type: 'nudge',
          reason: `still stalled, blocker since ${existing.since}`,
          attempt: meta.stall_nudges,
        });
      }
      break;
    }
    case 'error': {
      const error = state.error ? refineErrorClass(state.error) : undefined;
      if (!error || error.retrying) break; // the agent retries by itself: leave it be
      if (error.class === 'auth') {
        if (!meta.blockers.some((b) => b.kind === 'auth')) {
          setBlocker(meta, { kind: 'auth', reason: error.message || state.reason, retries: 0 }, iso(now));
          steps.push({
            type: 'notify',
            severity: 'critical',
            title: 'Agent cannot authenticate',
            message: `${meta.pane}: ${error.message || state.reason}. FleetAI never retries an authentication error; fix the key or login, then continue the agent.`,
          });
        }
        break;
      }
      const policy =
        error.class === 'rate_limit'
          ? { ...settings.rateLimit, maxRetries: Number.POSITIVE_INFINITY }
          : settings.serverError;
      if (meta.error_retries >= policy.maxRetries) {
        if (!meta.blockers.some((b) => b.kind === 'error')) {
          setBlocker(
            meta,
            { kind: 'error', reason: `${error.class}: ${error.message}`, retries: meta.error_retries },
            iso(now),
          );
          steps.push({
            type: 'notify',
            severity: 'critical',
            title: 'Agent keeps failing',
            message: `${meta.pane}: ${error.class} error after ${meta.error_retries} retries: ${error.message}`,
          });
        }
        break;
      }
      // The wait of this attempt is drawn once (with its jitter) and kept, so every tick agrees on it.
      if (!meta.retry_at)
        meta.retry_at = iso(Date.parse(state.since) + backoffDelayMs(meta.error_retries, policy, random));
      const until = Date.parse(meta.retry_at);
      if (now < until) {
        steps.push({
          type: 'wait',
          until,
          reason: `${error.class} error: waiting before retry ${meta.error_retries + 1}`,
        });
        break;
      }
      meta.error_retries += 1;
      delete meta.retry_at;
      steps.push({
        type: 'retry',
        reason: `${error.class} error: ${error.message}`,
        attempt: meta.error_retries,
      });
      break;
    }
    case 'exited': {
      if (input.restartSuppressed) break;
      // A process that dies young after a restart means the restart failed; counted once, when the exit happens.
      if (
        input.trigger === 'transition' &&
        input.restarted &&
        input.startedAt !== undefined &&
        now - input.startedAt < settings.restart.minUptimeMs
      ) {
        meta.restart_failures += 1;
      }
      const notBefore = meta.restart_not_before ? Date.parse(meta.restart_not_before) : 0;
      if (now < notBefore) {
        steps.push({ type: 'wait', until: notBefore, reason: 'restart circuit breaker open' });
        break;
      }
      if (meta.restart_failures >= settings.restart.maxFailures && !meta.restart_not_before) {
        const delay = backoffDelayMs(
          meta.restart_failures - settings.restart.maxFailures,
          { baseMs: settings.restart.backoffMinMs, maxMs: settings.restart.backoffMaxMs, jitter: 0 },
          random,
        );
        meta.restart_not_before = iso(now + delay);
        setBlocker(
          meta,
          {
            kind: 'restart',
            reason: `${meta.restart_failures} restarts failed; next try after ${meta.restart_not_before}`,
            retries: meta.restart_failures,
          },
          iso(now),
        );
        steps.push({
          type: 'notify',
          severity: 'critical',
          title: 'Agent keeps exiting',
          message: `${meta.pane}: ${meta.restart_failures} restarts in a row failed (${state.reason}). Next attempt in ${Math.round(delay / 60_000)} min.`,
        });
        steps.push({ type: 'wait', until: now + delay, reason: 'restart circuit breaker opened' });
        break;
      }
      if (meta.restart_not_before) delete meta.restart_not_before;
      steps.push({ type: 'restart', reason: state.reason, attempt: meta.restart_failures + 1 });
      break;
    }
    case 'awaiting_input': {
      if (looping || !settings.continueUnfinished) break;
      const remaining = input.remaining ?? [];
      if (remaining.length === 0) break;
      const continues = meta.action_keys.filter((k) => k === 'continue').length;
      if (continues >= settings.maxContinues) break;
      steps.push({ type: 'continue', reason: 'the agent went idle but its task is not finished', remaining });
      break;
    }
    default:
      break;
  }
  return steps;
}

/**
 * Checks the pane's recent history for a loop (the same turn output or action over and over, or A-B-A-B); a
 * loop is a blocker and stops automatic actions on the pane until a person acts or the output changes.
 */
export function checkLoop(meta: PaneMeta, settings: SupervisorSettings, now: number): RecoveryStep[] {
  if (meta.blockers.some((b) => b.kind === 'loop')) return [];
  const finding = detectLoop(meta.action_keys, settings.loop);
  if (!finding) return [];
  setBlocker(
    meta,
    {
      kind: 'loop',
      reason: `${finding.pattern === 'repeat' ? 'the same' : 'alternating'} ${finding.items.join(' / ')}`,
      retries: 0,
    },
    iso(now),
  );
  return [
    {
      type: 'notify',
      severity: 'warning',
      title: 'Agent is going in circles',
      message: `${meta.pane}: ${finding.pattern === 'repeat' ? 'the same step repeated' : 'two steps alternating'} ${finding.items.length} times; automatic recovery paused until you step in.`,
    },
  ];
}
