import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PANE_STATES } from '../panes/types';

/** One pane as the metrics see it (the supervisor's fleet view, narrowed). */
export interface MetricsPane {
  id: string;
  branch?: string;
  state: string;
}

/** One supervised pane's metadata, narrowed to what the metrics read (supervisor.json's `panes`). */
export interface MetricsPaneMeta {
  pane: string;
  branch?: string;
  failure_streak: number;
  queued_commands: readonly { approval_id?: string }[];
}

export interface MetricsPendingApproval {
  pane: string;
  branch?: string;
  /** ISO time the request was filed. */
  requestedAt: string;
}

/**
 * Where the gauges read the live state at scrape time. Gauges computed from the state cannot drift from it the
 * way counters fed by events can (a missed event, a restart), so only what has no state (how many commands
 * were sent, how long a decision took) is counted from events.
 */
export interface MetricsSource {
  panes(): readonly MetricsPane[];
  /** The supervisor's per-pane metadata, keyed by branch or pane id. */
  paneMeta(): readonly MetricsPaneMeta[];
  /** ISO time of the supervisor's last heartbeat, if it beat yet. */
  heartbeat(): string | undefined;
  pendingApprovals(): Promise<readonly MetricsPendingApproval[]>;
  /** MCP sessions: alias -> state (idle, connecting, connected, reconnecting, disconnected, disabled). */
  mcpServers(): readonly { alias: string; state: string }[];
}

export const MCP_STATES = [
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'disconnected',
  'disabled',
] as const;

/** Results of `orchestrator_commands_total`: the seed's queued / dispatched / dry_run, then the outcomes. */
export const COMMAND_RESULTS = [
  'queued',
  'dispatched',
  'dry_run',
  'success',
  'failure',
  'denied',
  'cancelled',
] as const;
export type CommandResultLabel = (typeof COMMAND_RESULTS)[number];

export interface FleetMetricsOptions {
  source: MetricsSource;
  /** Adds the process metrics (CPU, memory, event loop lag) prom-client collects; cheap, on by default. */
  processMetrics?: boolean;
  now?: () => number;
}

/**
 * The exporter's metrics, in a registry of their own (never prom-client's global one: a second supervisor in
 * the same process, or a test, must not see this one's series). Names follow seed 001 (`orchestrator_*`).
 */
export class FleetMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'result'>;
  private readonly decisionLatency: Histogram<'op'>;
  private readonly decisionErrors: Counter<'branch'>;
  private readonly stalls: Counter<'branch'>;
  private readonly approvalWait: Histogram;
  private readonly now: () => number;

  constructor(options: FleetMetricsOptions) {
    this.now = options.now ?? Date.now;
    const registers = [this.registry];
    const source = options.source;
    const now = this.now;

    this.commands = new Counter({
      name: 'orchestrator_commands_total',
      help: 'Commands of the supervisor by result: queued, dispatched (typed), dry_run, then success, failure, denied, cancelled.',
      labelNames: ['result'],
      registers,
    });
    // Every result is exported from the start, so rate() and alerts see a 0 rather than no series.
    for (const result of COMMAND_RESULTS) this.commands.inc({ result }, 0);

    this.decisionLatency = new Histogram({
      name: 'orchestrator_decision_latency_seconds',
      help: 'Time the model took to answer the supervisor (decide, summarize, decompose, judge_risk).',
      labelNames: ['op'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.decisionErrors = new Counter({
      name: 'orchestrator_decision_errors_total',
      help: 'Model calls of the supervisor that failed (unreachable, HTTP error, timeout, bad output), by branch.',
      labelNames: ['branch'],
      registers,
      // Every known branch from 0: increase() cannot see the first error of a series that starts at 1.
      collect() {
        for (const meta of source.paneMeta()) this.inc({ branch: branchOf(meta) }, 0);
      },
    });
    this.stalls = new Counter({
      name: 'orchestrator_stalls_total',
      help: 'Times a pane was seen stalled (working without visible progress for stall_timeout_seconds), by branch.',
      labelNames: ['branch'],
      registers,
      collect() {
        for (const meta of source.paneMeta()) this.inc({ branch: branchOf(meta) }, 0);
      },
    });
    this.approvalWait = new Histogram({
      name: 'orchestrator_approval_wait_seconds',
      help: 'Time an approval request waited for its decision (approve, deny, expired).',
      buckets: [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600],
      registers,
    });

    new Gauge({
      name: 'orchestrator_queue_size',
      help: 'Commands queued for a pane (waiting for the pane, the cooldown or an approval), by branch.',
      labelNames: ['branch'],
      registers,
      collect() {
        this.reset();
        for (const meta of source.paneMeta()) {
          this.inc({ branch: branchOf(meta) }, meta.queued_commands.length);
        }
      },
    });
    new Gauge({
      name: 'orchestrator_failure_streak',
      help: 'Failed commands in a row on a pane (an alert and a blocked pane at failure_alert_threshold), by branch.',
      labelNames: ['branch'],
      registers,
      collect() {
        this.reset();
        for (const meta of source.paneMeta()) this.set({ branch: branchOf(meta) }, meta.failure_streak);
      },
    });
    new Gauge({
      name: 'orchestrator_heartbeat_timestamp_seconds',
      help: 'Unix time of the supervisor heartbeat (alert on time() minus this).',
      registers,
      collect() {
        const beat = source.heartbeat();
        const at = beat === undefined ? NaN : Date.parse(beat);
        // Before the first beat: 0, which any stale-heartbeat alert reads as "no supervisor".
        this.set(Number.isFinite(at) ? at / 1000 : 0);
      },
    });
    new Gauge({
      name: 'orchestrator_panes',
      help: 'Panes by state (starting, working, awaiting_approval, awaiting_input, stalled, error, exited).',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = new Map<string, number>(PANE_STATES.map((s) => [s, 0]));
        for (const pane of source.panes()) counts.set(pane.state, (counts.get(pane.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'orchestrator_mcp_server_state',
      help: 'MCP session state per alias: 1 for the current state, 0 for the others.',
      labelNames: ['alias', 'state'],
      registers,
      collect() {
        this.reset();
        for (const server of source.mcpServers()) {
          for (const state of MCP_STATES)
            this.set({ alias: server.alias, state }, server.state === state ? 1 : 0);
        }
      },
    });

    // The two approval gauges read one file; a scrape reads it once.
    let pending: Promise<readonly MetricsPendingApproval[]> | undefined;
    const pendingOnce = (): Promise<readonly MetricsPendingApproval[]> => {
      pending ??= source.pendingApprovals().finally(() => {
        pending = undefined;
      });
      return pending;
    };
    const paneBranch = (): Map<string, string> =>
      new Map(source.panes().flatMap((p) => (p.branch ? [[p.id, p.branch] as const] : [])));
    new Gauge({
      name: 'orchestrator_pending_confirmation_total',
      help: 'Approval requests waiting for a human (commands of FleetAI and agents asking), by branch.',
      labelNames: ['branch'],
      registers,
      async collect() {
        const records = await pendingOnce();
        const branches = paneBranch();
        this.reset();
        // Every branch the supervisor knows appears, at 0 when nothing waits: an alert can tell 0 from gone.
        for (const meta of source.paneMeta()) this.set({ branch: branchOf(meta) }, 0);
        for (const r of records) this.inc({ branch: r.branch ?? branches.get(r.pane) ?? r.pane });
      },
    });
    new Gauge({
      name: 'orchestrator_pending_confirmation_oldest_seconds',
      help: 'Age of the oldest approval request still waiting, by branch.',
      labelNames: ['branch'],
      registers,
      async collect() {
        const records = await pendingOnce();
        const branches = paneBranch();
        this.reset();
        const oldest = new Map<string, number>();
        for (const r of records) {
          const branch = r.branch ?? branches.get(r.pane) ?? r.pane;
          const age = Math.max(0, (now() - Date.parse(r.requestedAt)) / 1000);
          if (Number.isFinite(age)) oldest.set(branch, Math.max(oldest.get(branch) ?? 0, age));
        }
        for (const [branch, age] of oldest) this.set({ branch }, age);
      },
    });

    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  command(result: CommandResultLabel): void {
    this.commands.inc({ result });
  }

  decision(op: string, latencyMs: number, ok: boolean, branch: string | undefined): void {
    this.decisionLatency.observe({ op }, latencyMs / 1000);
    if (!ok) this.decisionErrors.inc({ branch: branch ?? '' });
  }

  stalled(branch: string): void {
    this.stalls.inc({ branch });
  }

  approvalDecided(requestedAt: string, decidedAt: string): void {
    const seconds = (Date.parse(decidedAt) - Date.parse(requestedAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) this.approvalWait.observe(seconds);
  }

  /** The text exposition format, for `/metrics`. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The label the seed's metrics use for a pane: its branch, else its id (a pane outside any worktree). */
export function branchOf(pane: { pane: string; branch?: string }): string {
  return pane.branch ?? pane.pane;
}
