import { z } from 'zod';
import { createStructuredModel, type ModelResult } from '../decisions/modelDecider';
import type { ModelSettings } from '../decisions/modelSettings';
import type { Logger } from '../observability/appLog';
import { clip } from './bottlenecks';
import type { Bottleneck, Forecast, Progress, Recommendation, ReviewFacts, SinceLast } from './types';

/**
 * The review's next steps through a model (when one is configured): the facts, summarised, go in; ranked
 * recommendations come out as a structured answer (zod), checked against the facts (a pane, task or approval
 * the model names must exist, and each command must be a `fleet` or `git` line). An answer that fails any check,
 * or no answer, leaves the rules' recommendations in place with a note saying why (see `review.ts`).
 */

const ACTIONS = [
  'start_supervisor',
  'answer_approval',
  'nudge_pane',
  'unblock_pane',
  'split_task',
  'replan',
  'fix_tests',
  'unblock_dependency',
  'merge_branch',
  'other',
] as const;

// Nullable rather than optional: OpenAI's strict structured outputs list every property (see decisionSchema.ts).
export const reviewAnswerSchema = z
  .object({
    headline: z.string().min(1).describe('One sentence a lead engineer opens the review with'),
    recommendations: z
      .array(
        z.object({
          action: z.enum(ACTIONS),
          title: z.string().min(1),
          reason: z.string().min(1),
          command: z.string().min(1).describe('The exact `fleet ...` (or git) command line that does it'),
          pane: z.string().nullish(),
          task: z.string().nullish(),
          approval_id: z.string().nullish(),
        }),
      )
      .min(1)
      .max(10)
      .describe('Next steps, most useful first'),
  })
  .describe('fleetai:review - ranked next steps for a fleet of coding agents, from a project review');
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;

export const REVIEW_INSTRUCTIONS = [
  'You are the lead engineer of a team of AI coding agents (panes) supervised by FleetAI.',
  'You get a JSON summary of the project: tasks and their phases, panes and their states, pending approvals,',
  "plan runs, git branches, test results, bottlenecks found by rules, a forecast, and the rules' own suggested",
  'steps (rule_recommendations). Give the next steps, most useful first: concrete, naming the pane, task or',
  'approval, each with a short reason and the exact command. Use only these commands: `fleet approvals:approve ID`,',
  '`fleet approvals:deny ID --reason "..."`, `fleet send PANE "..."`, `fleet unblock PANE`, `fleet status`,',
  '`fleet orchestrator`,',
  '`fleet plan:design "..." --save`, `fleet plan:design --from-run THREAD`, `git merge --no-ff BRANCH`.',
  'Use only pane, task and approval ids that appear in the input. Never suggest anything destructive.',
].join('\n');

/** The facts as the model reads them: short, the worst first, no transcripts. */
export function reviewModelInput(input: {
  facts: ReviewFacts;
  progress: Progress;
  bottlenecks: readonly Bottleneck[];
  forecast: Forecast;
  sinceLast: SinceLast;
  rules: readonly Recommendation[];
}): string {
  const { facts } = input;
  return JSON.stringify({
    generated_at: facts.generatedAt,
    supervisor: facts.supervisor,
    progress: input.progress,
    since_last_review: input.sinceLast,
    tasks: facts.tasks.map((t) => ({
      id: t.id,
      title: clip(t.title, 120),
      phase: t.phase,
      pane: t.pane ?? null,
      branch: t.branch ?? null,
      waiting_on: t.waitingOn,
      blockers: t.blockers.map((b) => `${b.kind}: ${clip(b.reason, 100)}`),
    })),
    panes: facts.panes.map((p) => ({
      id: p.pane,
      state: p.state ?? null,
      state_since: p.stateSince ?? null,
      task: p.task ?? null,
      failure_streak: p.failureStreak,
      stalls: p.stalls,
    })),
    pending_approvals: facts.approvals.pending.slice(0, 10).map((a) => ({
      id: a.id,
      pane: a.pane,
      command: a.command ? clip(a.command, 120) : null,
      risk: a.risk,
      waited_seconds: a.waitSeconds,
    })),
    plan_runs: facts.plans.slice(0, 10).map((r) => ({
      plan: r.planId,
      thread: r.thread,
      status: r.status,
      failed_nodes: r.failedNodes.map((n) => n.node),
    })),
    branches: facts.git.branches.slice(0, 15),
    tests: facts.tests.map((t) => ({ task: t.task ?? null, command: t.command, result: t.result })),
    bottlenecks: input.bottlenecks.slice(0, 12).map((b) => ({ kind: b.kind, summary: b.summary })),
    forecast: { note: input.forecast.note, overall: input.forecast.overall ?? null },
    rule_recommendations: input.rules.map((r) => ({
      action: r.action,
      title: r.title,
      reason: r.reason,
      command: r.command,
      pane: r.pane ?? null,
      task: r.task ?? null,
      approval_id: r.approvalId ?? null,
    })),
  });
}

/** Problems of an answer against the facts; empty when it can be shown. */
export function checkAnswer(answer: ReviewAnswer, facts: ReviewFacts): string[] {
  const panes = new Set(facts.panes.map((p) => p.pane));
  const tasks = new Set(facts.tasks.map((t) => t.id));
  const approvals = new Set(facts.approvals.pending.map((a) => a.id));
  const problems: string[] = [];
  answer.recommendations.forEach((r, i) => {
    const at = `recommendations[${i}]`;
    if (r.pane && !panes.has(r.pane)) problems.push(`${at}.pane: no pane "${r.pane}"`);
    if (r.task && !tasks.has(r.task)) problems.push(`${at}.task: no task "${r.task}"`);
    if (r.approval_id && !approvals.has(r.approval_id))
      problems.push(`${at}.approval_id: no pending approval "${r.approval_id}"`);
    if (!/^(fleet|git) /.test(r.command.trim()))
      problems.push(`${at}.command: not a fleet or git command line`);
  });
  return problems;
}

export function recommendationsFromAnswer(answer: ReviewAnswer): Recommendation[] {
  return answer.recommendations.map((r, i) => ({
    rank: i + 1,
    action: r.action,
    title: r.title,
    reason: r.reason,
    command: r.command.trim(),
    ...(r.pane ? { pane: r.pane } : {}),
    ...(r.task ? { task: r.task } : {}),
    ...(r.approval_id ? { approvalId: r.approval_id } : {}),
  }));
}

export interface ReviewModelCall {
  readonly name: string;
  call(request: { instructions: string; input: string }): Promise<ModelResult<ReviewAnswer>>;
}

/**
 * The configured endpoint as the review's model: the decider's structured calls (the SDK loads on the first
 * call, tracing off), with the review schema.
 */
export function createReviewModel(settings: ModelSettings, options: { log: Logger }): ReviewModelCall {
  const model = createStructuredModel(settings, options);
  return {
    name: settings.model,
    call: (request) =>
      model.call(
        'review',
        () => request,
        reviewAnswerSchema,
        (value) => ({ value }),
      ),
  };
}
