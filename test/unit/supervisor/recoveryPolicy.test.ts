import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../extension/core/supervisor/backoff';
import { detectLoop, fingerprint } from '../../../extension/core/supervisor/loopDetector';
import { newPaneMeta, type PaneMeta } from '../../../extension/core/supervisor/paneMetadata';
import {
  checkLoop,
  planRecovery,
  type RecoveryInput,
} from '../../../extension/core/supervisor/recoveryPolicy';
import { DEFAULT_SUPERVISOR_SETTINGS as S } from '../../../extension/core/supervisor/settings';
import type { PaneState } from '../../../extension/core/panes/types';

const T0 = Date.parse('2026-11-21T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const meta = (): PaneMeta => newPaneMeta({ id: 'p1', agent: 'codex', branch: 'feat/x' }, iso(T0));
const state = (name: PaneState['name'], extra: Partial<PaneState> = {}, since = T0): PaneState => ({
  name,
  reason: `${name} reason`,
  evidence: [],
  since: iso(since),
  ...extra,
});
const plan = (input: Omit<RecoveryInput, 'settings' | 'trigger'> & Partial<RecoveryInput>) =>
  planRecovery({ settings: S, trigger: 'transition', random: () => 0.5, ...input });

describe('recovery policy', () => {
  it('a stall gets the nudge up to stall_retries_before_notify times, then one notification and a blocker', () => {
    const m = meta();
    const steps = [1, 2, 3, 4].map(() => plan({ state: state('stalled'), meta: m, now: T0 }));
    expect(steps.map((s) => s.map((x) => x.type))).toEqual([['nudge'], ['nudge'], ['notify'], []]);
    expect(m.blockers).toMatchObject([{ kind: 'stall', retries: 2 }]);
    // Still stalled a stall timeout later: try again quietly, so work resumes once the cause is gone.
    const later = plan({ state: state('stalled'), meta: m, now: T0 + S.stallTimeoutMs, trigger: 'tick' });
    expect(later.map((x) => x.type)).toEqual(['nudge']);
    // Working again proves nothing yet (a nudged agent works at once, and may stall again).
    expect(plan({ state: state('working'), meta: m, now: T0 + S.stallTimeoutMs + 500 })).toEqual([]);
    expect(m.stall_nudges).toBe(3);
    // The interruption of a nudge is no recovery.
    expect(
      plan({
        state: state('awaiting_input', { reason: 'turn/completed (interrupted)' }),
        meta: m,
        now: T0 + S.stallTimeoutMs + 600,
      }),
    ).toEqual([]);
    expect(m.stall_nudges).toBe(3);
    // A finished turn: blocker cleared, counters reset, recovery recorded.
    const healed = plan({ state: state('awaiting_input'), meta: m, now: T0 + S.stallTimeoutMs + 1000 });
    expect(healed).toMatchObject([{ type: 'recovered', cleared: [{ kind: 'stall' }] }]);
    expect(m.blockers).toEqual([]);
    expect(m.stall_nudges).toBe(0);
  });

  it('an auth error is never retried and goes to a human once', () => {
    const m = meta();
    const err = state('error', {
      error: { class: 'auth', retrying: false, message: '401 invalid OPENAI_API_KEY' },
    });
    const first = plan({ state: err, meta: m, now: T0 });
    const again = plan({ state: err, meta: m, now: T0 + 3_600_000, trigger: 'tick' });
    expect(first.map((s) => s.type)).toEqual(['notify']);
    expect(first[0]).toMatchObject({ severity: 'critical' });
    expect(again).toEqual([]);
    expect(m.blockers.map((b) => b.kind)).toEqual(['auth']);
  });

  it('a rate limit waits with backoff and jitter, then retries; the next wait is longer', () => {
    const m = meta();
    const err = state('error', { error: { class: 'rate_limit', retrying: false, message: '429' } });
    const wait = plan({ state: err, meta: m, now: T0 + 1000 });
    expect(wait).toMatchObject([{ type: 'wait', until: T0 + 30_000 }]);
    expect(plan({ state: err, meta: m, now: T0 + 30_000, trigger: 'tick' })).toMatchObject([
      { type: 'retry', attempt: 1 },
    ]);
    const second = plan({
      state: state('error', { error: err.error }, T0 + 40_000),
      meta: m,
      now: T0 + 40_000,
    });
    expect(second).toMatchObject([{ type: 'wait', until: T0 + 40_000 + 60_000 }]);
  });

  it('the agent retrying by itself is left alone', () => {
    const m = meta();
    const err = state('error', {
      error: { class: 'server', retrying: true, message: 'Reconnecting... 1/5' },
    });
    expect(plan({ state: err, meta: m, now: T0 + 999_999 })).toEqual([]);
  });

  it('server errors retry up to max_retries, then block and notify', () => {
    const m = meta();
    let now = T0;
    const kinds: string[] = [];
    for (let i = 0; i < S.serverError.maxRetries + 1; i++) {
      now += S.serverError.maxMs + 1;
      const err = state(
        'error',
        { error: { class: 'server', retrying: false, message: '500' } },
        now - S.serverError.maxMs,
      );
      kinds.push(...plan({ state: err, meta: m, now, trigger: 'tick' }).map((s) => s.type));
    }
    expect(kinds).toEqual([...Array<string>(S.serverError.maxRetries).fill('retry'), 'notify']);
    expect(m.blockers.map((b) => b.kind)).toEqual(['error']);
  });

  it('an exited agent is restarted; after 3 failed restarts the breaker opens for 2 minutes and notifies', () => {
    const m = meta();
    let now = T0;
    const exited = () => state('exited', { exitCode: 1 }, now);
    // First exit after a long run: restart.
    expect(plan({ state: exited(), meta: m, now, startedAt: now - 3_600_000 })).toMatchObject([
      { type: 'restart', attempt: 1 },
    ]);
    // Three restarts that die young.
    for (let i = 0; i < 3; i++) {
      now += 5_000;
      const steps = plan({ state: exited(), meta: m, now, startedAt: now - 2_000, restarted: true });
      if (i < 2) expect(steps.map((s) => s.type)).toEqual(['restart']);
      else expect(steps.map((s) => s.type)).toEqual(['notify', 'wait']);
    }
    expect(m.restart_failures).toBe(3);
    expect(Date.parse(m.restart_not_before!) - now).toBe(S.restart.backoffMinMs);
    expect(plan({ state: exited(), meta: m, now: now + 60_000, trigger: 'tick' })).toMatchObject([
      { type: 'wait' },
    ]);
    expect(
      plan({ state: exited(), meta: m, now: now + S.restart.backoffMinMs, trigger: 'tick' }),
    ).toMatchObject([{ type: 'restart' }]);
  });

  it('a person stopping the agent suppresses restarts', () => {
    expect(
      plan({ state: state('exited', { exitCode: 0 }), meta: meta(), now: T0, restartSuppressed: true }),
    ).toEqual([]);
  });

  it('an idle agent with an unfinished task is told what remains, at most max_continues times', () => {
    const m = meta();
    const steps = plan({ state: state('awaiting_input'), meta: m, now: T0, remaining: ['`npm test` fails'] });
    expect(steps).toMatchObject([{ type: 'continue', remaining: ['`npm test` fails'] }]);
    m.action_keys.push('continue', 'continue', 'continue');
    expect(plan({ state: state('awaiting_input'), meta: m, now: T0, remaining: ['x'] })).toEqual([]);
    expect(plan({ state: state('awaiting_input'), meta: meta(), now: T0, remaining: [] })).toEqual([]);
  });

  it('a loop (same output three times, or A-B-A-B) blocks automatic recovery until cleared', () => {
    const m = meta();
    m.action_keys.push('turn:aa', 'continue', 'turn:aa', 'continue');
    expect(checkLoop(m, S, T0).map((s) => s.type)).toEqual(['notify']);
    expect(m.blockers.map((b) => b.kind)).toEqual(['loop']);
    expect(plan({ state: state('stalled'), meta: m, now: T0 })).toEqual([]);
  });
});

describe('loop detector and backoff', () => {
  it('finds repeats and alternations, not progress', () => {
    expect(detectLoop(['a', 'b', 'b', 'b'], { repeats: 3, window: 6 })?.pattern).toBe('repeat');
    expect(detectLoop(['x', 'a', 'b', 'a', 'b'], { repeats: 3, window: 6 })?.pattern).toBe('alternate');
    expect(detectLoop(['a', 'b', 'c', 'a', 'b', 'c'], { repeats: 3, window: 6 })).toBeUndefined();
    expect(detectLoop(['a', 'a'], { repeats: 3, window: 6 })).toBeUndefined();
  });

  it('fingerprints ignore timers and spinners', () => {
    expect(fingerprint(['• Working (3s)', 'done'])).toBe(fingerprint(['◦ Working (47s)', 'done']));
    expect(fingerprint(['done'])).not.toBe(fingerprint(['failed']));
  });

  it('backoff doubles, is capped, and jitter stays within its share', () => {
    const opts = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, opts, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(backoffDelayMs(1, opts, () => 0)).toBe(1600);
    expect(backoffDelayMs(1, opts, () => 0.999999)).toBe(2400);
  });
});

describe('error classes by their words', () => {
  it('an unknown error naming a missing key is an auth error: never retried, a human is told', async () => {
    const { refineErrorClass } = await import('../../../extension/core/supervisor/errorClass');
    const msg = (message: string) => refineErrorClass({ class: 'unknown', retrying: false, message }).class;
    expect(msg('■ Missing environment variable: `FAKE_MODEL_API_KEY`.')).toBe('auth');
    expect(msg('stream disconnected before completion')).toBe('network');
    expect(msg('429 Too Many Requests')).toBe('rate_limit');
    expect(msg('HTTP 503 Service Unavailable')).toBe('server');
    expect(msg('something odd')).toBe('unknown');
    const m = meta();
    const steps = plan({
      state: state('error', {
        error: { class: 'unknown', retrying: false, message: 'Missing environment variable: `X_API_KEY`.' },
      }),
      meta: m,
      now: T0,
    });
    expect(steps.map((s) => s.type)).toEqual(['notify']);
    expect(m.blockers.map((b) => b.kind)).toEqual(['auth']);
  });

  it('the jittered wait of one retry is drawn once: every tick agrees on it', () => {
    const m = meta();
    const err = state('error', { error: { class: 'server', retrying: false, message: '500' } });
    let r = 0;
    const waits = [1, 2, 3].map(() =>
      planRecovery({
        state: err,
        meta: m,
        now: T0 + 100,
        settings: S,
        trigger: 'tick',
        random: () => (r = (r + 0.37) % 1),
      }),
    );
    const untils = waits.map((w) => (w[0] as { until: number }).until);
    expect(new Set(untils).size).toBe(1);
  });
});
