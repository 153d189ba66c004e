import type { Logger } from '../observability/appLog';
import type { NotifierPort } from '../supervisor/ports';
import { describeError } from '../errors';
import { digestNotification, startDigestScheduler, type DigestClock, type DigestScheduler } from './digest';
import { runReview } from './review';

/**
 * What the headless orchestrator starts when `review.digest_time` is set: every day at that time a review of the
 * workspace (rules and the configured model, no test runs) goes to the notifier as the daily digest.
 */
export function startReviewDigest(options: {
  workspace: string;
  digestTime: string;
  notifier: NotifierPort;
  log: Logger;
  clock?: DigestClock;
}): DigestScheduler {
  const { log } = options;
  const scheduler = startDigestScheduler({
    digestTime: options.digestTime,
    ...(options.clock ? { clock: options.clock } : {}),
    run: async () => {
      const review = await runReview({ workspace: options.workspace, log });
      options.notifier.notify(digestNotification(review));
      log.info('review', 'review.digest', {
        recommendations: review.recommendations.length,
        source: review.source.kind,
      });
    },
    onError: (error) => log.error('review', 'review.digest.failed', { error: describeError(error) }),
  });
  log.info('review', 'review.digest.scheduled', { at: scheduler.next?.toISOString() });
  return scheduler;
}
