import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Endpoint, type RequestHandlers } from '../../../extension/protocol/endpoint';
import type { ApprovalsSnapshot, ApprovalView } from '../../../extension/protocol/messages';
import { createMemoryTransportPair, type Transport } from '../../../extension/protocol/transport';
import { approvalsSpec } from '../../../webview/approvals/spec';
import { HostViewSource } from '../../../webview/shared/hostViewSource';

// The view's source of truth against a real host Endpoint over the in-memory transport (asynchronous,
// structured-cloned, like postMessage). Fake timers drive the pings.

const info = {
  name: 'FleetAI',
  version: '0.1.0',
  hostVersion: '1.139.1',
  uiLanguage: 'en',
  workspace: null,
} as const;

function approval(id: string): ApprovalView {
  return {
    id,
    pane: 'p1',
    agent: 'codex',
    kind: 'command',
    command: `echo ${id}`,
    risk: 'low',
    reasons: [],
    source: 'agent',
    requestedAt: '2026-11-21T10:00:00.000Z',
  };
}

function snapshot(second: number, ids: string[]): ApprovalsSnapshot {
  return {
    supervisor: { mode: 'window', heartbeat: 'running', dryRun: false },
    pending: ids.map(approval),
    updatedAt: new Date(Date.UTC(2026, 10, 21, 10, 0, second)).toISOString(),
  };
}

describe('HostViewSource', () => {
  let hostSide: Transport;
  let webSide: Transport;
  let host: Endpoint;
  let web: Endpoint;
  let current: ApprovalsSnapshot;
  const decided: unknown[] = [];
  const handlers = (): RequestHandlers => ({
    'host.getInfo': () => info,
    'host.ping': () => ({ at: new Date().toISOString() }),
    'approvals.getSnapshot': () => current,
    'approvals.decide': (params) => {
      decided.push(params);
      return { ok: false, id: params.id, code: 'E_ANSWERED', message: 'answered elsewhere first' };
    },
  });

  beforeEach(() => {
    vi.useFakeTimers();
    [hostSide, webSide] = createMemoryTransportPair();
    current = snapshot(1, ['a', 'b']);
    host = new Endpoint(hostSide, handlers());
    web = new Endpoint(webSide, {}, { idPrefix: 'web' });
    decided.length = 0;
  });

  afterEach(() => {
    web.dispose();
    host.dispose();
    vi.useRealTimers();
  });

  it('shows the restored snapshot as not fresh, then the host one, keeping unchanged approvals as they were', async () => {
    const restored = structuredClone(snapshot(0, ['a', 'b']));
    const source = new HostViewSource(approvalsSpec, web, { snapshot: restored });
    const seen: boolean[] = [];
    source.subscribe(() => seen.push(source.getState().fresh));
    expect(source.getState()).toMatchObject({ fresh: false, snapshot: restored, info: undefined });
    expect(source.getState().status.state).toBe('connecting');
    source.start();
    await vi.advanceTimersByTimeAsync(0);
    const state = source.getState();
    expect(state.fresh).toBe(true);
    expect(state.info).toEqual(info);
    expect(state.status.state).toBe('connected');
    expect(state.snapshot?.updatedAt).toBe(current.updatedAt);
    // Same content as the restored rows: same objects, so their memoised rows are not rendered again.
    expect(state.snapshot?.pending[0]).toBe(restored.pending[0]);
    expect(seen.at(-1)).toBe(true);
    source.dispose();
  });

  it('takes pushed snapshots, but not one older than what it shows', async () => {
    const source = new HostViewSource(approvalsSpec, web, {}).start();
    await vi.advanceTimersByTimeAsync(0);
    host.emit('approvals.snapshot', snapshot(5, ['b']));
    await vi.advanceTimersByTimeAsync(0);
    expect(source.getState().snapshot?.pending.map((a) => a.id)).toEqual(['b']);
    host.emit('approvals.snapshot', snapshot(3, ['a', 'b', 'c']));
    await vi.advanceTimersByTimeAsync(0);
    expect(source.getState().snapshot?.pending.map((a) => a.id)).toEqual(['b']);
    source.dispose();
  });

  it('keeps the same state object while nothing changes (useSyncExternalStore needs that)', async () => {
    const source = new HostViewSource(approvalsSpec, web, {}).start();
    await vi.advanceTimersByTimeAsync(0);
    const state = source.getState();
    await vi.advanceTimersByTimeAsync(20_000); // pings answered
    expect(source.getState()).toBe(state);
    source.dispose();
  });

  it('passes a refused decision through as a value, and a lost one marks the connection', async () => {
    const source = new HostViewSource(approvalsSpec, web, {}).start();
    await vi.advanceTimersByTimeAsync(0);
    const refused = source.request('approvals.decide', { id: 'a', decision: 'approve', note: 'ok' });
    await vi.advanceTimersByTimeAsync(0);
    expect(await refused).toEqual({
      ok: true,
      value: { ok: false, id: 'a', code: 'E_ANSWERED', message: 'answered elsewhere first' },
    });
    expect(decided).toEqual([{ id: 'a', decision: 'approve', note: 'ok' }]);
    expect(source.getState().status.state).toBe('connected');

    host.dispose();
    const lost = source.request('approvals.decide', { id: 'b', decision: 'deny' });
    await vi.advanceTimersByTimeAsync(15_000);
    expect((await lost).ok).toBe(false);
    expect(source.getState().status.state).toBe('disconnected');

    // A pane action may wait for the person's answer to a prompt: its silence says nothing about the host.
    host = new Endpoint(hostSide, handlers());
    source.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(source.getState().status.state).toBe('connected');
    host.dispose();
    host = new Endpoint(hostSide, { ...handlers(), 'pane.action': () => new Promise(() => undefined) });
    const waiting = source.request(
      'pane.action',
      { pane: 'p1', action: 'stop' },
      { waitsForPerson: true, timeoutMs: 20_000 },
    );
    await vi.advanceTimersByTimeAsync(20_000);
    expect((await waiting).ok).toBe(false);
    expect(source.getState().status.state).toBe('connected');
    source.dispose();
  });

  it('an event while disconnected brings the connection back at once, with a fresh fetch', async () => {
    const source = new HostViewSource(approvalsSpec, web, {}).start();
    await vi.advanceTimersByTimeAsync(0);
    host.dispose();
    await vi.advanceTimersByTimeAsync(8000); // ping sent at 5 s, no answer by 8 s
    expect(source.getState().status.state).toBe('disconnected');
    host = new Endpoint(hostSide, handlers());
    current = snapshot(9, ['z']);
    host.emit('approvals.snapshot', snapshot(8, ['y']));
    await vi.advanceTimersByTimeAsync(0);
    expect(source.getState().status.state).toBe('connected');
    expect(source.getState().snapshot?.pending.map((a) => a.id)).toEqual(['z']);
    source.dispose();
  });
});
