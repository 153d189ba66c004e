import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Endpoint, type RequestHandlers } from '../../../extension/protocol/endpoint';
import type { DashboardSnapshot } from '../../../extension/protocol/messages';
import { createMemoryTransportPair, type Transport } from '../../../extension/protocol/transport';
import {
  backoffMs,
  HostConnection,
  isConnectionError,
  type ConnectionStatus,
} from '../../../webview/shared/connection';

// A real host Endpoint and a real webview Endpoint over the in-memory transport (asynchronous and
// structured-cloned like postMessage). A dead host is a disposed host Endpoint: requests then get no answer at
// all, as when the extension host is gone. Timers are faked so the 5 s pings and the backoff run in no time.

function snapshot(n: number): DashboardSnapshot {
  return {
    supervisor: { mode: 'window', heartbeat: 'running', dryRun: false },
    panes: [],
    tasks: [],
    events: [],
    pendingApprovals: n,
    mcp: { servers: [], fileProblems: [] },
    updatedAt: new Date(Date.UTC(2026, 10, 21, 10, 0, n)).toISOString(),
  };
}

describe('HostConnection', () => {
  let hostSide: Transport;
  let webSide: Transport;
  let host: Endpoint | undefined;
  let web: Endpoint;
  let served = 0;
  const handlers: RequestHandlers = {
    'host.ping': () => ({ at: new Date().toISOString() }),
    'dashboard.getSnapshot': () => snapshot(++served),
  };
  const startHost = (h: RequestHandlers = handlers): void => {
    host = new Endpoint(hostSide, h);
  };
  const killHost = (): void => {
    host?.dispose();
    host = undefined;
  };

  let received: DashboardSnapshot[];
  let states: ConnectionStatus['state'][];
  let conn: HostConnection<DashboardSnapshot>;

  beforeEach(() => {
    vi.useFakeTimers();
    served = 0;
    [hostSide, webSide] = createMemoryTransportPair();
    startHost();
    web = new Endpoint(webSide, {}, { idPrefix: 'web' });
    received = [];
    states = [];
    conn = new HostConnection<DashboardSnapshot>({
      endpoint: web,
      attempt: (timeoutMs) => web.request('dashboard.getSnapshot', {}, { timeoutMs }),
      onConnected: (value) => received.push(value),
    });
    conn.subscribe((s) => states.push(s.state));
  });

  afterEach(() => {
    conn.dispose();
    web.dispose();
    killHost();
    vi.useRealTimers();
  });

  it('is connecting while the first request is in flight, then connected with the snapshot', async () => {
    conn.start();
    expect(conn.status.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.status).toEqual({ state: 'connected', failures: 0 });
    expect(received.map((s) => s.pendingApprovals)).toEqual([1]);
  });

  it('stays connected while the pings are answered', async () => {
    conn.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(conn.status.state).toBe('connected');
    expect(states).toEqual(['connected']);
    expect(received).toHaveLength(1);
  });

  it('goes disconnected when a ping gets no answer within 3 s, retries with backoff, and re-fetches on reconnect', async () => {
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    killHost();
    await vi.advanceTimersByTimeAsync(5000); // the ping is sent
    expect(conn.status.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(3000); // and times out
    expect(conn.status.state).toBe('disconnected');
    expect(conn.status.failures).toBe(1);
    expect(conn.status.lastError?.code).toBe('E_PROTOCOL_TIMEOUT');
    expect(conn.status.nextRetryAt).toBe(Date.now() + 1000);

    await vi.advanceTimersByTimeAsync(1000); // first automatic attempt, 1 s later
    expect(conn.status.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(5000); // its request times out too
    expect(conn.status).toMatchObject({ state: 'disconnected', failures: 2 });
    expect(conn.status.nextRetryAt).toBe(Date.now() + 2000);

    startHost(); // the host is back
    await vi.advanceTimersByTimeAsync(1999);
    expect(conn.status.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(1); // the attempt starts, and the host answers it at once
    expect(conn.status).toEqual({ state: 'connected', failures: 0 });
    // The snapshot was fetched again on reconnect (the host counted a second getSnapshot).
    expect(received.map((s) => s.pendingApprovals)).toEqual([1, 2]);
    expect(states).toEqual([
      'connected',
      'disconnected',
      'reconnecting',
      'disconnected',
      'reconnecting',
      'connected',
    ]);
  });

  it('waits 1, 2, 4 … s between automatic attempts, at most 30 s', async () => {
    killHost();
    conn.start();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(5000); // the attempt's timeout
      expect(conn.status.state).toBe('disconnected');
      const wait = (conn.status.nextRetryAt ?? 0) - Date.now();
      waits.push(wait);
      await vi.advanceTimersByTimeAsync(wait);
      expect(conn.status.state).toBe('reconnecting');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect([1, 2, 3, 6, 7, 100].map((n) => backoffMs(n))).toEqual([1000, 2000, 4000, 30_000, 30_000, 30_000]);
  });

  it('Retry attempts at once instead of waiting out the backoff', async () => {
    killHost();
    conn.start();
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(5000);
      await vi.advanceTimersByTimeAsync((conn.status.nextRetryAt ?? 0) - Date.now());
    }
    await vi.advanceTimersByTimeAsync(5000);
    expect(conn.status.state).toBe('disconnected');
    expect((conn.status.nextRetryAt ?? 0) - Date.now()).toBe(30_000);
    startHost();
    conn.retryNow();
    expect(conn.status.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.status.state).toBe('connected');
    expect(received).toHaveLength(1);
  });

  it('Retry while an attempt hangs starts a new one at once and ignores the old one', async () => {
    killHost();
    conn.start();
    await vi.advanceTimersByTimeAsync(5000 + 1000 + 100); // failed once, the second attempt now hangs
    expect(conn.status.state).toBe('reconnecting');
    startHost();
    conn.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.status.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(10_000); // the hung attempt's timeout passes: no effect
    expect(conn.status.state).toBe('connected');
    expect(received).toHaveLength(1);
  });

  it('counts a failed first attempt: connecting, then disconnected', async () => {
    killHost();
    startHost({
      ...handlers,
      'dashboard.getSnapshot': () => {
        throw new Error('no supervisor yet');
      },
    });
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.status).toMatchObject({ state: 'disconnected', failures: 1 });
    expect(conn.status.lastError?.message).toContain('no supervisor yet');
  });

  it('an action without an answer disconnects at once; an answered error does not', async () => {
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    conn.noteResult({ ok: false, error: { code: 'E_PROTOCOL_HANDLER', message: 'refused' } });
    expect(conn.status.state).toBe('connected');
    conn.noteResult({ ok: true, value: {} });
    expect(conn.status.state).toBe('connected');
    conn.noteResult({ ok: false, error: { code: 'E_PROTOCOL_TIMEOUT', message: 'no answer' } });
    expect(conn.status).toMatchObject({ state: 'disconnected', failures: 1 });
  });

  it('a ping the host answers with an error still proves that it is there', async () => {
    killHost();
    startHost({ 'dashboard.getSnapshot': handlers['dashboard.getSnapshot'] }); // no host.ping handler
    conn.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(conn.status.state).toBe('connected');
  });

  it('an event from the host while disconnected triggers an attempt at once', async () => {
    killHost();
    conn.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(conn.status.state).toBe('disconnected');
    startHost();
    conn.noteAlive();
    expect(conn.status.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.status.state).toBe('connected');
  });

  it('does nothing after dispose', async () => {
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    killHost();
    conn.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states).toEqual(['connected']);
  });

  it('tells connection errors from answered ones', () => {
    expect(isConnectionError({ code: 'E_PROTOCOL_TIMEOUT', message: '' })).toBe(true);
    expect(isConnectionError({ code: 'E_PROTOCOL_CLOSED', message: '' })).toBe(true);
    expect(isConnectionError({ code: 'E_PROTOCOL_HANDLER', message: '' })).toBe(false);
  });
});
