import type { Logger } from '../observability/appLog';
import { ChannelFailure } from './channelFailure';
import { TokenBucket } from './filter';
import { redact } from './mask';
import type { NotifyClock, NotifyEvent, RemoteChannel } from './types';
import { timeoutSignal } from '../timeoutSignal';

export interface RunnerSettings {
  timeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  burst: number;
  perMinute: number;
  /** How long rate-limit drops are counted before one summary line is logged. */
  dropSummaryMs: number;
}

export type ChannelState = 'up' | 'down' | 'probing';

export interface ChannelStatus {
  channel: string;
  state: ChannelState;
  sent: number;
  failed: number;
  rateLimited: number;
  reason?: string;
}

/** How many undelivered events a channel that is down remembers (the oldest go first). */
const MAX_MISSED = 50;

/**
 * One remote channel and its degradation (seed 003, scenario G). Sends one event at a time, in order. The first
 * failure logs ONE warning `notify.channel.degraded` (reason masked) and the channel goes down: later events are
 * remembered, not sent, and nothing more is logged. Retries run in the background with a doubling backoff. When
 * the channel works again it logs `notify.channel.recovered` and resends what is still relevant: the approval
 * requests still pending. Other missed events are stale by then and only counted. When nothing is left to resend,
 * the channel is `probing`: the next event tries it, and recovers it or keeps it down without a new warning.
 * `deliver` never throws and never waits on a retry.
 */
export class ChannelRunner {
  private state: ChannelState = 'up';
  private reason: string | undefined;
  private downSince = 0;
  private attempts = 0;
  private retryTimer: unknown;
  private missed: NotifyEvent[] = [];
  private stale = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  private readonly bucket: TokenBucket;
  private droppedByRate = 0;
  private dropTimer: unknown;
  private closed = false;
  private readonly counts = { sent: 0, failed: 0, rateLimited: 0 };

  constructor(
    readonly channel: RemoteChannel,
    private readonly settings: RunnerSettings,
    private readonly clock: NotifyClock,
    private readonly log: Logger,
    private readonly stillRelevant: (event: NotifyEvent) => Promise<boolean>,
  ) {
    this.bucket = new TokenBucket(settings.burst, settings.perMinute, () => clock.now());
  }

  /** At start: a channel that cannot send (its variable unset) is degraded right away, with its one warning. */
  check(): Promise<void> {
    return this.track(async () => {
      const reason = await this.unavailable();
      if (reason) this.degrade(new ChannelFailure('missing', reason));
    });
  }

  deliver(event: NotifyEvent): void {
    if (this.closed) return;
    if (!this.bucket.take()) {
      this.rateLimited();
      return;
    }
    if (this.state === 'down') {
      this.remember(event);
      return;
    }
    void this.track(() => this.attempt(event));
  }

  status(): ChannelStatus {
    return {
      channel: this.channel.name,
      state: this.state,
      ...this.counts,
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }

  /** Resolves when nothing is being sent (retries waiting on their timer do not count). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    if (this.dropTimer !== undefined) this.clock.clearTimeout(this.dropTimer);
    this.summarizeDrops();
  }

  // --- sending, in order -------------------------------------------------------------------------------------------

  private track(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((error: unknown) => {
      // attempt() handles its own failures; this is a bug, and still must not reach the supervisor.
      this.log.error('notify', 'notify.channel.internal', {
        channel: this.channel.name,
        error: this.mask(String(error)),
      });
    });
    this.chain = next;
    this.inflight.add(next);
    void next.finally(() => this.inflight.delete(next));
    return next;
  }

  private async attempt(event: NotifyEvent): Promise<void> {
    // State may have changed while this waited its turn.
    if (this.state === 'down') {
      this.remember(event);
      return;
    }
    try {
      await this.sendOne(event);
      if (this.state === 'probing') this.recovered(0);
    } catch (error) {
      this.remember(event);
      this.degrade(error);
    }
  }

  private async sendOne(event: NotifyEvent): Promise<void> {
    const reason = await this.unavailable();
    if (reason) throw new ChannelFailure('missing', reason);
    try {
      await this.channel.send(event, timeoutSignal(this.settings.timeoutMs));
      this.counts.sent++;
      this.log.debug('notify', 'notify.channel.sent', {
        channel: this.channel.name,
        ...(event.approval ? { approval: event.approval.id } : {}),
      });
    } catch (error) {
      this.counts.failed++;
      throw error;
    }
  }

  private async unavailable(): Promise<string | undefined> {
    try {
      return await this.channel.unavailable();
    } catch (error) {
      return `its secret could not be read (${String(error)})`;
    }
  }

  // --- degradation and recovery -----------------------------------------------------------------------------------

  private degrade(error: unknown): void {
    const failure =
      error instanceof ChannelFailure
        ? error
        : new ChannelFailure('unreachable', error instanceof Error ? error.message : String(error));
    const reason = this.mask(failure.message);
    this.reason = reason;
    if (this.state === 'up') {
      // The one warning of this outage; `probing` failures belong to the same outage.
      this.downSince = this.clock.now();
      this.log.warn('notify', 'notify.channel.degraded', {
        channel: this.channel.name,
        reason,
        kind: failure.kind,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        retryInSeconds: Math.round(this.settings.retryMinMs / 1000),
      });
    }
    this.state = 'down';
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = Math.min(this.settings.retryMaxMs, this.settings.retryMinMs * 2 ** this.attempts);
    this.attempts++;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.track(() => this.retry());
    }, delay);
  }

  private async retry(): Promise<void> {
    if (this.closed) return;
    const reason = await this.unavailable();
    if (reason) {
      this.reason = this.mask(reason);
      this.scheduleRetry();
      return;
    }
    const missed = this.missed;
    this.missed = [];
    const relevant: NotifyEvent[] = [];
    for (const event of missed) {
      if (await this.stillRelevant(event).catch(() => false)) relevant.push(event);
      else this.stale++;
    }
    if (relevant.length === 0) {
      // Nothing to prove the channel with: the next event will.
      this.state = 'probing';
      this.log.debug('notify', 'notify.channel.probing', { channel: this.channel.name });
      return;
    }
    let resent = 0;
    for (const [i, event] of relevant.entries()) {
      try {
        await this.sendOne(event);
        resent++;
      } catch (error) {
        this.missed = [...relevant.slice(i), ...this.missed];
        this.reason = this.mask(error instanceof Error ? error.message : String(error));
        this.log.debug('notify', 'notify.channel.retry_failed', {
          channel: this.channel.name,
          reason: this.reason,
        });
        this.scheduleRetry();
        return;
      }
    }
    this.recovered(resent);
  }

  private recovered(resent: number): void {
    this.log.info('notify', 'notify.channel.recovered', {
      channel: this.channel.name,
      downSeconds: Math.round((this.clock.now() - this.downSince) / 1000),
      resent,
      notResent: this.stale,
    });
    this.state = 'up';
    this.reason = undefined;
    this.attempts = 0;
    this.stale = 0;
  }

  private remember(event: NotifyEvent): void {
    // One entry per approval: a request notified twice is resent once.
    if (event.approval && this.missed.some((e) => e.approval?.id === event.approval?.id)) return;
    this.missed.push(event);
    if (this.missed.length > MAX_MISSED) {
      this.missed.shift();
      this.stale++;
    }
  }

  // --- rate limit -------------------------------------------------------------------------------------------------

  private rateLimited(): void {
    this.counts.rateLimited++;
    this.droppedByRate++;
    // Counted, and told once per period as a summary rather than once per dropped message.
    this.dropTimer ??= this.clock.setTimeout(() => {
      this.dropTimer = undefined;
      this.summarizeDrops();
    }, this.settings.dropSummaryMs);
  }

  private summarizeDrops(): void {
    if (this.droppedByRate === 0) return;
    this.log.warn('notify', 'notify.channel.rate_limited', {
      channel: this.channel.name,
      dropped: this.droppedByRate,
      perMinute: this.settings.perMinute,
      burst: this.settings.burst,
    });
    this.droppedByRate = 0;
  }

  private mask(text: string): string {
    return redact(text, this.channel.secrets());
  }
}
