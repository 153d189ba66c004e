import { describeError } from '../errors';
import type { ApprovalDecision } from '../panes/types';
import { CATEGORY, type SupervisorContext } from './context';
import { recordAction, setBlocker } from './paneMetadata';
import type { ApprovalRecordView, FleetPaneView } from './ports';
import { stricter } from './riskOrder';

const APPROVAL_SETTLE_MS = 600;

/**
 * Approvals asked by agents (a prompt on their screen or a protocol request): decided by the rules (a model
 * judge may only tighten them), or filed for a person and notified; the decision, from whichever process made
 * it, is audited once and carried to the agent, or to the command queue for FleetAI's own commands.
 */
export class AgentApprovals {
  /**
   * Approval request id per pane for the agent's prompt on screen now ('pending' while it is being filed,
   * `rule:<decision>` when the rules decided, `done:<id>` once a decision was carried out).
   */
  private readonly onScreen = new Map<string, string>();
  private readonly auditedDecisions = new Set<string>();

  constructor(private readonly ctx: SupervisorContext) {}

  async onAgentApproval(first: FleetPaneView): Promise<void> {
    if (this.onScreen.has(first.id)) return;
    this.onScreen.set(first.id, 'pending');
    let pane = first;
    // A prompt is drawn over a few frames (the title first, the command a moment later): give it that moment.
    if (!pane.state.approval?.command) {
      await new Promise((r) => setTimeout(r, APPROVAL_SETTLE_MS));
      const now = this.ctx.fleet.get(first.id);
      if (!now || now.state.name !== 'awaiting_approval') {
        this.onScreen.delete(first.id);
        return;
      }
      pane = now;
    }
    const request = pane.state.approval;
    const kind = request?.kind ?? 'other';
    const text = request?.command ?? '';
    // A command prompt whose command could not be read is judged as unknown (medium), never as an empty command.
    let verdict = this.ctx.classify({
      text,
      kind: text ? 'command' : kind === 'command' ? 'other' : kind,
      cwd: pane.cwd,
    });
    if (this.ctx.decider && this.ctx.settings.approvals.modelJudge && verdict.decision !== 'deny') {
      // The model may only make a decision stricter; a failing judge fails closed (a human decides).
      const judged = await this.ctx.decider.judgeRisk({
        command: text || `(${kind} request) ${request?.reason ?? ''}`,
        baseline: verdict.risk,
        cwd: pane.cwd,
        agent: pane.kind,
        pane: pane.id,
      });
      if (!judged.ok) {
        verdict = {
          ...verdict,
          reasons: [...verdict.reasons, `model judge failed (${judged.error.code}): a human decides`],
          decision: 'ask',
        };
      } else {
        const risk = stricter(verdict.risk, judged.value.risk);
        if (risk !== verdict.risk)
          verdict = {
            risk,
            reasons: [...verdict.reasons, `model judged ${risk}: ${judged.value.reason}`],
            decision: 'ask',
          };
      }
    }
    const subject = {
      pane: pane.id,
      branch: pane.branch,
      agent: pane.kind,
      command: text,
      kind,
      risk: verdict.risk,
    };
    // The prompt may have closed while the judge thought (answered in the terminal): nothing left to decide.
    if (this.onScreen.get(pane.id) !== 'pending') return;
    if (verdict.decision === 'auto' || verdict.decision === 'deny') {
      const decision: ApprovalDecision = verdict.decision === 'auto' ? 'approve' : 'deny';
      this.onScreen.set(pane.id, `rule:${decision}`);
      this.ctx.audit('approval.decided', {
        ...subject,
        decision,
        decidedBy: 'rule',
        reasons: verdict.reasons,
        result: this.ctx.settings.dryRun ? 'dry_run' : 'applied',
      });
      if (!this.ctx.settings.dryRun) await this.applyDecision(pane.id, decision, undefined, 'rule');
      return;
    }
    const record = await this.ctx.approvals.request({
      pane: pane.id,
      ...(pane.branch ? { branch: pane.branch } : {}),
      agent: pane.kind,
      kind,
      ...(text ? { command: text } : {}),
      ...(request?.reason ? { reason: request.reason } : {}),
      risk: verdict.risk,
      reasons: verdict.reasons,
      source: 'agent',
      transcriptExcerpt: this.ctx.fleet.screen(pane.id).filter(Boolean).slice(-15).join('\n'),
    });
    if (this.onScreen.get(pane.id) !== 'pending') {
      // Filed for a prompt that closed meanwhile: close the request too, nobody must answer it.
      await this.ctx.approvals.decide(record.id, 'expired', {
        by: 'terminal',
        message: 'the prompt closed before it was filed',
      });
      return;
    }
    this.onScreen.set(pane.id, record.id);
    const meta = this.ctx.ensureMeta(pane);
    setBlocker(
      meta,
      { kind: 'approval', reason: `waiting for a decision on ${text || kind} (${verdict.risk})`, retries: 0 },
      this.ctx.iso(),
    );
    this.ctx.audit('approval.requested', { ...subject, id: record.id, reasons: verdict.reasons });
    this.ctx.notifier.notify({
      severity: verdict.risk === 'critical' ? 'critical' : 'warning',
      title: `Approval needed (${verdict.risk})`,
      message: `${pane.id}${pane.branch ? ` (${pane.branch})` : ''} wants to ${text ? `run: ${text}` : `make ${kind === 'edit' ? 'edits' : 'a change'}`}`,
      pane: pane.id,
      ...(pane.branch ? { branch: pane.branch } : {}),
      approvalId: record.id,
      requires_confirmation: true,
    });
    this.ctx.updatePhase(meta);
    this.ctx.changed();
  }

  /** The prompt left the screen: answered in the terminal by a person, or by us. A pending request expires. */
  async agentApprovalGone(pane: FleetPaneView): Promise<void> {
    const id = this.onScreen.get(pane.id);
    this.onScreen.delete(pane.id);
    const meta = this.ctx.ensureMeta(pane);
    meta.blockers = meta.blockers.filter((b) => b.kind !== 'approval');
    if (!id || id.startsWith('rule:') || id.startsWith('done:') || id === 'pending') return;
    const result = await this.ctx.approvals.decide(id, 'expired', {
      by: 'terminal',
      message: 'answered in the terminal',
    });
    if (result.ok)
      this.ctx.audit('approval.expired', {
        pane: pane.id,
        branch: pane.branch,
        id,
        reason: 'the prompt closed before a decision arrived',
      });
  }

  /** A decision made by anyone, in this process or another: audited once, then carried out. */
  async onApprovalDecided(record: ApprovalRecordView): Promise<void> {
    if (!record.decision || record.decision === 'expired') return;
    if (this.auditedDecisions.has(record.id)) return;
    this.auditedDecisions.add(record.id);
    this.ctx.audit('approval.decided', {
      id: record.id,
      pane: record.pane,
      branch: this.ctx.fleet.get(record.pane)?.branch,
      command: record.command,
      decision: record.decision,
      decidedBy: record.decidedBy,
      ...(record.message ? { message: record.message } : {}),
      source: record.source,
    });
    if (record.source === 'fleet') {
      const approved = record.decision === 'approve' || record.decision === 'approve_for_session';
      if (this.ctx.queue.decided(record.id, approved, record.decidedBy ?? 'someone', record.message)) {
        this.ctx.audit('approval.applied', {
          id: record.id,
          pane: record.pane,
          decision: record.decision,
          decidedBy: record.decidedBy,
          via: 'queue',
        });
      }
      return;
    }
    if (this.onScreen.get(record.pane) !== record.id) return;
    this.onScreen.set(record.pane, `done:${record.id}`);
    if (this.ctx.settings.dryRun) {
      this.ctx.audit('approval.applied', {
        id: record.id,
        pane: record.pane,
        decision: record.decision,
        decidedBy: record.decidedBy,
        result: 'dry_run',
      });
      return;
    }
    await this.applyDecision(
      record.pane,
      record.decision,
      record.message,
      record.decidedBy ?? 'someone',
      record.id,
    );
  }

  /** Requests nobody answered in time are declined: the agent is told no, a queued command is dropped. */
  async expireApprovals(): Promise<void> {
    const expired = await this.ctx.approvals
      .expire(this.ctx.settings.approvals.expireMs)
      .catch((error: unknown) => {
        this.ctx.log.warn(CATEGORY, 'approvals.expire.failed', { error: describeError(error) });
        return [];
      });
    for (const record of expired) {
      this.ctx.audit(
        'approval.expired',
        { id: record.id, pane: record.pane, command: record.command, reason: 'no answer in time' },
        'warn',
      );
      if (record.source === 'fleet') {
        this.ctx.queue.decided(record.id, false, 'expiry', 'no answer in time');
      } else if (this.onScreen.get(record.pane) === record.id) {
        this.onScreen.set(record.pane, `done:${record.id}`);
        if (!this.ctx.settings.dryRun)
          await this.applyDecision(record.pane, 'deny', undefined, 'expiry', record.id);
      }
    }
  }

  private async applyDecision(
    paneId: string,
    decision: ApprovalDecision,
    message: string | undefined,
    by: string,
    id?: string,
  ): Promise<void> {
    const pane = this.ctx.fleet.get(paneId);
    const applied = await this.ctx.fleet.answerApproval(paneId, decision, message).catch((error: unknown) => {
      this.ctx.audit('approval.apply.failed', { pane: paneId, id, error: describeError(error) }, 'error');
      return undefined;
    });
    const meta = pane ? this.ctx.ensureMeta(pane) : undefined;
    if (meta) {
      meta.blockers = meta.blockers.filter((b) => b.kind !== 'approval');
      recordAction(
        meta,
        'approval',
        `${decision} by ${by}${applied ? ` via ${applied.via}` : ' (prompt already gone)'}`,
        this.ctx.iso(),
      );
      this.ctx.updatePhase(meta);
    }
    this.ctx.audit('approval.applied', {
      id,
      pane: paneId,
      branch: pane?.branch,
      decision,
      decidedBy: by,
      via: applied?.via ?? 'none',
    });
    this.ctx.changed();
  }
}
