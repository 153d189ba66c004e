import type { Logger } from '../observability/appLog';
import type { Notification } from '../supervisor/ports';
import { ChannelRunner, type ChannelStatus, type RunnerSettings } from './channelRunner';
import { Deduper, dedupeKey, reachesRemote } from './filter';
import {
  systemClock,
  type ApprovalFacts,
  type LocalChannel,
  type NotifyClock,
  type NotifyEvent,
  type NotifySeverity,
  type RemoteChannel,
} from './types';

export interface NotifierSettings extends RunnerSettings {
  /** Least severity that reaches remote channels besides approval requests (critical by default). */
  minLevel: NotifySeverity;
  dedupeMs: number;
}

export interface NotifierOptions {
  log: Logger;
  settings: NotifierSettings;
  remote: RemoteChannel[];
  /** VS Code's notification, the CLI's output: every event that is not a duplicate, unfiltered. */
  local?: LocalChannel[];
  clock?: NotifyClock;
  /** The command and risk of an approval request, from the approvals store (the supervisor only has its id). */
  approvalFacts?: (id: string) => Promise<ApprovalFacts | undefined>;
  /** Whether a request is still waiting for a decision: what a recovered channel resends. */
  isPending?: (id: string) => Promise<boolean>;
}

/**
 * The one way out for the supervisor's news (issue 8, point 3). Every event goes to the log and the local
 * channels; the filter lets approval requests and critical events (or `minLevel`) through to the remote
 * channels; a repeat of the same event within the de-duplication window goes nowhere; each remote channel has
 * its own rate limit and degradation (ChannelRunner). `notify` is synchronous and never throws: a notification
 * never holds up or breaks the supervisor.
 */
export class Notifier {
  private readonly clock: NotifyClock;
  private readonly deduper: Deduper;
  private readonly runners: ChannelRunner[];
  private readonly enriching = new Set<Promise<void>>();
  private sequence: Promise<void> = Promise.resolve();

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? systemClock;
    this.deduper = new Deduper(options.settings.dedupeMs, () => this.clock.now());
    const isPending = options.isPending;
    this.runners = options.remote.map(
      (channel) =>
        new ChannelRunner(channel, options.settings, this.clock, options.log, async (event) =>
          // Only a request still waiting is worth a message after the fact.
          event.approval && isPending ? isPending(event.approval.id) : false,
        ),
    );
  }

  /** Checks every remote channel once: a missing one logs its degradation warning now, at start. */
  async start(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.check()));
    this.options.log.info('notify', 'notify.started', {
      channels: this.runners.map((r) => r.status()).map((s) => ({ channel: s.channel, state: s.state })),
      minLevel: this.options.settings.minLevel,
    });
  }

  /** The supervisor's NotifierPort. */
  notify(notification: Notification): void {
    this.publish(eventFromNotification(notification, this.clock.now()));
  }

  publish(event: NotifyEvent): void {
    try {
      if (!this.deduper.admit(dedupeKey(event))) {
        this.options.log.debug('notify', 'notify.deduplicated', { title: event.title, pane: event.pane });
        return;
      }
      for (const local of this.options.local ?? []) {
        try {
          local(event);
        } catch (error) {
          this.options.log.warn('notify', 'notify.local_failed', { error: String(error) });
        }
      }
      if (!reachesRemote(event, this.options.settings.minLevel) || this.runners.length === 0) return;
      // In order: an approval looked up in the store must not be overtaken by the event after it.
      const enriched = this.enrich(event);
      const work = this.sequence.then(async () => {
        const full = await enriched;
        for (const runner of this.runners) runner.deliver(full);
      });
      this.sequence = work;
      this.enriching.add(work);
      void work.finally(() => this.enriching.delete(work));
    } catch (error) {
      this.options.log.error('notify', 'notify.internal', { error: String(error) });
    }
  }

  status(): ChannelStatus[] {
    return this.runners.map((r) => r.status());
  }

  /** Resolves when every event published so far has been sent or given up on (for tests and benches). */
  async idle(): Promise<void> {
    while (this.enriching.size > 0) await Promise.all([...this.enriching]);
    await Promise.all(this.runners.map((r) => r.idle()));
  }

  close(): void {
    for (const runner of this.runners) runner.close();
  }

  private async enrich(event: NotifyEvent): Promise<NotifyEvent> {
    const approval = event.approval;
    if (!approval || !this.options.approvalFacts || approval.command !== undefined) return event;
    let facts: ApprovalFacts | undefined;
    try {
      facts = await this.options.approvalFacts(approval.id);
    } catch {
      // Without the store the message still carries the id, which is what a reply needs.
      facts = undefined;
    }
    return facts ? { ...event, approval: { ...facts, ...stripUndefined(approval), id: approval.id } } : event;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function eventFromNotification(n: Notification, at: number): NotifyEvent {
  return {
    severity: n.severity,
    title: n.title,
    message: n.message,
    ...(n.pane ? { pane: n.pane } : {}),
    ...(n.branch ? { branch: n.branch } : {}),
    requiresConfirmation: n.requires_confirmation,
    ...(n.approvalId ? { approval: { id: n.approvalId } } : {}),
    ...(n.digest ? { digest: true } : {}),
    at,
  };
}

/** Back to the supervisor's shape, for a local channel written against it (the VS Code host's notification). */
export function notificationFromEvent(event: NotifyEvent): Notification {
  return {
    severity: event.severity,
    title: event.title,
    message: event.message,
    ...(event.pane ? { pane: event.pane } : {}),
    ...(event.branch ? { branch: event.branch } : {}),
    ...(event.approval ? { approvalId: event.approval.id } : {}),
    requires_confirmation: event.requiresConfirmation,
    ...(event.digest ? { digest: true } : {}),
  };
}
