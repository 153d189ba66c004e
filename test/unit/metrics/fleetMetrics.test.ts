import { describe, expect, it } from 'vitest';
import { FleetMetrics, type MetricsSource } from '../../../extension/core/metrics';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

function source(overrides: Partial<MetricsSource> = {}): MetricsSource {
  return {
    panes: () => [
      { id: 'api', branch: 'feature/api', state: 'working' },
      { id: 'web', branch: 'feature/web', state: 'awaiting_approval' },
      { id: 'scratch', state: 'awaiting_approval' },
    ],
    paneMeta: () => [
      { pane: 'api', branch: 'feature/api', failure_streak: 2, queued_commands: [{}, {}, {}] },
      { pane: 'web', branch: 'feature/web', failure_streak: 0, queued_commands: [{ approval_id: 'a1' }] },
      { pane: 'scratch', failure_streak: 0, queued_commands: [] },
    ],
    heartbeat: () => '2026-01-01T11:59:58.000Z',
    pendingApprovals: () =>
      Promise.resolve([
        { pane: 'web', branch: 'feature/web', requestedAt: '2026-01-01T11:50:00.000Z' },
        { pane: 'web', branch: 'feature/web', requestedAt: '2026-01-01T11:58:00.000Z' },
        // An agent's request without a branch on the record: the pane's branch is used, else the pane id.
        { pane: 'scratch', requestedAt: '2026-01-01T11:59:00.000Z' },
      ]),
    mcpServers: () => [{ alias: 'docs', state: 'connected' }],
    ...overrides,
  };
}

/** The value of one series in the text format, found by its exact name and labels. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('FleetMetrics', () => {
  it('computes the gauges from the live state at scrape time, with the seed names and labels', async () => {
    const metrics = new FleetMetrics({ source: source(), processMetrics: false, now: () => NOW });
    const text = await metrics.scrape();
    expect(value(text, 'orchestrator_queue_size{branch="feature/api"}')).toBe(3);
    expect(value(text, 'orchestrator_queue_size{branch="feature/web"}')).toBe(1);
    expect(value(text, 'orchestrator_queue_size{branch="scratch"}')).toBe(0);
    expect(value(text, 'orchestrator_pending_confirmation_total{branch="feature/web"}')).toBe(2);
    expect(value(text, 'orchestrator_pending_confirmation_total{branch="scratch"}')).toBe(1);
    expect(value(text, 'orchestrator_pending_confirmation_total{branch="feature/api"}')).toBe(0);
    expect(value(text, 'orchestrator_pending_confirmation_oldest_seconds{branch="feature/web"}')).toBe(600);
    expect(value(text, 'orchestrator_failure_streak{branch="feature/api"}')).toBe(2);
    expect(value(text, 'orchestrator_heartbeat_timestamp_seconds')).toBe(NOW / 1000 - 2);
    expect(value(text, 'orchestrator_panes{state="awaiting_approval"}')).toBe(2);
    expect(value(text, 'orchestrator_panes{state="working"}')).toBe(1);
    expect(value(text, 'orchestrator_panes{state="stalled"}')).toBe(0);
    expect(value(text, 'orchestrator_mcp_server_state{alias="docs",state="connected"}')).toBe(1);
    expect(value(text, 'orchestrator_mcp_server_state{alias="docs",state="reconnecting"}')).toBe(0);
    // Every command result exists from the start, at 0.
    for (const result of ['queued', 'dispatched', 'dry_run', 'success', 'failure', 'denied', 'cancelled']) {
      expect(value(text, `orchestrator_commands_total{result="${result}"}`), result).toBe(0);
    }
    expect(text).not.toContain('process_cpu');
  });

  it('forgets series of panes that are gone (gauges are recomputed, not accumulated)', async () => {
    let panes = [{ pane: 'api', branch: 'feature/api', failure_streak: 1, queued_commands: [{}] }];
    const metrics = new FleetMetrics({
      source: source({ paneMeta: () => panes, pendingApprovals: () => Promise.resolve([]) }),
      processMetrics: false,
    });
    expect(value(await metrics.scrape(), 'orchestrator_queue_size{branch="feature/api"}')).toBe(1);
    expect(value(await metrics.scrape(), 'orchestrator_queue_size{branch="feature/api"}')).toBe(1);
    panes = [];
    const text = await metrics.scrape();
    expect(value(text, 'orchestrator_queue_size{branch="feature/api"}')).toBeUndefined();
    expect(value(text, 'orchestrator_failure_streak{branch="feature/api"}')).toBeUndefined();
    // Counters keep their series: a counter that vanished would read as a reset.
    expect(value(text, 'orchestrator_decision_errors_total{branch="feature/api"}')).toBe(0);
  });

  it('counts commands, model calls, stalls and approval waits from events', async () => {
    const metrics = new FleetMetrics({ source: source(), processMetrics: false, now: () => NOW });
    metrics.command('queued');
    metrics.command('dispatched');
    metrics.command('dispatched');
    metrics.command('failure');
    metrics.decision('decide', 1500, true, 'feature/api');
    metrics.decision('decide', 200, false, 'feature/web');
    metrics.stalled('feature/api');
    metrics.approvalDecided('2026-01-01T11:00:00.000Z', '2026-01-01T11:00:45.000Z');
    const text = await metrics.scrape();
    expect(value(text, 'orchestrator_commands_total{result="queued"}')).toBe(1);
    expect(value(text, 'orchestrator_commands_total{result="dispatched"}')).toBe(2);
    expect(value(text, 'orchestrator_commands_total{result="failure"}')).toBe(1);
    expect(value(text, 'orchestrator_decision_latency_seconds_count{op="decide"}')).toBe(2);
    expect(value(text, 'orchestrator_decision_latency_seconds_sum{op="decide"}')).toBeCloseTo(1.7);
    expect(value(text, 'orchestrator_decision_latency_seconds_bucket{le="2.5",op="decide"}')).toBe(2);
    expect(value(text, 'orchestrator_decision_latency_seconds_bucket{le="1",op="decide"}')).toBe(1);
    expect(value(text, 'orchestrator_decision_errors_total{branch="feature/web"}')).toBe(1);
    // Known branches are exported from 0, so increase() sees a branch's first error.
    expect(value(text, 'orchestrator_decision_errors_total{branch="feature/api"}')).toBe(0);
    expect(value(text, 'orchestrator_stalls_total{branch="scratch"}')).toBe(0);
    expect(value(text, 'orchestrator_stalls_total{branch="feature/api"}')).toBe(1);
    expect(value(text, 'orchestrator_approval_wait_seconds_sum')).toBe(45);
    expect(value(text, 'orchestrator_approval_wait_seconds_bucket{le="60"}')).toBe(1);
    expect(value(text, 'orchestrator_approval_wait_seconds_bucket{le="30"}')).toBe(0);
  });

  it('reports heartbeat 0 before the first beat (a stale-heartbeat alert fires), and keeps registries apart', async () => {
    const a = new FleetMetrics({ source: source({ heartbeat: () => undefined }), processMetrics: false });
    const b = new FleetMetrics({ source: source(), processMetrics: false });
    a.command('success');
    expect(value(await a.scrape(), 'orchestrator_heartbeat_timestamp_seconds')).toBe(0);
    expect(value(await b.scrape(), 'orchestrator_commands_total{result="success"}')).toBe(0);
  });

  it('adds the process metrics unless told not to', async () => {
    const metrics = new FleetMetrics({ source: source() });
    expect(await metrics.scrape()).toMatch(/^process_cpu_seconds_total /m);
  });

  it('reads the approvals once per scrape for both approval gauges', async () => {
    let reads = 0;
    const metrics = new FleetMetrics({
      source: source({
        pendingApprovals: () => {
          reads += 1;
          return Promise.resolve([]);
        },
      }),
      processMetrics: false,
    });
    await metrics.scrape();
    expect(reads).toBe(1);
  });
});
