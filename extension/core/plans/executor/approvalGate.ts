import type { ApprovalStore } from '../../approvals';
import type { PlanNode } from '../planSchema';

export type GateAnswer =
  | { state: 'approved' | 'denied'; requestId: string; decision: string }
  | {
      state: 'pending';
      requestId: string;
    };

/**
 * Files a plan node's approval request in the workspace ApprovalStore, once per run, node and loop pass: the
 * request carries the run (`agent: plan-run:<thread>`) and the node pass (`channelHint`), and an existing one is
 * looked up before a new one is filed. So a node re-entered after a crash or a resume finds its request (and
 * the decision) instead of asking twice.
 */
export async function approvalFor(
  store: ApprovalStore,
  request: { planId: string; thread: string; node: PlanNode; passKey: string },
): Promise<GateAnswer> {
  const agent = `plan-run:${request.thread}`;
  const matches = (record: { agent: string; channelHint?: string }): boolean =>
    record.agent === agent && record.channelHint === request.passKey;
  const decided = (await store.completed()).find(matches);
  if (decided) {
    const approved = decided.decision === 'approve' || decided.decision === 'approve_for_session';
    return { state: approved ? 'approved' : 'denied', requestId: decided.id, decision: decided.decision };
  }
  const waiting = (await store.pending()).find(matches);
  if (waiting) return { state: 'pending', requestId: waiting.id };
  const { node } = request;
  const command =
    node.type === 'local_task' && node.action.kind === 'command'
      ? [node.action.command, ...node.action.args].join(' ')
      : node.type === 'local_task' && node.action.kind === 'script'
        ? node.action.script
        : undefined;
  const filed = await store.request({
    pane: `plan:${request.planId}`,
    agent,
    kind: command !== undefined ? 'command' : 'other',
    ...(command !== undefined ? { command } : {}),
    reason:
      node.type === 'human_approval'
        ? `${node.title}: ${node.question}`
        : node.type === 'mcp_tool'
          ? `${node.title}: MCP ${node.server}/${node.tool} ${JSON.stringify(node.arguments).slice(0, 300)}`
          : node.title,
    risk: node.riskLevel,
    reasons: [`plan ${request.planId}, node ${node.id} / 计划 ${request.planId}，节点 ${node.id}`],
    source: 'fleet',
    channelHint: request.passKey,
    ...(node.type === 'human_approval' && node.details ? { transcriptExcerpt: node.details } : {}),
  });
  return { state: 'pending', requestId: filed.id };
}
