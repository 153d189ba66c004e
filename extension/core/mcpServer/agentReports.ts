import { ControlError } from '../control/controlServer';
import {
  approvalRequestParamsSchema,
  approvalWithdrawParamsSchema,
  paneNoteParamsSchema,
  paneReportParamsSchema,
  paneTaskParamsSchema,
  type REPORTED_STATES,
} from '../control/controlProtocol';
import type { Logger } from '../observability/appLog';
import type { PaneRegistry } from '../panes/paneRegistry';
import type { Orchestrator } from '../supervisor/orchestrator';
import { recordAction, type PaneMeta } from '../supervisor/paneMetadata';
import type { ApprovalRecordView, ApprovalsPort, NotifierPort } from '../supervisor/ports';

const CATEGORY = 'audit';

export interface AgentReport {
  state: (typeof REPORTED_STATES)[number];
  summary: string;
  progress?: number;
  at: string;
}

/**
 * The supervisor's side of FleetAI's MCP server: what an agent says about itself (report_status, add_note), what
 * it asks for (request_approval) and what it may read (get_task, list_tasks), answered on the control socket.
 * Reports land in the pane's recent actions (persisted with the supervisor state) and in the audit log; the latest
 * one per pane is also kept whole, so `fleet status --json` shows it next to the state FleetAI read itself.
 */
export function agentReports(options: {
  orchestrator: Pick<Orchestrator, 'metaFor' | 'tasks'>;
  registry: Pick<PaneRegistry, 'get'>;
  approvals: Pick<ApprovalsPort, 'request' | 'decide' | 'onDecided'>;
  log?: Pick<Logger, 'log'>;
  /** Where the supervisor's approval notifications go (the VS Code toast with Approve / Deny, the CLI's stderr). */
  notifier?: NotifierPort;
  now?: () => number;
}) {
  const { orchestrator, registry, approvals } = options;
  const now = (): string => new Date((options.now ?? Date.now)()).toISOString();
  const latestReports = new Map<string, AgentReport>();
  /** Requests still waited for, by the asker's key: withdrawing one ends its wait. */
  const waiting = new Map<string, () => void>();
  const audit = (event: string, context: Record<string, unknown>, level: 'info' | 'warn' = 'info'): void =>
    options.log?.log(level, CATEGORY, event, context);

  /** The pane's metadata; a pane FleetAI does not know cannot be reported on (a typo in FLEETAI_PANE_ID). */
  const metaOf = (pane: string): PaneMeta => {
    const meta = registry.get(pane) ? orchestrator.metaFor(pane) : undefined;
    if (!meta)
      throw new ControlError(
        'E_PANE_NOT_FOUND',
        `FleetAI supervises no agent pane "${pane}" (check --pane / FLEETAI_PANE_ID)`,
      );
    return meta;
  };

  return {
    latest(pane: string): { reported?: AgentReport } {
      const report = latestReports.get(pane);
      return report ? { reported: report } : {};
    },

    report(params: unknown): { pane: string; recorded: AgentReport } {
      const p = paneReportParamsSchema.parse(params);
      const meta = metaOf(p.pane);
      const report: AgentReport = {
        state: p.state,
        summary: p.summary,
        ...(p.progress !== undefined ? { progress: p.progress } : {}),
        at: now(),
      };
      latestReports.set(p.pane, report);
      recordAction(
        meta,
        'agent.report',
        `${p.state}${p.progress !== undefined ? ` ${p.progress}%` : ''}: ${p.summary}`,
        report.at,
      );
      audit('agent.report', { pane: p.pane, branch: meta.branch, ...report });
      return { pane: p.pane, recorded: report };
    },

    note(params: unknown): { pane: string; at: string } {
      const p = paneNoteParamsSchema.parse(params);
      const meta = metaOf(p.pane);
      const at = now();
      recordAction(meta, 'agent.note', p.text, at);
      audit('agent.note', { pane: p.pane, branch: meta.branch, text: p.text });
      return { pane: p.pane, at };
    },

    task(params: unknown) {
      const p = paneTaskParamsSchema.parse(params);
      const meta = metaOf(p.pane);
      const pane = registry.get(p.pane);
      const spec = orchestrator.tasks.taskForPane({
        id: p.pane,
        ...(pane?.branch ? { branch: pane.branch } : {}),
      });
      if (!spec) return { pane: p.pane, task: null, phase: meta.phase };
      return {
        pane: p.pane,
        phase: meta.phase,
        task: {
          ...spec,
          prompt: orchestrator.tasks.prompt(spec),
          status: orchestrator.tasks.statusOf(spec.id),
          waiting_on: orchestrator.tasks.waitingOn(spec.id),
        },
      };
    },

    tasks() {
      return orchestrator.tasks.list().map((t) => ({
        id: t.id,
        title: t.title,
        phase: t.status.phase,
        ...((t.status.pane ?? t.pane) ? { pane: t.status.pane ?? t.pane } : {}),
        ...(t.branch ? { branch: t.branch } : {}),
        ...(t.owner ? { owner: t.owner } : {}),
        depends_on: t.depends_on ?? [],
      }));
    },

    /**
     * Files the request in the approvals store (so the window, the CLI and webhooks see it like any other) and
     * waits for the first decision. Nobody deciding in time, or the asker withdrawing it (its tool call was
     * cancelled), expires it, so no one approves a question its agent stopped waiting for.
     */
    async requestApproval(params: unknown): Promise<{
      id: string;
      decision: NonNullable<ApprovalRecordView['decision']>;
      decidedBy?: string;
      message?: string;
    }> {
      const p = approvalRequestParamsSchema.parse(params);
      const meta = metaOf(p.pane);
      // Listening before filing: a decision made at once (a rule, a fast person) is not missed.
      const decided = new Map<string, ApprovalRecordView>();
      let wake: (() => void) | undefined;
      let withdrawn = false;
      if (p.key)
        waiting.set(p.key, () => {
          withdrawn = true;
          wake?.();
        });
      const subscription = approvals.onDecided((record) => {
        decided.set(record.id, record);
        wake?.();
      });
      try {
        const record = await approvals.request({
          pane: p.pane,
          ...(meta.branch ? { branch: meta.branch } : {}),
          agent: meta.agent,
          kind: 'other',
          command: p.action,
          reason: p.reason,
          risk: p.risk,
          reasons: [`asked by the agent through MCP: ${p.reason}`],
          source: 'agent',
        });
        recordAction(meta, 'agent.approval_requested', `${p.action} (${p.risk})`, now());
        audit('approval.requested', {
          id: record.id,
          pane: p.pane,
          branch: meta.branch,
          command: p.action,
          reason: p.reason,
          risk: p.risk,
          via: 'mcp',
        });
        options.notifier?.notify({
          severity: p.risk === 'critical' ? 'critical' : 'warning',
          title: `Approval needed (${p.risk})`,
          message: `${p.pane}${meta.branch ? ` (${meta.branch})` : ''} asks to: ${p.action} (${p.reason})`,
          pane: p.pane,
          ...(meta.branch ? { branch: meta.branch } : {}),
          approvalId: record.id,
          requires_confirmation: true,
        });
        const deadline = Date.now() + p.timeoutSeconds * 1000;
        while (!decided.has(record.id) && !withdrawn && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now())));
          });
        }
        let final = decided.get(record.id);
        if (!final) {
          const expired = await approvals.decide(record.id, 'expired', {
            by: 'rule',
            message: withdrawn
              ? 'the agent withdrew the request (its tool call was cancelled)'
              : `nobody decided within ${p.timeoutSeconds} s; the agent stopped waiting`,
          });
          // Decided in the last instant by someone else: that decision stands.
          final = expired.ok ? expired.record : decided.get(record.id);
        }
        const decision = final?.decision ?? 'expired';
        recordAction(meta, 'agent.approval_answered', `${p.action}: ${decision}`, now());
        return {
          id: record.id,
          decision,
          ...(final?.decidedBy ? { decidedBy: final.decidedBy } : {}),
          ...(final?.message ? { message: final.message } : {}),
        };
      } finally {
        if (p.key) waiting.delete(p.key);
        subscription.dispose();
      }
    },

    withdrawApproval(params: unknown): { withdrawn: boolean } {
      const p = approvalWithdrawParamsSchema.parse(params);
      const withdraw = waiting.get(p.key);
      withdraw?.();
      return { withdrawn: withdraw !== undefined };
    },
  };
}
