/**
 * The project review (issue 9): facts from the workspace (tasks, panes and their history, approvals, plan runs,
 * git, tests), progress, bottlenecks, a forecast with its uncertainty, what changed since the last review, and
 * ranked next steps with the commands that do them. `fleet review` prints it; the palette command, the dashboard
 * and the daily digest take these exports.
 */
export type * from './types';
export { runReview, ruleHeadline, type ReviewOptions } from './review';
export { gatherFacts, type GatherOptions } from './gatherFacts';
export { findBottlenecks, measureProgress, dependentsOf, duration } from './bottlenecks';
export { forecast, completionTimes, remainingOrder } from './forecast';
export { recommendByRules, shellQuote } from './recommend';
export {
  compareWithLast,
  lastReviewFile,
  readLastReview,
  snapshotReview,
  writeLastReview,
  type LastReview,
} from './lastReview';
export {
  createReviewModel,
  reviewAnswerSchema,
  reviewModelInput,
  checkAnswer,
  type ReviewAnswer,
  type ReviewModelCall,
} from './modelReview';
export { renderMarkdown, renderText, reviewLangFromEnv, type ReviewLang } from './render';
export {
  digestNotification,
  nextDigestAt,
  startDigestScheduler,
  systemDigestClock,
  type DigestClock,
  type DigestScheduler,
} from './digest';
export { startReviewDigest } from './reviewDigest';
