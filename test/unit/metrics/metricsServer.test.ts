import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import {
  FleetMetrics,
  SupervisorMetrics,
  isLoopback,
  startMetricsServer,
  type MetricsServer,
  type SupervisorView,
} from '../../../extension/core/metrics';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import type { PaneStateEvent } from '../../../extension/core/panes/types';
import { emptySupervisorState } from '../../../extension/core/supervisor/paneMetadata';
import { caught } from '../helpers';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function emptyMetrics(): FleetMetrics {
  return new FleetMetrics({
    processMetrics: false,
    source: {
      panes: () => [],
      paneMeta: () => [],
      heartbeat: () => undefined,
      pendingApprovals: () => Promise.resolve([]),
      mcpServers: () => [],
    },
  });
}

async function serve(
  host = '127.0.0.1',
): Promise<{ server: MetricsServer; log: ReturnType<typeof createMemoryLog> }> {
  const log = createMemoryLog();
  const server = await startMetricsServer({
    metrics: emptyMetrics(),
    host,
    port: 0,
    log,
    origin: '/w/.fleetai/orchestrator.json',
    health: () => ({ ok: true, heartbeat_age_seconds: 1.5, panes: 2, pane_states: { working: 2 } }),
  });
  open.push(server);
  return { server, log };
}

describe('startMetricsServer', () => {
  it('serves /metrics in the Prometheus text format and /healthz as JSON', async () => {
    const { server } = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('# TYPE orchestrator_commands_total counter');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      ok: true,
      heartbeat_age_seconds: 1.5,
      panes: 2,
      pane_states: { working: 2 },
    });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('warns when it listens beyond loopback, and not on 127.0.0.1', async () => {
    const loopback = await serve('127.0.0.1');
    expect(loopback.log.lines.filter((l) => l.event === 'metrics.non_loopback')).toEqual([]);
    const all = await serve('0.0.0.0');
    const warning = all.log.lines.find((l) => l.event === 'metrics.non_loopback');
    expect(warning?.level).toBe('warn');
    expect(warning?.context).toMatchObject({ host: '0.0.0.0' });
    expect(isLoopback('127.0.0.2')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });

  it('refuses a port in use with an error naming the port and where it was set', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => blocker.close(() => resolve())) });
    const port = (blocker.address() as net.AddressInfo).port;
    const error = await caught(() =>
      startMetricsServer({
        metrics: emptyMetrics(),
        host: '127.0.0.1',
        port,
        log: createMemoryLog(),
        origin: '/w/.fleetai/orchestrator.json',
        health: () => ({ ok: true, heartbeat_age_seconds: 0, panes: 0, pane_states: {} }),
      }),
    );
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe(ErrorCode.MetricsListen);
    expect((error as FleetError).message).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect((error as FleetError).message).toContain('/w/.fleetai/orchestrator.json');
  });

  it('refuses a bad port or host before listening', async () => {
    const start = (host: string, port: number) =>
      caught(() =>
        startMetricsServer({
          metrics: emptyMetrics(),
          host,
          port,
          log: createMemoryLog(),
          origin: '--metrics-port',
          health: () => ({ ok: true, heartbeat_age_seconds: 0, panes: 0, pane_states: {} }),
        }),
      );
    expect(String(await start('127.0.0.1', 70000))).toContain('--metrics-port: metrics_port must be');
    expect(String(await start('127.0.0.1', 1.5))).toContain('metrics_port must be');
    expect(String(await start('bad host!', 9108))).toContain(
      'metrics_host must be an IP address or a host name',
    );
  });
});

describe('SupervisorMetrics', () => {
  function view(overrides: Partial<SupervisorView> = {}): SupervisorView & {
    fire(event: Partial<PaneStateEvent>): void;
    decide(id: string): void;
  } {
    const stateListeners: ((e: PaneStateEvent) => void)[] = [];
    const decided: ((r: { id: string }) => void)[] = [];
    const state = emptySupervisorState();
    state.orchestrator_heartbeat = new Date(Date.now() - 2000).toISOString();
    return {
      panes: () => [{ id: 'api', branch: 'feature/api', state: 'working' }],
      snapshot: () => state,
      onStateChange: (l) => {
        stateListeners.push(l);
        return { dispose: () => stateListeners.splice(stateListeners.indexOf(l), 1) };
      },
      onDecided: (l) => {
        decided.push(l);
        return { dispose: () => decided.splice(decided.indexOf(l), 1) };
      },
      heartbeatStaleMs: 15_000,
      fire: (event) => {
        for (const l of stateListeners)
          l({
            type: 'pane.state',
            ts: '',
            pane: 'api',
            agent: 'codex',
            from: 'working',
            to: 'stalled',
            reason: '',
            evidence: [],
            ...event,
          });
      },
      decide: (id) => {
        for (const l of decided) l({ id });
      },
      ...overrides,
    };
  }

  // A stand-in for the approval store (a real one is used in test/ops against `fleet orchestrator`).
  const approvals = {
    pending: () => Promise.resolve([]),
    get: (id: string) =>
      Promise.resolve({
        id,
        pane: 'api',
        agent: 'codex',
        kind: 'command' as const,
        risk: 'high' as const,
        reasons: [],
        source: 'fleet' as const,
        requestedAt: '2026-01-01T00:00:00.000Z',
        decision: 'approve' as const,
        decidedBy: { channel: 'cli' },
        decidedAt: '2026-01-01T00:00:20.000Z',
      } as never),
  };

  it('counts the audit trail it taps, and still writes every line to the log', async () => {
    const log = createMemoryLog();
    const metrics = new SupervisorMetrics(approvals, log, { processMetrics: false });
    const tapped = metrics.tap(log);
    tapped.info('audit', 'command.queued', { pane: 'api' });
    tapped.info('audit', 'command.dispatched', { result: 'typed' });
    tapped.info('audit', 'command.dispatched', { result: 'dry_run' });
    tapped.warn('audit', 'command.result', { result: 'failure' });
    tapped.info('audit', 'command.result', { result: 'dry_run' });
    tapped.info('supervisor', 'command.queued', {});
    const text = await metrics.metrics.scrape();
    expect(text).toContain('orchestrator_commands_total{result="queued"} 1');
    expect(text).toContain('orchestrator_commands_total{result="dispatched"} 1');
    expect(text).toContain('orchestrator_commands_total{result="dry_run"} 1');
    expect(text).toContain('orchestrator_commands_total{result="failure"} 1');
    expect(log.lines).toHaveLength(6);
  });

  it('counts stalls and approval waits from the supervisor, and answers /healthz from its heartbeat', async () => {
    const log = createMemoryLog();
    const metrics = new SupervisorMetrics(approvals, log, { processMetrics: false });
    expect(metrics.health().ok).toBe(false);
    const v = view();
    metrics.attach(v);
    v.fire({ branch: 'feature/api' });
    v.fire({ from: 'stalled', to: 'stalled', branch: 'feature/api' });
    v.decide('a1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = await metrics.metrics.scrape();
    expect(text).toContain('orchestrator_stalls_total{branch="feature/api"} 1');
    expect(text).toContain('orchestrator_approval_wait_seconds_sum 20');
    const health = metrics.health();
    expect(health).toMatchObject({ ok: true, panes: 1, pane_states: { working: 1 } });
    expect(health.heartbeat_age_seconds).toBeGreaterThanOrEqual(2);
    await metrics.close();
  });

  it('reports an unhealthy supervisor when the heartbeat is older than the limit', () => {
    const metrics = new SupervisorMetrics(approvals, createMemoryLog(), { processMetrics: false });
    metrics.attach(view({ heartbeatStaleMs: 1000 }));
    expect(metrics.health().ok).toBe(false);
  });

  it('returns (not throws) the error of a port it cannot bind, and logs it', async () => {
    const log = createMemoryLog();
    const first = new SupervisorMetrics(approvals, log, { processMetrics: false });
    const server = await first.listen('127.0.0.1', 0, 'test');
    if (server instanceof Error) throw server;
    open.push(first);
    const second = new SupervisorMetrics(approvals, log, { processMetrics: false });
    const result = await second.listen('127.0.0.1', server.port, 'test');
    expect(result).toBeInstanceOf(Error);
    expect(log.lines.some((l) => l.event === 'metrics.listen.failed')).toBe(true);
  });

  it('times the model and counts its failures by branch', async () => {
    const metrics = new SupervisorMetrics(approvals, createMemoryLog(), { processMetrics: false });
    const failing = {
      decide: () =>
        Promise.resolve({ ok: false as const, error: { code: 'E_MODEL_TIMEOUT' } as never, latencyMs: 3000 }),
      summarize: () =>
        Promise.resolve({ ok: true as const, value: { summary: 's' } as never, latencyMs: 100 }),
      decompose: () => Promise.resolve({ ok: true as const, value: [], latencyMs: 100 }),
      judgeRisk: () => Promise.resolve({ ok: true as const, value: {} as never, latencyMs: 100 }),
    };
    const decider = metrics.instrument(failing);
    await decider.decide({ pane: { id: 'api', branch: 'feature/api' } } as never);
    await decider.summarize('tail');
    const text = await metrics.metrics.scrape();
    expect(text).toContain('orchestrator_decision_errors_total{branch="feature/api"} 1');
    expect(text).toContain('orchestrator_decision_latency_seconds_count{op="decide"} 1');
    expect(text).toContain('orchestrator_decision_latency_seconds_sum{op="summarize"} 0.1');
  });
});
