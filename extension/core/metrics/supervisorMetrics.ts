import { describeError } from '../errors';
import type { ApprovalRecord } from '../approvals/approvalRecords';
import type { Logger } from '../observability/appLog';
import type { Disposable } from '../panes/events';
import type { PaneStateEvent } from '../panes/types';
import type { DeciderPort, FleetPort } from '../supervisor/ports';
import type { SupervisorState } from '../supervisor/paneMetadata';
import { FleetMetrics, branchOf, type CommandResultLabel, type MetricsPane } from './fleetMetrics';
import { startMetricsServer, type Health, type MetricsServer } from './metricsServer';

const CATEGORY = 'metrics';
/** The category the supervisor writes its audit trail under (orchestrator.ts). */
const AUDIT = 'audit';

/** What the metrics need of the approval store: its pending requests and a decided record's times. */
export interface MetricsApprovalStore {
  pending(): Promise<readonly { pane: string; branch?: string; requestedAt: string }[]>;
  get(id: string): Promise<ApprovalRecord | undefined>;
}

export interface SupervisorView {
  panes(): readonly MetricsPane[];
  snapshot(): SupervisorState;
  onStateChange(listener: (event: PaneStateEvent) => void): Disposable;
  onDecided(listener: (record: { id: string }) => void): Disposable;
  mcp?: { aliases(): string[]; state(alias: string): string };
  /** Heartbeats older than this make `/healthz` answer 503 (three missed beats by default). */
  heartbeatStaleMs: number;
}

/** The view of a running supervisor the metrics read, the same for `fleet orchestrator` and the VS Code window. */
export function supervisorView(parts: {
  fleet: Pick<FleetPort, 'list' | 'onStateChange'>;
  orchestrator: { snapshot(): SupervisorState };
  approvals: { onDecided(listener: (record: { id: string }) => void): Disposable };
  mcp?: SupervisorView['mcp'];
  heartbeatStaleMs: number;
}): SupervisorView {
  const { fleet, orchestrator, approvals, mcp, heartbeatStaleMs } = parts;
  return {
    panes: () =>
      fleet.list().map((p) => ({ id: p.id, state: p.state.name, ...(p.branch ? { branch: p.branch } : {}) })),
    snapshot: () => orchestrator.snapshot(),
    onStateChange: (listener) => fleet.onStateChange(listener),
    onDecided: (listener) => approvals.onDecided(listener),
    ...(mcp ? { mcp } : {}),
    heartbeatStaleMs,
  };
}

/**
 * The supervisor's metrics, wherever it runs (`fleet orchestrator`, the VS Code window): the gauges read the
 * supervisor at scrape time; the few counters are fed by the audit trail the supervisor already writes (command
 * queued, dispatched, result), by its model calls, by pane state changes and by approval decisions. Nothing in the
 * supervisor knows about Prometheus.
 */
export class SupervisorMetrics {
  readonly metrics: FleetMetrics;
  private view: SupervisorView | undefined;
  private readonly subscriptions: Disposable[] = [];
  private server: MetricsServer | undefined;
  private cached: { at: number; state: SupervisorState } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly approvals: MetricsApprovalStore,
    private readonly log: Logger,
    options: { processMetrics?: boolean; now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.metrics = new FleetMetrics({
      ...options,
      source: {
        panes: () => this.view?.panes() ?? [],
        paneMeta: () => Object.values(this.state()?.panes ?? {}),
        heartbeat: () => this.state()?.orchestrator_heartbeat,
        pendingApprovals: () => this.approvals.pending(),
        mcpServers: () => {
          const mcp = this.view?.mcp;
          return mcp ? mcp.aliases().map((alias) => ({ alias, state: mcp.state(alias) })) : [];
        },
      },
    });
  }

  /** A logger that writes what `log` writes and counts the supervisor's command events on the way. */
  tap(log: Logger): Logger {
    const observe = (category: string, event: string, context?: Record<string, unknown>): void => {
      if (category !== AUDIT) return;
      const result = commandResult(event, context);
      if (result) this.metrics.command(result);
    };
    return {
      log: (level, category, event, context) => {
        observe(category, event, context);
        log.log(level, category, event, context);
      },
      info: (category, event, context) => {
        observe(category, event, context);
        log.info(category, event, context);
      },
      warn: (category, event, context) => {
        observe(category, event, context);
        log.warn(category, event, context);
      },
      error: (category, event, context) => {
        observe(category, event, context);
        log.error(category, event, context);
      },
      debug: (category, event, context) => {
        observe(category, event, context);
        log.debug(category, event, context);
      },
      flush: () => log.flush(),
      close: () => log.close(),
    };
  }

  /** The model, timed: `orchestrator_decision_latency_seconds` and `orchestrator_decision_errors_total`. */
  instrument(decider: DeciderPort): DeciderPort {
    const record = (op: string, result: { ok: boolean; latencyMs: number }, branch?: string): void =>
      this.metrics.decision(op, result.latencyMs, result.ok, branch);
    return {
      decide: async (context, options) => {
        const result = await decider.decide(context, options);
        record('decide', result, context.pane.branch ?? context.pane.id);
        return result;
      },
      summarize: async (...args) => {
        const result = await decider.summarize(...args);
        record('summarize', result);
        return result;
      },
      decompose: async (...args) => {
        const result = await decider.decompose(...args);
        record('decompose', result);
        return result;
      },
      judgeRisk: async (...args) => {
        const result = await decider.judgeRisk(...args);
        record('judge_risk', result);
        return result;
      },
    };
  }

  /** Connects the metrics to a started supervisor. */
  attach(view: SupervisorView): void {
    this.view = view;
    this.subscriptions.push(
      view.onStateChange((event) => {
        if (event.to === 'stalled' && event.from !== 'stalled') {
          this.metrics.stalled(
            branchOf({ pane: event.pane, ...(event.branch ? { branch: event.branch } : {}) }),
          );
        }
      }),
      view.onDecided((record) => {
        void this.approvals.get(record.id).then(
          (full) => {
            if (full && 'decidedAt' in full) this.metrics.approvalDecided(full.requestedAt, full.decidedAt);
          },
          (error: unknown) =>
            this.log.debug(CATEGORY, 'metrics.approval.unread', { error: describeError(error) }),
        );
      }),
    );
  }

  /**
   * Serves `/metrics` and `/healthz`. A port that cannot be bound is logged with its reason and the supervisor
   * runs on without an exporter; the error is returned for the caller to show.
   */
  async listen(host: string, port: number, origin: string): Promise<MetricsServer | Error> {
    try {
      this.server = await startMetricsServer({
        metrics: this.metrics,
        host,
        port,
        origin,
        log: this.log,
        health: () => this.health(),
      });
      return this.server;
    } catch (error) {
      this.log.error(CATEGORY, 'metrics.listen.failed', { error: describeError(error), host, port });
      return error instanceof Error ? error : new Error(describeError(error));
    }
  }

  health(): Health {
    const beat = this.state()?.orchestrator_heartbeat;
    const at = beat === undefined ? NaN : Date.parse(beat);
    const age = Number.isFinite(at) ? Math.max(0, (this.now() - at) / 1000) : null;
    const panes = this.view?.panes() ?? [];
    const states: Record<string, number> = {};
    for (const pane of panes) states[pane.state] = (states[pane.state] ?? 0) + 1;
    const staleAfter = (this.view?.heartbeatStaleMs ?? 15_000) / 1000;
    return {
      ok: this.view !== undefined && age !== null && age <= staleAfter,
      heartbeat_age_seconds: age === null ? null : Math.round(age * 1000) / 1000,
      panes: panes.length,
      pane_states: states,
    };
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    await this.server?.close();
    this.server = undefined;
  }

  /** One copy of the supervisor's state serves the gauges of one scrape (the snapshot is a deep copy). */
  private state(): SupervisorState | undefined {
    if (!this.view) return undefined;
    const now = this.now();
    if (!this.cached || now - this.cached.at > 250) this.cached = { at: now, state: this.view.snapshot() };
    return this.cached.state;
  }
}

function commandResult(
  event: string,
  context: Record<string, unknown> | undefined,
): CommandResultLabel | undefined {
  switch (event) {
    case 'command.queued':
      return 'queued';
    case 'command.dispatched':
      return context?.result === 'dry_run' ? 'dry_run' : 'dispatched';
    case 'command.result': {
      const result = context?.result;
      // A dry run's "result" was already counted when it was "dispatched".
      return result === 'success' || result === 'failure' || result === 'denied' || result === 'cancelled'
        ? result
        : undefined;
    }
    default:
      return undefined;
  }
}
