import { afterEach, describe, expect, it } from 'vitest';
import {
  Notifier,
  slackChannel,
  wecomChannel,
  type NotifierSettings,
  type RemoteChannel,
} from '../../../extension/core/notify';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import type { Notification } from '../../../extension/core/supervisor/ports';
import { startFakeSlack, startFakeWecom, type FakeEndpoint } from '../../fakes/notifyEndpoints.mjs';
import { FakeClock } from './fakeClock';

// The channels are real (HTTP to local fake WeCom/Slack servers); only time is faked, so windows, buckets and
// backoff are stepped through without waiting.

const settings: NotifierSettings = {
  minLevel: 'critical',
  dedupeMs: 300_000,
  perMinute: 20,
  burst: 5,
  timeoutMs: 5_000,
  retryMinMs: 5_000,
  retryMaxMs: 300_000,
  dropSummaryMs: 60_000,
};

const approvalNote = (id: string, pane = 'api'): Notification => ({
  severity: 'warning',
  title: 'Approval needed (high)',
  message: `${pane} wants to run: npm publish`,
  pane,
  approvalId: id,
  requires_confirmation: true,
});

const markdownOf = (r: { body: unknown } | undefined) =>
  (r!.body as { markdown: { content: string } }).markdown.content;

let endpoints: FakeEndpoint[] = [];
let notifiers: Notifier[] = [];
afterEach(async () => {
  for (const n of notifiers) n.close();
  await Promise.all(endpoints.map((e) => e.stop()));
  endpoints = [];
  notifiers = [];
});

async function setup(options: { settings?: Partial<NotifierSettings>; pending?: Set<string> } = {}) {
  const wecom = await startFakeWecom();
  const slack = await startFakeSlack();
  endpoints.push(wecom, slack);
  const clock = new FakeClock();
  const log = createMemoryLog();
  const local: string[] = [];
  const pending = options.pending ?? new Set<string>();
  const wecomUrl = { value: wecom.url() as string | undefined };
  const notifier = new Notifier({
    log,
    clock,
    settings: { ...settings, ...options.settings },
    remote: [
      wecomChannel({ url: { describe: 'WECOM_WEBHOOK', read: () => wecomUrl.value }, msgtype: 'markdown' }),
      slackChannel({ url: { describe: 'SLACK_WEBHOOK_URL', read: () => slack.url() } }),
    ],
    local: [(e) => local.push(e.title)],
    approvalFacts: (id) => Promise.resolve({ id, command: 'npm publish', risk: 'high', kind: 'command' }),
    isPending: (id) => Promise.resolve(pending.has(id)),
  });
  notifiers.push(notifier);
  const events = (name: string) => log.lines.filter((l) => l.event === name);
  return { wecom, slack, clock, log, local, notifier, pending, wecomUrl, events };
}

describe('filter', () => {
  it('sends approvals and critical events remotely; warnings and info only to the log and VS Code', async () => {
    const { wecom, slack, local, notifier } = await setup();
    notifier.notify(approvalNote('a1'));
    notifier.notify({
      severity: 'critical',
      title: 'Pane api failing',
      message: '3 failures in a row',
      pane: 'api',
      requires_confirmation: false,
    });
    notifier.notify({
      severity: 'warning',
      title: 'Pane web stalled',
      message: 'no output for 120s',
      pane: 'web',
      requires_confirmation: false,
    });
    notifier.notify({ severity: 'info', title: 'Task done', message: 'docs', requires_confirmation: false });
    await notifier.idle();
    expect(local).toEqual(['Approval needed (high)', 'Pane api failing', 'Pane web stalled', 'Task done']);
    for (const endpoint of [wecom, slack]) {
      expect(endpoint.received).toHaveLength(2);
      expect(endpoint.received.map((r) => JSON.stringify(r.body))).toEqual([
        expect.stringContaining('/approve a1'),
        expect.stringContaining('Pane api failing'),
      ]);
    }
    // The supervisor only knows the id: the command and risk came from the approvals store.
    expect(markdownOf(wecom.received[0])).toContain('`npm publish`');
  });

  it('lets warnings through when min_level is warning', async () => {
    const { wecom, notifier } = await setup({ settings: { minLevel: 'warning' } });
    notifier.notify({
      severity: 'warning',
      title: 'Pane web stalled',
      message: 'x',
      requires_confirmation: false,
    });
    notifier.notify({ severity: 'info', title: 'Task done', message: 'x', requires_confirmation: false });
    await notifier.idle();
    expect(wecom.received).toHaveLength(1);
  });
});

describe('digests', () => {
  it('sends a scheduled digest remotely at the default min_level (critical), other info stays local', async () => {
    const { wecom, local, notifier } = await setup();
    notifier.notify({ severity: 'info', title: 'Task done', message: 'x', requires_confirmation: false });
    notifier.notify({
      severity: 'info',
      title: 'FleetAI daily review',
      message: '3 of 8 tasks done',
      requires_confirmation: false,
      digest: true,
    });
    await notifier.idle();
    expect(wecom.received).toHaveLength(1);
    expect(markdownOf(wecom.received[0])).toContain('3 of 8 tasks done');
    expect(local).toHaveLength(2);
  });
});

describe('de-duplication', () => {
  it('sends the same approval once within the window, again after it', async () => {
    const { wecom, local, notifier, clock } = await setup();
    notifier.notify(approvalNote('a1'));
    notifier.notify(approvalNote('a1'));
    clock.advance(299_000);
    notifier.notify(approvalNote('a1'));
    await notifier.idle();
    expect(wecom.received).toHaveLength(1);
    expect(local).toHaveLength(1);
    clock.advance(2_000);
    notifier.notify(approvalNote('a1'));
    await notifier.idle();
    expect(wecom.received).toHaveLength(2);
  });

  it('keeps different approvals and different critical events apart', async () => {
    const { wecom, notifier } = await setup();
    notifier.notify(approvalNote('a1'));
    notifier.notify(approvalNote('a2'));
    notifier.notify({
      severity: 'critical',
      title: 'Pane api failing',
      message: 'x',
      pane: 'api',
      requires_confirmation: false,
    });
    notifier.notify({
      severity: 'critical',
      title: 'Pane api failing',
      message: 'x',
      pane: 'web',
      requires_confirmation: false,
    });
    await notifier.idle();
    expect(wecom.received).toHaveLength(4);
  });
});

describe('rate limit (token bucket per channel)', () => {
  it('sends a burst, drops the rest, logs one summary, and refills with time', async () => {
    const { wecom, notifier, clock, events } = await setup({ settings: { burst: 3, perMinute: 6 } });
    for (let i = 0; i < 10; i++) notifier.notify(approvalNote(`r${i}`));
    await notifier.idle();
    expect(wecom.received).toHaveLength(3);
    expect(events('notify.channel.rate_limited')).toHaveLength(0);
    clock.advance(60_000);
    // One summary per channel for the seven drops, not seven lines.
    const summaries = events('notify.channel.rate_limited');
    expect(summaries.map((l) => l.context)).toEqual([
      expect.objectContaining({ channel: 'wecom', dropped: 7 }),
      expect.objectContaining({ channel: 'slack', dropped: 7 }),
    ]);
    expect(notifier.status()[0]).toMatchObject({ channel: 'wecom', sent: 3, rateLimited: 7 });
    // 60 s at 6 a minute refilled the bucket (to its burst of 3).
    for (let i = 10; i < 14; i++) notifier.notify(approvalNote(`r${i}`));
    await notifier.idle();
    expect(wecom.received).toHaveLength(6);
  });
});

describe('degradation (seed 003, scenario G)', () => {
  it('a missing WECOM_WEBHOOK logs one warning at start; Slack keeps working', async () => {
    const { wecom, slack, notifier, wecomUrl, events } = await setup();
    wecomUrl.value = undefined;
    await notifier.start();
    for (let i = 0; i < 5; i++) notifier.notify(approvalNote(`m${i}`));
    await notifier.idle();
    const degraded = events('notify.channel.degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]).toMatchObject({ level: 'warn' });
    expect(degraded[0]!.context).toMatchObject({ channel: 'wecom', reason: 'WECOM_WEBHOOK is not set' });
    expect(wecom.received).toHaveLength(0);
    expect(slack.received).toHaveLength(5);
    expect(notifier.status()[0]).toMatchObject({ state: 'down' });
  });

  it('channel down -> supervisor goes on, one warning -> channel up -> pending approvals resent, recovered logged', async () => {
    const pending = new Set(['d1', 'd3']);
    const { wecom, slack, notifier, clock, events } = await setup({ pending });
    await notifier.start();
    notifier.notify(approvalNote('d0'));
    await notifier.idle();
    expect(wecom.received).toHaveLength(1);

    await wecom.stop();
    // notify() returns at once whatever the channel does: the supervisor is never held up.
    for (const id of ['d1', 'd2', 'd3']) notifier.notify(approvalNote(id));
    notifier.notify({
      severity: 'critical',
      title: 'Pane api failing',
      message: 'x',
      requires_confirmation: false,
    });
    await notifier.idle();
    expect(slack.received).toHaveLength(5);
    const degraded = events('notify.channel.degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.context).toMatchObject({ channel: 'wecom', kind: 'unreachable' });
    expect(JSON.stringify(degraded[0])).not.toContain(wecom.key);
    expect(notifier.status()[0]).toMatchObject({ state: 'down' });

    // Retries while it is still down: no new warning.
    clock.advance(5_000);
    await notifier.idle();
    clock.advance(10_000);
    await notifier.idle();
    expect(events('notify.channel.degraded')).toHaveLength(1);
    expect(events('notify.channel.recovered')).toHaveLength(0);

    await wecom.start();
    clock.advance(20_000);
    await notifier.idle();
    const recovered = events('notify.channel.recovered');
    expect(recovered).toHaveLength(1);
    // d1 and d3 are still pending; d2 was answered meanwhile and the critical event is stale.
    expect(recovered[0]!.context).toMatchObject({ channel: 'wecom', resent: 2, notResent: 2 });
    const ids = wecom.received.map((r) => /\/approve (\w+)/.exec(markdownOf(r))?.[1]);
    expect(ids).toEqual(['d0', 'd1', 'd3']);

    // New notifications flow again.
    notifier.notify(approvalNote('d4'));
    await notifier.idle();
    expect(wecom.received).toHaveLength(4);
    expect(notifier.status()[0]).toMatchObject({ state: 'up' });
  });

  it('a channel back with nothing to resend recovers on the next event, without a second warning', async () => {
    const { wecom, notifier, clock, events } = await setup();
    await wecom.stop();
    notifier.notify(approvalNote('p1'));
    await notifier.idle();
    await wecom.start();
    clock.advance(5_000);
    await notifier.idle();
    expect(notifier.status()[0]).toMatchObject({ state: 'probing' });
    notifier.notify(approvalNote('p2'));
    await notifier.idle();
    expect(events('notify.channel.degraded')).toHaveLength(1);
    expect(events('notify.channel.recovered')).toHaveLength(1);
    expect(wecom.received).toHaveLength(1);
  });

  it('a channel that throws in unexpected ways never reaches the caller', async () => {
    const log = createMemoryLog();
    const broken: RemoteChannel = {
      name: 'broken',
      unavailable: () => Promise.reject(new Error('secret store exploded')),
      send: () => Promise.reject(new Error('boom')),
      secrets: () => [],
    };
    const notifier = new Notifier({ log, clock: new FakeClock(), settings, remote: [broken] });
    notifiers.push(notifier);
    expect(() => notifier.notify(approvalNote('x1'))).not.toThrow();
    await notifier.idle();
    expect(log.lines.filter((l) => l.event === 'notify.channel.degraded')).toHaveLength(1);
  });
});
