import type { Logger } from '../../observability/appLog';
import { appendOperationsEntry } from '../../observability/operationsLog';

export { operationsLogFile } from '../../observability/operationsLog';

/**
 * Seed 004 §4 asks that failed nodes be written to the log and to an operations log with a remedy: the app log
 * has the event, `.fleetai/operations-log.md` (observability/operationsLog.ts, shared with the supervisor) the
 * node, why, what was tried and what to do next.
 */
export interface FailedNodeEntry {
  planId: string;
  thread: string;
  node: string;
  title: string;
  error: string;
  attempts?: number;
  at: string;
}

/** What to do about a failure, from its words (the executor's own messages and codes). */
export function remedyFor(error: string, thread: string): string {
  const resume = `then \`fleet run:auto PLAN_FILE --resume ${thread}\` / 然后 \`fleet run:auto PLAN_FILE --resume ${thread}\``;
  if (error.includes('denied by the risk rules'))
    return `The command is denied by the risk rules (defaults or orchestrator.json approvals.deny): change the plan's command, or the rules if it is safe / 命令被风险规则拒绝：修改计划中的命令，或在确认安全后调整规则; re-plan with \`fleet plan:design --from-run ${thread}\`.`;
  if (error.includes('denied (request') || error.includes('已拒绝'))
    return `A person denied the approval: re-plan without this step (\`fleet plan:design --from-run ${thread}\`) or run it again for a new decision / 审批被拒绝：重新规划，或重新运行以再次申请审批.`;
  if (error.includes('E_PLAN_NODE_UNSUPPORTED'))
    return `This node kind needs a part that is not connected here (agents or MCP): run the plan where the supervisor runs / 此类节点需要未接入的组件，请在 supervisor 运行处执行.`;
  if (/timed? ?out|timeout|aborted/i.test(error))
    return `It ran out of time: raise the node's timeoutSeconds or find what hangs, ${resume}.`;
  return `Fix the cause shown above (see the node's output with \`fleet plan:status ${thread}\`), ${resume}.`;
}

/** Appends one entry; failures to write are returned (and logged), never thrown: the run does not depend on it. */
export async function appendFailedNode(
  workspace: string,
  entry: FailedNodeEntry,
  log?: Logger,
): Promise<Error | undefined> {
  const tried =
    entry.attempts === undefined
      ? []
      : entry.attempts === 0
        ? ['not run: stopped before its first attempt / 未运行']
        : [`${entry.attempts} attempt(s), retried with backoff / 共尝试 ${entry.attempts} 次（退避重试）`];
  return appendOperationsEntry(
    workspace,
    {
      at: entry.at,
      subject: `${entry.planId} / ${entry.node}`,
      title: 'failed / 失败',
      facts: { run: `\`${entry.thread}\``, node: `\`${entry.node}\` (${entry.title})` },
      happened: `error: ${entry.error.slice(0, 500)}`,
      tried,
      todo: `remedy / 补救: ${remedyFor(entry.error, entry.thread)}`,
    },
    log,
  );
}
