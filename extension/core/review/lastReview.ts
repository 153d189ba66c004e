import * as path from 'node:path';
import { z } from 'zod';
import { ErrorCode, isFleetError } from '../errors';
import { readJson, writeJsonAtomic } from '../store/jsonStore';
import type { Bottleneck, Progress, ReviewFacts, SinceLast } from './types';

/**
 * What one review remembers for the next (`.fleetai/state/review/last.json`): each task's phase, each branch's
 * commits ahead, the bottlenecks' keys and the answered approvals. The next review compares with it to say what
 * changed "since the last review". A broken file is treated as no previous review, never fatal.
 */

export const REVIEW_STATE_DIR = 'review';
export const LAST_REVIEW_FILE = 'last.json';

export const LastReviewSchema = z.object({
  version: z.literal(1),
  at: z.string(),
  headline: z.string(),
  tasks: z.record(z.string(), z.string()),
  branches: z.record(z.string(), z.number()),
  bottlenecks: z.array(z.string()),
  approvalsAnswered: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type LastReview = z.infer<typeof LastReviewSchema>;

export function lastReviewFile(stateDir: string): string {
  return path.join(stateDir, REVIEW_STATE_DIR, LAST_REVIEW_FILE);
}

export async function readLastReview(stateDir: string): Promise<{ last?: LastReview; problem?: string }> {
  try {
    const last = await readJson(lastReviewFile(stateDir), LastReviewSchema);
    return last ? { last } : {};
  } catch (error) {
    if (isFleetError(error) && (error.code === ErrorCode.StoreParse || error.code === ErrorCode.StoreSchema))
      return { problem: `${error.message} (compared with nothing; the next review replaces it)` };
    throw error;
  }
}

export function snapshotReview(
  facts: ReviewFacts,
  progress: Progress,
  bottlenecks: readonly Bottleneck[],
  headline: string,
): LastReview {
  return {
    version: 1,
    at: facts.generatedAt,
    headline,
    tasks: Object.fromEntries(facts.tasks.map((t) => [t.id, t.phase])),
    branches: Object.fromEntries(facts.git.branches.map((b) => [b.branch, b.ahead])),
    bottlenecks: bottlenecks.map((b) => b.key),
    approvalsAnswered: facts.approvals.answeredCount,
    done: progress.tasks.done,
    total: progress.tasks.total,
  };
}

export function writeLastReview(stateDir: string, snapshot: LastReview): Promise<void> {
  return writeJsonAtomic(lastReviewFile(stateDir), LastReviewSchema.parse(snapshot));
}

export function compareWithLast(
  last: LastReview | undefined,
  facts: ReviewFacts,
  bottlenecks: readonly Bottleneck[],
): SinceLast {
  if (!last) {
    return {
      newlyDone: [],
      phaseChanges: [],
      newCommits: [],
      newBottlenecks: [],
      resolvedBottlenecks: [],
      approvalsAnswered: 0,
    };
  }
  const phaseChanges = facts.tasks
    .filter((t) => last.tasks[t.id] !== undefined && last.tasks[t.id] !== t.phase)
    .map((t) => ({ task: t.id, from: last.tasks[t.id]!, to: t.phase }));
  const keys = new Set(bottlenecks.map((b) => b.key));
  const before = new Set(last.bottlenecks);
  return {
    previousAt: last.at,
    newlyDone: facts.tasks.filter((t) => t.phase === 'DONE' && last.tasks[t.id] !== 'DONE').map((t) => t.id),
    phaseChanges,
    newCommits: facts.git.branches
      .map((b) => ({ branch: b.branch, commits: b.ahead - (last.branches[b.branch] ?? 0) }))
      .filter((b) => b.commits > 0),
    newBottlenecks: [...keys].filter((k) => !before.has(k)),
    resolvedBottlenecks: [...before].filter((k) => !keys.has(k)),
    approvalsAnswered: Math.max(0, facts.approvals.answeredCount - last.approvalsAnswered),
  };
}
