import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Seed 004 §4 asks that failed nodes be written to the log and to an operations log with a remedy. The app log
 * has the event; this Markdown file is for the person who fixes it: which node, why, and what to do next.
 * It lives with FleetAI's logs (`.fleetai/logs/operations-log.md`), not in another tool's folder.
 */
export function operationsLogFile(workspace: string): string {
  return path.join(workspace, '.fleetai', 'logs', 'operations-log.md');
}

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

/** Appends one entry; failures to write are returned, never thrown (the run's outcome does not depend on it). */
export async function appendFailedNode(
  workspace: string,
  entry: FailedNodeEntry,
): Promise<Error | undefined> {
  const file = operationsLogFile(workspace);
  const lines = [
    `## ${entry.at} — ${entry.planId} / ${entry.node} failed`,
    '',
    `- run: \`${entry.thread}\``,
    `- node: \`${entry.node}\` (${entry.title})${entry.attempts !== undefined ? `, attempts: ${entry.attempts}` : ''}`,
    `- error: ${entry.error.replace(/\s+/g, ' ').slice(0, 500)}`,
    `- remedy / 补救: ${remedyFor(entry.error, entry.thread)}`,
    '',
  ];
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.appendFile(file, `${lines.join('\n')}\n`);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
