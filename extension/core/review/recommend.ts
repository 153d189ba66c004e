import { clip, duration } from './bottlenecks';
import type { Bottleneck, Recommendation, ReviewFacts } from './types';

/**
 * Next steps by rules: one per bottleneck, worst first, each with why and the exact command that does it. The
 * commands are `fleet ...` lines run from the workspace folder (or git for a merge), so a person can paste them.
 * One step per pane and action: three bottlenecks on one pane want one nudge, not three.
 */

export const MAX_RECOMMENDATIONS = 8;

/** A double-quoted shell word: what `fleet send PANE "..."` needs, with `"`, `$`, backquote and `\` escaped. */
export function shellQuote(text: string): string {
  return `"${text.replace(/(["$`\\])/g, '\\$1')}"`;
}

export function recommendByRules(facts: ReviewFacts, bottlenecks: readonly Bottleneck[]): Recommendation[] {
  const out: Omit<Recommendation, 'rank'>[] = [];
  const seen = new Set<string>();
  const add = (step: Omit<Recommendation, 'rank'>): void => {
    const key = `${step.action}:${step.pane ?? step.task ?? step.approvalId ?? step.command}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(step);
  };
  const taskById = (id: string | undefined) => facts.tasks.find((t) => t.id === id);
  const holding = (b: Bottleneck): string =>
    b.holds?.length
      ? `; ${b.holds.length} task${b.holds.length === 1 ? '' : 's'} wait on it (${b.holds.join(', ')})`
      : '';

  for (const b of bottlenecks) {
    const task = taskById(b.task);
    switch (b.kind) {
      case 'supervisor_down': {
        add({
          action: 'start_supervisor',
          title: 'Start the supervisor',
          reason: `${capital(b.summary)}: the agents get no nudges, recoveries or answers. Open the workspace in VS Code, or run it headless.`,
          command: 'fleet orchestrator',
        });
        break;
      }
      case 'approval_wait': {
        const approval = facts.approvals.pending.find((a) => a.id === b.approvalId);
        add({
          action: 'answer_approval',
          title: `Answer approval ${b.approvalId} on pane ${b.pane} (waiting ${duration(b.seconds ?? 0)})`,
          reason:
            `The agent is stopped until someone answers` +
            `${approval?.command ? `: it wants to run \`${clip(approval.command, 80)}\` (${approval.risk} risk)` : ''}` +
            `${holding(b)}. Deny it with \`fleet approvals:deny ${b.approvalId} --reason "..."\` if it should not run.`,
          command: `fleet approvals:approve ${b.approvalId}`,
          ...(b.pane ? { pane: b.pane } : {}),
          ...(b.task ? { task: b.task } : {}),
          ...(b.approvalId ? { approvalId: b.approvalId } : {}),
        });
        break;
      }
      case 'idle_agent':
      case 'stall': {
        if (!b.pane) break;
        // An exited agent cannot read a nudge: the supervisor restarts it, or a person looks at why it could not.
        if (facts.panes.find((p) => p.pane === b.pane)?.state === 'exited') {
          add({
            action: 'other',
            title: `Find out why pane ${b.pane} exited and was not restarted`,
            reason: `${capital(b.summary)}${holding(b)}. Its restarts may have failed (see the pane's blockers).`,
            command: 'fleet status',
            pane: b.pane,
            ...(task ? { task: task.id } : {}),
          });
          break;
        }
        const message = task
          ? `Continue with task ${task.id}: ${task.title}.${task.acceptanceCommand ? ` It is done when \`${task.acceptanceCommand}\` passes.` : ''} Say what blocks you if something does.`
          : 'You seem to have stopped. Continue, or say what blocks you.';
        add({
          action: 'nudge_pane',
          title: `Nudge pane ${b.pane}${task ? ` on task ${task.id}` : ''}`,
          reason: `${capital(b.summary)}${holding(b)}.`,
          command: `fleet send ${b.pane} ${shellQuote(message)}`,
          pane: b.pane,
          ...(task ? { task: task.id } : {}),
        });
        break;
      }
      case 'blocked_task':
      case 'failing_commands': {
        if (!b.pane) {
          add({
            action: 'unblock_dependency',
            title: `Look at blocked task ${b.task}`,
            reason: `${capital(b.summary)}${holding(b)}; no pane works on it.`,
            command: 'fleet status',
            ...(b.task ? { task: b.task } : {}),
          });
          break;
        }
        add({
          action: 'unblock_pane',
          title: `Fix what blocks pane ${b.pane}, then unblock it`,
          reason: `${capital(b.summary)}${holding(b)}. FleetAI stopped retrying; once the cause is fixed, unblocking lets recovery start over.`,
          command: `fleet unblock ${b.pane}`,
          pane: b.pane,
          ...(b.task ? { task: b.task } : {}),
        });
        break;
      }
      case 'dependency_chain': {
        if (!task) break;
        // Something else already stops that pane (an approval, a stall, a blocker): its own step frees the chain.
        if (
          task.pane &&
          bottlenecks.some((o) => o !== b && o.pane === task.pane && o.kind !== 'long_running_task')
        )
          break;
        if (task.pane) {
          add({
            action: 'unblock_dependency',
            title: `Push task ${task.id} first: ${b.holds?.length ?? 0} task(s) wait on it`,
            reason: `${capital(b.summary)}. Finishing it frees the chain.`,
            command: `fleet send ${task.pane} ${shellQuote(`Task ${task.id} (${task.title}) blocks ${b.holds?.join(', ') ?? 'other tasks'}: finish it first and report when its acceptance passes.`)}`,
            pane: task.pane,
            task: task.id,
          });
        } else {
          add({
            action: 'unblock_dependency',
            title: `Give task ${task.id} a pane: ${b.holds?.length ?? 0} task(s) wait on it`,
            reason: `${capital(b.summary)}, and no pane works on it. Set tasks[].pane for ${task.id} in .fleetai/orchestrator.json, then check the board.`,
            command: 'fleet status',
            task: task.id,
          });
        }
        break;
      }
      case 'long_running_task': {
        if (!task) break;
        add({
          action: 'split_task',
          title: `Split task ${task.id}: EXECUTING for ${duration(b.seconds ?? 0)}`,
          reason: `A task this long is usually too big for one agent; smaller steps with their own acceptance make progress visible and stalls cheaper.`,
          command: `fleet plan:design ${shellQuote(`Split task ${task.id}: ${task.title} into smaller steps with their own acceptance checks`)} --save`,
          task: task.id,
          ...(task.pane ? { pane: task.pane } : {}),
        });
        break;
      }
      case 'failed_plan': {
        const run = facts.plans.find((r) => b.key === `plan:${r.planId}:${r.thread}`);
        if (!run) break;
        add({
          action: 'replan',
          title: `Re-plan ${run.planId}: run ${run.thread} failed`,
          reason: `${capital(b.summary)}. A re-plan keeps the nodes already done and designs the rest again.`,
          command: `fleet plan:design --from-run ${run.thread}`,
        });
        break;
      }
      case 'failing_tests': {
        const test = facts.tests.find((t) => t.result === 'failed' && t.task === b.task);
        if (!test) break;
        add({
          action: 'fix_tests',
          title: `Fix the failing \`${clip(test.command, 40)}\`${test.task ? ` of task ${test.task}` : ''}`,
          reason: `${capital(b.summary)}: ${clip(test.tail.split('\n').slice(-2).join(' '), 160)}`,
          command: b.pane
            ? `fleet send ${b.pane} ${shellQuote(`\`${test.command}\` fails. Find the cause, fix it and run it again until it passes.`)}`
            : test.command,
          ...(b.pane ? { pane: b.pane } : {}),
          ...(test.task ? { task: test.task } : {}),
        });
        break;
      }
    }
  }

  // Finished work waiting to land: after the problems, since nothing is stuck on it yet.
  if (facts.git.base) {
    for (const task of facts.tasks) {
      if (task.phase !== 'DONE' || !task.branch) continue;
      const branch = facts.git.branches.find((br) => br.branch === task.branch);
      if (!branch || branch.ahead === 0) continue;
      add({
        action: 'merge_branch',
        title: `Review and merge ${branch.branch} (task ${task.id} is done)`,
        reason:
          `${branch.ahead} commit${branch.ahead === 1 ? '' : 's'} ahead of ${facts.git.base}, ` +
          `+${branch.insertions}/-${branch.deletions} lines; read \`git diff ${facts.git.base}...${branch.branch}\`, ` +
          `then merge it from ${facts.git.base} before it drifts.`,
        command: `git merge --no-ff ${branch.branch}`,
        task: task.id,
      });
    }
  }
  return out.slice(0, MAX_RECOMMENDATIONS).map((step, i) => ({ rank: i + 1, ...step }));
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
