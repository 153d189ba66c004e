import { describe, expect, it } from 'vitest';
import {
  digestNotification,
  nextDigestAt,
  runReview,
  startDigestScheduler,
  startReviewDigest,
} from '../../../extension/core/review';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import type { Notification } from '../../../extension/core/supervisor/ports';
import { useTempDirs } from '../helpers';
import { manualClock } from '../manualClock';
import { seedWorkspace } from './seedWorkspace';

const tempDir = useTempDirs();

describe('review digest schedule', () => {
  it('finds the next HH:MM in local time, tomorrow when today is past', () => {
    expect(nextDigestAt(new Date(2026, 10, 20, 8, 0), '09:00')).toEqual(new Date(2026, 10, 20, 9, 0));
    expect(nextDigestAt(new Date(2026, 10, 20, 9, 0), '09:00')).toEqual(new Date(2026, 10, 21, 9, 0));
    expect(nextDigestAt(new Date(2026, 10, 30, 23, 59), '00:00')).toEqual(new Date(2026, 11, 1, 0, 0));
    expect(() => nextDigestAt(new Date(), '9:00')).toThrow(/HH:MM/);
  });

  it('runs once a day at the time, keeps going after a failed run, and stops', async () => {
    const clock = manualClock(new Date(2026, 10, 20, 8, 30));
    const runs: Date[] = [];
    const errors: unknown[] = [];
    const scheduler = startDigestScheduler({
      digestTime: '09:00',
      clock,
      run: () => {
        runs.push(clock.now());
        return runs.length === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      onError: (error) => errors.push(error),
    });
    expect(scheduler.next).toEqual(new Date(2026, 10, 20, 9, 0));
    await clock.advance(29 * 60_000);
    expect(runs).toEqual([]);
    await clock.advance(60_000);
    expect(runs).toEqual([new Date(2026, 10, 20, 9, 0)]);
    expect(errors).toHaveLength(1);
    expect(scheduler.next).toEqual(new Date(2026, 10, 21, 9, 0));
    await clock.advance(24 * 3600_000);
    expect(runs).toEqual([new Date(2026, 10, 20, 9, 0), new Date(2026, 10, 21, 9, 0)]);
    scheduler.stop();
    expect(clock.timers).toBe(0);
    await clock.advance(48 * 3600_000);
    expect(runs).toHaveLength(2);
  });

  it('sends the headline and the top 3 steps as an info notification', async () => {
    const now = new Date();
    const { dir, pendingApprovalId } = await seedWorkspace(tempDir(), now);
    const review = await runReview({ workspace: dir, now, model: false, saveBaseline: false });
    const notification = digestNotification(review);
    expect(notification).toMatchObject({
      severity: 'info',
      title: 'FleetAI daily review',
      requires_confirmation: false,
    });
    const lines = notification.message.split('\n');
    expect(lines[0]).toBe(review.headline);
    expect(lines.slice(1, 4)).toEqual([
      '',
      'Next steps:',
      `1. Answer approval ${pendingApprovalId} on pane api (waiting 40 min)`,
    ]);
    expect(lines[4]).toBe(`   fleet approvals:approve ${pendingApprovalId}`);
    expect(lines.filter((l) => /^\d\. /.test(l))).toHaveLength(3);

    // The headless wiring: at the digest time the notifier gets it.
    const clock = manualClock(new Date(now.getTime()));
    const sent: Notification[] = [];
    const hhmm = (d: Date): string =>
      `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    const digest = startReviewDigest({
      workspace: dir,
      digestTime: hhmm(new Date(now.getTime() + 2 * 60_000)),
      notifier: { notify: (n) => sent.push(n) },
      log: createMemoryLog(),
      clock,
    });
    await clock.advance(3 * 60_000);
    await expect.poll(() => sent.length, { timeout: 20_000 }).toBe(1);
    expect(sent[0]!.title).toBe('FleetAI daily review');
    expect(sent[0]!.message).toContain(`fleet approvals:approve ${pendingApprovalId}`);
    digest.stop();
  });
});
