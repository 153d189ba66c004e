import {
  CommandQueue,
  type CommandRequest,
  type QueueEvent,
  type RiskVerdict,
} from '../commands/commandQueue';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { Disposable } from '../panes/events';
import type { ApprovalDecision, PaneState, PaneStateEvent } from '../panes/types';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fingerprint } from './loopDetector';
import {
  emptySupervisorState,
  metaKey,
  newPaneMeta,
  recordAction,
  setBlocker,
  SUMMARIES_KEPT,
  type PaneMeta,
  type Phase,
  type Risk,
  type SupervisorState,
} from './paneMetadata';
import type {
  ApprovalRecordView,
  ApprovalsPort,
  DeciderPort,
  FleetPaneView,
  FleetPort,
  NotifierPort,
} from './ports';
import { checkLoop, planRecovery, type RecoveryStep } from './recoveryPolicy';
import { nextActionsFromRules } from './ruleAdvice';
import type { SupervisorSettings } from './settings';
import { TaskBoard, type TaskSpec } from './taskBoard';

const AUDIT = 'audit';
const CATEGORY = 'supervisor';
const ACTION_KEYS_KEPT = 12;
const APPROVAL_SETTLE_MS = 600;

export interface StateStorePort {
  load(): Promise<SupervisorState | undefined>;
  save(state: SupervisorState): Promise<void>;
}

export interface OrchestratorOptions {
  fleet: FleetPort;
  approvals: ApprovalsPort;
  notifier: NotifierPort;
  store: StateStorePort;
  log: Logger;
  settings: SupervisorSettings;
  /** Classifies a command or an agent's approval request by the approval rules. */
  classify(input: {
    text: string;
    kind: 'command' | 'edit' | 'other' | 'prompt' | 'shell';
    cwd: string;
  }): RiskVerdict;
  decider?: DeciderPort;
  tasks?: TaskSpec[];
  workspaceRoot: string;
  now?: () => number;
  random?: () => number;
}

const RISK_ORDER: Risk[] = ['low', 'medium', 'high', 'critical'];
const stricter = (a: Risk, b: Risk | undefined): Risk =>
  b && RISK_ORDER.indexOf(b) > RISK_ORDER.indexOf(a) ? b : a;

/**
 * The always-on supervisor (seeds 000, 003): reacts to every pane state change and to a periodic tick; recovers
 * stalled, failing and exited agents by the recovery policies; queues commands behind approvals; carries
 * decisions to the agents; keeps each pane's metadata and a heartbeat in `.fleetai/state/supervisor.json`; and
 * writes every action to the audit trail. Works without a model (rules); a model, when configured, adds next
 * actions and summaries.
 */
export class Orchestrator {
  readonly queue: CommandQueue;
  private taskBoard: TaskBoard;
  private state: SupervisorState = emptySupervisorState();
  private readonly subscriptions: Disposable[] = [];
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Approval request id per pane for the agent's prompt on screen now. */
  private readonly agentApprovals = new Map<string, string>();
  /** Logged waits, so a backoff is audited once per spell rather than at every tick. */
  private readonly announcedWaits = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly auditedDecisions = new Set<string>();
  private readonly askingModel = new Set<string>();
  private readonly decomposing = new Set<string>();
  private readonly summarizing = new Set<string>();
  private readonly lastSummaryAt = new Map<string, string>();
  /** When FleetAI last interrupted or nudged a pane: the interruption it causes is not the end of a command. */
  private readonly lastNudgeAt = new Map<string, number>();
  private lastLoggedHeartbeat = 0;
  private started = false;
  private readonly now: () => number;

  constructor(private readonly options: OrchestratorOptions) {
    this.now = options.now ?? Date.now;
    this.taskBoard = new TaskBoard(options.tasks ?? [], this.state.tasks, options.workspaceRoot);
    this.queue = this.createQueue();
  }

  get tasks(): TaskBoard {
    return this.taskBoard;
  }

  get settings(): SupervisorSettings {
    return this.options.settings;
  }

  /** Loads the saved metadata, subscribes to the panes, starts the tick and the heartbeat. */
  async start(): Promise<void> {
    const saved = await this.options.store.load().catch((error: unknown) => {
      // A broken state file is reported and left on disk for the user; the supervisor starts fresh in memory.
      this.options.log.error(CATEGORY, 'supervisor.state.unreadable', { error: describeError(error) });
      return undefined;
    });
    this.state = saved ?? emptySupervisorState(this.settings.dryRun);
    this.state.dry_run = this.settings.dryRun;
    this.state.started_at = new Date(this.now()).toISOString();
    this.state.pid = process.pid;
    this.taskBoard = new TaskBoard(this.options.tasks ?? [], this.state.tasks, this.options.workspaceRoot);
    this.started = true;
    for (const pane of this.options.fleet.list()) this.ensureMeta(pane);
    this.subscriptions.push(
      this.options.fleet.onStateChange(
        (event) => void this.serial(event.pane, () => this.onPaneState(event)),
      ),
      this.options.fleet.onMembershipChange(() => {
        for (const pane of this.options.fleet.list()) this.ensureMeta(pane);
        this.changed();
      }),
      this.options.approvals.onDecided((record) => void this.onApprovalDecided(record)),
    );
    this.audit('supervisor.started', {
      dry_run: this.settings.dryRun,
      panes: this.options.fleet.list().length,
    });
    this.heartbeat();
    this.tickTimer = setInterval(() => void this.tick(), this.settings.tickMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.settings.heartbeatMs);
    this.tickTimer.unref?.();
    this.heartbeatTimer.unref?.();
    // Agents may already wait on an approval or sit stalled from before the restart.
    for (const pane of this.options.fleet.list()) {
      if (pane.state.name === 'awaiting_approval') void this.onAgentApproval(pane);
    }
  }

  snapshot(): SupervisorState {
    return structuredClone(this.state);
  }

  metaFor(paneId: string): PaneMeta | undefined {
    const pane = this.options.fleet.get(paneId);
    if (pane) return this.ensureMeta(pane);
    return Object.values(this.state.panes).find((m) => m.pane === paneId);
  }

  /** Queues a command for a pane (from a person, the CLI, a task or the model); see CommandQueue. */
  async submit(
    request: CommandRequest,
  ): Promise<{ id: string; risk: Risk; requires_confirmation: boolean; result?: string }> {
    const pane = this.options.fleet.get(request.pane);
    if (!pane) throw new Error(`No agent pane "${request.pane}"`);
    this.ensureMeta(pane);
    const { command } = await this.queue.enqueue({ ...request, cwd: request.cwd ?? pane.cwd });
    return {
      id: command.id,
      risk: command.risk,
      requires_confirmation: command.requires_confirmation,
      ...(this.metaFor(pane.id)?.last_command_result?.command_id === command.id
        ? { result: this.metaFor(pane.id)?.last_command_result?.result }
        : {}),
    };
  }

  /**
   * Asks a running agent a question and returns its answer (seed 002). Nothing is typed in dry run; a question
   * that quotes a command the rules do not let through on their own is refused: such commands go through
   * `submit`, where they wait for an approval.
   */
  async ask(
    paneId: string,
    question: string,
    by: string,
    timeoutMs = 120_000,
  ): Promise<
    { ok: true; answer: string; latencyMs: number } | { ok: false; error: { code: string; message: string } }
  > {
    const pane = this.options.fleet.get(paneId);
    if (!pane)
      return { ok: false, error: { code: 'E_PANE_NOT_FOUND', message: `No agent pane "${paneId}"` } };
    const verdict = this.options.classify({ text: question, kind: 'prompt', cwd: pane.cwd });
    const ctx = { pane: paneId, branch: pane.branch, question, by, risk: verdict.risk };
    if (verdict.decision !== 'auto') {
      this.audit('ask.refused', { ...ctx, reasons: verdict.reasons }, 'warn');
      return {
        ok: false,
        error: {
          code: 'E_ASK_NEEDS_APPROVAL',
          message: `The question quotes a command the rules do not let through (${verdict.risk}: ${verdict.reasons.join('; ')}); send it with "fleet send" so it waits for an approval`,
        },
      };
    }
    if (this.settings.dryRun) {
      this.audit('ask.sent', { ...ctx, result: 'dry_run' });
      return { ok: false, error: { code: 'E_DRY_RUN', message: 'Dry run: nothing is typed into any pane' } };
    }
    this.audit('ask.sent', ctx);
    const result = await this.options.fleet.ask(paneId, question, timeoutMs);
    if (result.ok)
      this.audit('ask.answered', {
        ...ctx,
        latency_ms: result.latencyMs,
        answer: result.answer.slice(0, 500),
      });
    else this.audit('ask.failed', { ...ctx, code: result.error.code, message: result.error.message }, 'warn');
    return result;
  }

  /** A person cleared a pane's blockers (e.g. after fixing a key): automatic recovery starts over. */
  unblock(paneId: string, by: string): void {
    const meta = this.metaFor(paneId);
    if (!meta) return;
    const cleared = meta.blockers.map((b) => b.kind);
    meta.blockers = [];
    meta.failure_streak = 0;
    meta.stall_nudges = 0;
    meta.error_retries = 0;
    meta.restart_failures = 0;
    meta.action_keys = [];
    delete meta.restart_not_before;
    this.audit('supervisor.unblocked', { pane: paneId, branch: meta.branch, by, cleared });
    this.updatePhase(meta);
    this.changed();
    void this.queue.pump(paneId);
  }

  /** Decides a pending approval from this process (VS Code button, control socket); first answer wins. */
  async decideApproval(id: string, decision: ApprovalDecision, by: string, message?: string) {
    const result = await this.options.approvals.decide(id, decision, { by, ...(message ? { message } : {}) });
    if (result.ok) await this.onApprovalDecided(result.record);
    return result;
  }

  async tick(): Promise<void> {
    if (!this.started) return;
    const started = this.now();
    // A pane whose events are still being handled is looked at by the next tick.
    for (const pane of this.options.fleet.list()) {
      if (this.chains.has(pane.id)) continue;
      const meta = this.ensureMeta(pane);
      await this.serial(pane.id, () => this.evaluate(pane, meta, 'tick'));
      void this.queue.pump(pane.id);
    }
    await this.dispatchTasks();
    if (this.settings.approvals.expireMs > 0) await this.expireApprovals();
    if (this.options.decider) {
      void this.decomposeTasks();
      for (const pane of this.options.fleet.list()) void this.summarize(pane, this.ensureMeta(pane));
    }
    this.options.log.debug(CATEGORY, 'supervisor.tick', { ms: this.now() - started });
  }

  async dispose(): Promise<void> {
    this.started = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    await this.flush();
  }

  /** Writes the metadata now (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.persist();
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * One pane's events are handled one after the other, in order: a handler may wait (a nudge waits for the
   * agent to show its prompt), and the next state change must not overtake it.
   */
  private serial(paneId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(paneId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.options.log.error(CATEGORY, 'supervisor.handler.failed', {
        pane: paneId,
        error: describeError(error),
      });
    });
    this.chains.set(paneId, next);
    void next.then(() => {
      if (this.chains.get(paneId) === next) this.chains.delete(paneId);
    });
    return next;
  }

  private async onPaneState(event: PaneStateEvent): Promise<void> {
    const current = this.options.fleet.get(event.pane);
    if (!current) return;
    // Judged as it was when it happened: later changes are queued behind this one.
    const pane: FleetPaneView = {
      ...current,
      state: {
        name: event.to,
        reason: event.reason,
        evidence: event.evidence,
        since: event.ts,
        ...(event.approval ? { approval: event.approval } : {}),
        ...(event.error ? { error: event.error } : {}),
        ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}),
      },
      exited: event.to === 'exited',
    };
    const meta = this.ensureMeta(pane);
    meta.state = event.to;
    meta.state_since = event.ts;
    this.settleCommand(pane, event);
    // An interrupted turn (our own nudge) says nothing about what the agent answers: not a loop candidate.
    if (event.to === 'awaiting_input' && !/interrupt/i.test(event.reason)) {
      const output = this.options.fleet.screen(pane.id).slice(-12);
      // A turn with nothing on screen tells nothing about a loop.
      if (output.some((line) => line.trim())) this.pushActionKey(meta, `turn:${fingerprint(output)}`);
    }
    if (event.from === 'awaiting_approval' && event.to !== 'awaiting_approval')
      await this.agentApprovalGone(pane);
    if (event.to === 'awaiting_approval') await this.onAgentApproval(pane);
    await this.evaluate(pane, meta, 'transition');
    this.changed();
    void this.queue.pump(pane.id);
  }

  /** Runs the recovery policies for one pane and carries out their steps. */
  private async evaluate(pane: FleetPaneView, meta: PaneMeta, trigger: 'transition' | 'tick'): Promise<void> {
    {
      const now = this.now();
      const task = this.tasks.taskForPane(pane);
      let remaining: string[] | undefined;
      if (
        trigger === 'transition' &&
        pane.state.name === 'awaiting_input' &&
        task &&
        !this.queue.inflightFor(pane.id)
      ) {
        remaining = await this.checkTask(task, pane, meta);
      }
      const steps = [
        ...planRecovery({
          state: pane.state,
          meta,
          settings: this.settings,
          now,
          trigger,
          startedAt: pane.startedAt,
          restarted: pane.restarted,
          restartSuppressed: pane.stoppedByUser,
          ...(remaining ? { remaining } : {}),
          ...(this.options.random ? { random: this.options.random } : {}),
        }),
        ...checkLoop(meta, this.settings, now),
      ];
      for (const step of steps) await this.carryOut(pane, meta, step);
      this.checkFailureStreak(meta);
      const before = meta.next_actions.join('\n');
      meta.next_actions = nextActionsFromRules(meta, pane.state);
      if (meta.next_actions.join('\n') !== before && meta.next_actions.length > 0) {
        this.audit('supervisor.next_actions', {
          pane: pane.id,
          branch: pane.branch,
          next_actions: meta.next_actions,
          source: 'rules',
        });
        if (this.options.decider && meta.blockers.length > 0) void this.askModel(pane, meta);
      }
      this.updatePhase(meta);
    }
  }

  private async carryOut(pane: FleetPaneView, meta: PaneMeta, step: RecoveryStep): Promise<void> {
    const ctx = { pane: pane.id, branch: pane.branch, agent: pane.kind };
    const dry = this.settings.dryRun;
    switch (step.type) {
      case 'nudge': {
        this.lastNudgeAt.set(pane.id, Date.now());
        recordAction(meta, 'nudge', `attempt ${step.attempt}: ${step.reason}`, this.iso());
        this.audit('recovery.nudge', {
          ...ctx,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'sent',
        });
        if (!dry) {
          // Interrupt the stuck turn, let the agent show its prompt again, then tell it to go on.
          const since = this.options.fleet.get(pane.id)?.state.since;
          if (this.options.fleet.interrupt(pane.id)) await this.waitForStateChange(pane.id, since, 3000);
          const idle = this.options.fleet.get(pane.id)?.state.name === 'awaiting_input';
          await this.options.fleet.send(pane.id, this.options.fleet.nudgeText(pane.id), { whenReady: idle });
        }
        break;
      }
      case 'retry': {
        this.lastNudgeAt.set(pane.id, Date.now());
        recordAction(meta, 'retry', `attempt ${step.attempt}: ${step.reason}`, this.iso());
        this.audit('recovery.retry', {
          ...ctx,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'sent',
        });
        if (!dry)
          await this.options.fleet.send(pane.id, this.options.fleet.nudgeText(pane.id), { whenReady: false });
        break;
      }
      case 'wait': {
        if (this.announcedWaits.get(pane.id) !== step.until) {
          this.announcedWaits.set(pane.id, step.until);
          recordAction(
            meta,
            'backoff',
            `${step.reason}, until ${new Date(step.until).toISOString()}`,
            this.iso(),
          );
          this.audit('recovery.backoff', {
            ...ctx,
            until: new Date(step.until).toISOString(),
            reason: step.reason,
          });
        }
        break;
      }
      case 'restart': {
        recordAction(meta, 'restart', `attempt ${step.attempt}: ${step.reason}`, this.iso());
        this.queue.abandon(pane.id, 'the agent exited');
        this.audit('recovery.restart', {
          ...ctx,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'started',
        });
        if (!dry) {
          await this.options.fleet.restart(pane.id).catch((error: unknown) => {
            meta.restart_failures += 1;
            this.audit('recovery.restart.failed', { ...ctx, error: describeError(error) }, 'error');
          });
        }
        break;
      }
      case 'continue': {
        this.pushActionKey(meta, 'continue');
        const text = `The task is not finished yet. Still open:\n${step.remaining.map((r) => `- ${r}`).join('\n')}\nPlease continue.`;
        recordAction(meta, 'continue', step.remaining.join('; '), this.iso());
        this.audit('recovery.continue', {
          ...ctx,
          remaining: step.remaining,
          result: dry ? 'dry_run' : 'queued',
        });
        await this.queue.enqueue({ pane: pane.id, text, kind: 'continue', source: 'supervisor' });
        break;
      }
      case 'notify': {
        recordAction(meta, 'notify', `${step.title}: ${step.message}`, this.iso());
        this.audit(
          'notify.sent',
          { ...ctx, severity: step.severity, title: step.title, message: step.message },
          step.severity === 'critical' ? 'error' : 'warn',
        );
        this.options.notifier.notify({
          severity: step.severity,
          title: step.title,
          message: step.message,
          pane: pane.id,
          ...(pane.branch ? { branch: pane.branch } : {}),
          requires_confirmation: false,
        });
        break;
      }
      case 'recovered': {
        this.announcedWaits.delete(pane.id);
        recordAction(meta, 'recovered', step.reason, this.iso());
        this.audit('recovery.recovered', {
          ...ctx,
          reason: step.reason,
          cleared: step.cleared.map((b) => b.kind),
        });
        break;
      }
    }
  }

  /** The result of the command FleetAI typed is the end of the turn it started. */
  private settleCommand(pane: FleetPaneView, event: PaneStateEvent): void {
    if (!this.queue.inflightFor(pane.id)) return;
    if (
      event.to === 'awaiting_input' &&
      (event.from === 'working' || event.from === 'stalled' || event.from === 'awaiting_approval')
    ) {
      // A turn FleetAI itself interrupted to nudge it goes on after the nudge: the command is still running.
      const interrupted = /interrupt/i.test(event.reason);
      if (interrupted && Date.now() - (this.lastNudgeAt.get(pane.id) ?? 0) < 10_000) return;
      this.queue.settle(
        pane.id,
        interrupted ? 'failure' : 'success',
        `${interrupted ? 'interrupted' : 'turn finished'}: ${event.reason}`,
      );
    } else if (event.to === 'error' && !event.error?.retrying) {
      this.queue.settle(
        pane.id,
        'failure',
        `${event.error?.class ?? 'error'}: ${event.error?.message ?? event.reason}`,
      );
    } else if (event.to === 'exited') {
      this.queue.settle(pane.id, 'failure', `the agent exited (${event.reason})`);
    }
  }

  private checkFailureStreak(meta: PaneMeta): void {
    if (meta.failure_streak < this.settings.failureAlertThreshold) return;
    if (meta.blockers.some((b) => b.kind === 'failure_streak')) return;
    setBlocker(
      meta,
      {
        kind: 'failure_streak',
        reason: `${meta.failure_streak} failed commands in a row`,
        retries: meta.failure_streak,
      },
      this.iso(),
    );
    recordAction(meta, 'blocked', `${meta.failure_streak} failed commands in a row`, this.iso());
    this.audit(
      'supervisor.blocked',
      { pane: meta.pane, branch: meta.branch, reason: 'failure_streak', failure_streak: meta.failure_streak },
      'error',
    );
    this.options.notifier.notify({
      severity: 'critical',
      title: 'Commands keep failing',
      message: `${meta.pane}${meta.branch ? ` (${meta.branch})` : ''}: ${meta.failure_streak} commands failed in a row (threshold ${this.settings.failureAlertThreshold}); FleetAI stopped sending it commands. Last: ${meta.last_command_result?.detail ?? ''}`,
      pane: meta.pane,
      ...(meta.branch ? { branch: meta.branch } : {}),
      requires_confirmation: false,
    });
  }

  // --- approvals asked by agents -----------------------------------------------------------------------------

  private async onAgentApproval(first: FleetPaneView): Promise<void> {
    if (this.agentApprovals.has(first.id)) return;
    this.agentApprovals.set(first.id, 'pending');
    let pane = first;
    // A prompt is drawn over a few frames (the title first, the command a moment later): give it that moment.
    if (!pane.state.approval?.command) {
      await new Promise((r) => setTimeout(r, APPROVAL_SETTLE_MS));
      const now = this.options.fleet.get(first.id);
      if (!now || now.state.name !== 'awaiting_approval') {
        this.agentApprovals.delete(first.id);
        return;
      }
      pane = now;
    }
    const request = pane.state.approval;
    const kind = request?.kind ?? 'other';
    const text = request?.command ?? '';
    let verdict = this.options.classify({ text, kind: text ? 'command' : kind, cwd: pane.cwd });
    if (this.options.decider && this.settings.approvals.modelJudge && verdict.decision !== 'deny') {
      // The model may only make a decision stricter; a failing judge fails closed (a human decides).
      const judged = await this.options.decider.judgeRisk({
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
    const ctx = {
      pane: pane.id,
      branch: pane.branch,
      agent: pane.kind,
      command: text,
      kind,
      risk: verdict.risk,
    };
    if (verdict.decision === 'auto' || verdict.decision === 'deny') {
      const decision: ApprovalDecision = verdict.decision === 'auto' ? 'approve' : 'deny';
      this.agentApprovals.set(pane.id, `rule:${decision}`);
      this.audit('approval.decided', {
        ...ctx,
        decision,
        decidedBy: 'rule',
        reasons: verdict.reasons,
        result: this.settings.dryRun ? 'dry_run' : 'applied',
      });
      if (!this.settings.dryRun) await this.applyDecision(pane.id, decision, undefined, 'rule');
      return;
    }
    this.agentApprovals.set(pane.id, 'pending');
    const record = await this.options.approvals.request({
      pane: pane.id,
      ...(pane.branch ? { branch: pane.branch } : {}),
      agent: pane.kind,
      kind,
      ...(text ? { command: text } : {}),
      ...(request?.reason ? { reason: request.reason } : {}),
      risk: verdict.risk,
      reasons: verdict.reasons,
      source: 'agent',
      transcriptExcerpt: this.options.fleet.screen(pane.id).filter(Boolean).slice(-15).join('\n'),
    });
    this.agentApprovals.set(pane.id, record.id);
    const meta = this.ensureMeta(pane);
    setBlocker(
      meta,
      { kind: 'approval', reason: `waiting for a decision on ${text || kind} (${verdict.risk})`, retries: 0 },
      this.iso(),
    );
    this.audit('approval.requested', { ...ctx, id: record.id, reasons: verdict.reasons });
    this.options.notifier.notify({
      severity: verdict.risk === 'critical' ? 'critical' : 'warning',
      title: `Approval needed (${verdict.risk})`,
      message: `${pane.id}${pane.branch ? ` (${pane.branch})` : ''} wants to ${text ? `run: ${text}` : `make ${kind === 'edit' ? 'edits' : 'a change'}`}`,
      pane: pane.id,
      ...(pane.branch ? { branch: pane.branch } : {}),
      approvalId: record.id,
      requires_confirmation: true,
    });
    this.updatePhase(meta);
    this.changed();
  }

  /** The prompt left the screen: answered in the terminal by a person, or by us. A pending request expires. */
  private async agentApprovalGone(pane: FleetPaneView): Promise<void> {
    const id = this.agentApprovals.get(pane.id);
    this.agentApprovals.delete(pane.id);
    const meta = this.ensureMeta(pane);
    meta.blockers = meta.blockers.filter((b) => b.kind !== 'approval');
    if (!id || id.startsWith('rule:') || id === 'pending') return;
    const result = await this.options.approvals.decide(id, 'expired', {
      by: 'terminal',
      message: 'answered in the terminal',
    });
    if (result.ok)
      this.audit('approval.expired', {
        pane: pane.id,
        branch: pane.branch,
        id,
        reason: 'the prompt closed before a decision arrived',
      });
  }

  private async onApprovalDecided(record: ApprovalRecordView): Promise<void> {
    if (!record.decision || record.decision === 'expired') return;
    if (this.auditedDecisions.has(record.id)) return;
    this.auditedDecisions.add(record.id);
    this.audit('approval.decided', {
      id: record.id,
      pane: record.pane,
      branch: this.options.fleet.get(record.pane)?.branch,
      command: record.command,
      decision: record.decision,
      decidedBy: record.decidedBy,
      ...(record.message ? { message: record.message } : {}),
      source: record.source,
    });
    if (record.source === 'fleet') {
      const approved = record.decision === 'approve' || record.decision === 'approve_for_session';
      if (this.queue.decided(record.id, approved, record.decidedBy ?? 'someone', record.message)) {
        this.audit('approval.applied', {
          id: record.id,
          pane: record.pane,
          decision: record.decision,
          decidedBy: record.decidedBy,
          via: 'queue',
        });
      }
      return;
    }
    if (this.agentApprovals.get(record.pane) !== record.id) return;
    this.agentApprovals.set(record.pane, `done:${record.id}`);
    if (this.settings.dryRun) {
      this.audit('approval.applied', {
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

  private async applyDecision(
    paneId: string,
    decision: ApprovalDecision,
    message: string | undefined,
    by: string,
    id?: string,
  ): Promise<void> {
    const pane = this.options.fleet.get(paneId);
    const applied = await this.options.fleet
      .answerApproval(paneId, decision, message)
      .catch((error: unknown) => {
        this.audit('approval.apply.failed', { pane: paneId, id, error: describeError(error) }, 'error');
        return undefined;
      });
    const meta = pane ? this.ensureMeta(pane) : undefined;
    if (meta) {
      meta.blockers = meta.blockers.filter((b) => b.kind !== 'approval');
      recordAction(
        meta,
        'approval',
        `${decision} by ${by}${applied ? ` via ${applied.via}` : ' (prompt already gone)'}`,
        this.iso(),
      );
      this.updatePhase(meta);
    }
    this.audit('approval.applied', {
      id,
      pane: paneId,
      branch: pane?.branch,
      decision,
      decidedBy: by,
      via: applied?.via ?? 'none',
    });
    this.changed();
  }

  /** Requests nobody answered in time are declined: the agent is told no, a queued command is dropped. */
  private async expireApprovals(): Promise<void> {
    const expired = await this.options.approvals
      .expire(this.settings.approvals.expireMs)
      .catch((error: unknown) => {
        this.options.log.warn(CATEGORY, 'approvals.expire.failed', { error: describeError(error) });
        return [];
      });
    for (const record of expired) {
      this.audit(
        'approval.expired',
        { id: record.id, pane: record.pane, command: record.command, reason: 'no answer in time' },
        'warn',
      );
      if (record.source === 'fleet') {
        this.queue.decided(record.id, false, 'expiry', 'no answer in time');
      } else if (this.agentApprovals.get(record.pane) === record.id) {
        this.agentApprovals.set(record.pane, `done:${record.id}`);
        if (!this.settings.dryRun)
          await this.applyDecision(record.pane, 'deny', undefined, 'expiry', record.id);
      }
    }
  }

  // --- tasks ------------------------------------------------------------------------------------------------

  private async dispatchTasks(): Promise<void> {
    for (const task of this.tasks.dispatchable()) {
      const pane = this.options.fleet
        .list()
        .find((p) => p.id === task.pane || (task.branch !== undefined && p.branch === task.branch));
      if (!pane || pane.exited) continue;
      this.tasks.setPhase(task.id, 'EXECUTING', this.iso(), pane.id);
      const meta = this.ensureMeta(pane);
      meta.task = task.id;
      this.audit('task.dispatched', { task: task.id, pane: pane.id, branch: pane.branch });
      await this.queue.enqueue({
        pane: pane.id,
        text: this.tasks.prompt(task),
        kind: 'prompt',
        source: 'task',
      });
    }
    for (const task of this.tasks.list()) {
      if (task.status.phase !== 'PLANNING') continue;
      const waiting = this.tasks.waitingOn(task.id);
      if (waiting.length > 0)
        this.options.log.debug(CATEGORY, 'task.waiting', { task: task.id, on: waiting });
    }
  }

  /** The agent went idle on a task: done when nothing remains (VERIFYING while the acceptance runs). */
  private async checkTask(task: TaskSpec, pane: FleetPaneView, meta: PaneMeta): Promise<string[]> {
    const status = this.tasks.statusOf(task.id);
    if (status.phase === 'DONE' || status.phase === 'PLANNING') return [];
    this.tasks.setPhase(task.id, 'VERIFYING', this.iso());
    meta.phase = 'VERIFYING';
    const remaining = await this.tasks.remaining(task, pane.cwd);
    if (remaining.length === 0) {
      this.tasks.setPhase(task.id, 'DONE', this.iso());
      recordAction(meta, 'task.done', task.id, this.iso());
      this.audit('task.done', { task: task.id, pane: pane.id, branch: pane.branch });
      void this.dispatchTasks();
    } else {
      this.tasks.setPhase(task.id, 'EXECUTING', this.iso());
      this.audit('task.unfinished', { task: task.id, pane: pane.id, branch: pane.branch, remaining });
    }
    this.changed();
    return remaining;
  }

  // --- model -------------------------------------------------------------------------------------------------

  private async askModel(pane: FleetPaneView, meta: PaneMeta): Promise<void> {
    const decider = this.options.decider;
    if (!decider || this.askingModel.has(pane.id)) return;
    this.askingModel.add(pane.id);
    try {
      const task = this.tasks.taskForPane(pane);
      const result = await decider.decide({
        pane: {
          id: pane.id,
          agent: pane.kind,
          ...(pane.branch ? { branch: pane.branch } : {}),
          state: pane.state.name,
          state_reason: pane.state.reason,
          state_since: pane.state.since,
        },
        phase: meta.phase,
        ...(task
          ? {
              task: {
                id: task.id,
                title: task.title,
                ...(task.acceptance ? { acceptance: task.acceptance } : {}),
              },
            }
          : {}),
        screen: this.options.fleet.tail(pane.id, 60),
        ...(meta.last_command_result ? { last_command_result: meta.last_command_result } : {}),
        blockers: meta.blockers,
        ...(meta.history_summaries.at(-1) ? { recent_summary: meta.history_summaries.at(-1)!.summary } : {}),
        recent_actions: meta.recent_actions.slice(-10),
        next_actions: meta.next_actions,
      });
      if (!result.ok) {
        this.audit(
          'model.error',
          {
            pane: pane.id,
            branch: pane.branch,
            op: 'decide',
            code: result.error.code,
            message: result.error.message,
            latency_ms: result.latencyMs,
          },
          'warn',
        );
        return;
      }
      const decision = result.value;
      meta.next_actions = decision.next_actions;
      this.audit('model.decision', {
        pane: pane.id,
        branch: pane.branch,
        latency_ms: result.latencyMs,
        next_actions: decision.next_actions,
        phase: decision.phase,
        summary: decision.summary,
        commands: decision.commands.length,
        requires_confirmation: decision.requires_confirmation,
        risk: decision.risk,
      });
      for (const command of decision.commands) {
        await this.queue.enqueue({
          pane: command.pane && this.options.fleet.get(command.pane) ? command.pane : pane.id,
          text: command.text,
          kind: 'prompt',
          source: 'model',
          // The model may ask for confirmation; it can never waive what the rules require.
          requires_confirmation: decision.requires_confirmation || RISK_ORDER.indexOf(command.risk) >= 2,
        });
      }
      this.changed();
    } finally {
      this.askingModel.delete(pane.id);
    }
  }

  /**
   * A task with a requirements document is decomposed into sub-tasks by the model (seed 003, scenario D), once;
   * the result is kept with the task and as its pane's `task_decomposition`.
   */
  private async decomposeTasks(): Promise<void> {
    const decider = this.options.decider;
    if (!decider) return;
    for (const task of this.tasks.list()) {
      if (!task.requirements_doc || task.status.decomposition || this.decomposing.has(task.id)) continue;
      this.decomposing.add(task.id);
      try {
        const file = path.resolve(this.options.workspaceRoot, task.requirements_doc);
        const text = await fs.readFile(file, 'utf8').catch((error: unknown) => {
          this.audit(
            'task.decomposition.failed',
            { task: task.id, error: `cannot read ${file}: ${describeError(error)}` },
            'warn',
          );
          return undefined;
        });
        if (text === undefined) continue;
        const result = await decider.decompose(text, task.title);
        if (!result.ok) {
          this.audit(
            'model.error',
            {
              op: 'decompose',
              task: task.id,
              code: result.error.code,
              message: result.error.message,
              latency_ms: result.latencyMs,
            },
            'warn',
          );
          continue;
        }
        const decomposition = result.value.map((t) => ({
          id: t.id,
          title: t.title,
          depends_on: [...(t.depends_on ?? [])],
          acceptance: {
            ...(t.acceptance?.checklist ? { checklist: [...t.acceptance.checklist] } : {}),
            ...(t.acceptance?.command ? { command: t.acceptance.command } : {}),
          },
        }));
        const status = this.tasks.statusOf(task.id);
        status.decomposition = decomposition;
        const pane = this.options.fleet
          .list()
          .find(
            (p) =>
              p.id === task.pane ||
              p.id === status.pane ||
              (task.branch !== undefined && p.branch === task.branch),
          );
        if (pane) this.ensureMeta(pane).task_decomposition = decomposition;
        this.audit('task.decomposed', {
          task: task.id,
          pane: pane?.id,
          branch: task.branch,
          subtasks: decomposition.map((d) => d.id),
          latency_ms: result.latencyMs,
        });
        this.changed();
      } finally {
        this.decomposing.delete(task.id);
      }
    }
  }

  /** Long transcripts are summarised into `history_summaries`, fed back to the model as `recent_summary`. */
  private async summarize(pane: FleetPaneView, meta: PaneMeta): Promise<void> {
    const decider = this.options.decider;
    const every = this.settings.summaryEveryLines;
    if (!decider || this.summarizing.has(pane.id)) return;
    const tail = this.options.fleet.tail(pane.id, every);
    const mark = fingerprint(tail.slice(-20));
    if (tail.length < every || this.lastSummaryAt.get(pane.id) === mark) return;
    this.summarizing.add(pane.id);
    try {
      const result = await decider.summarize(tail, meta.history_summaries.at(-1)?.summary);
      this.lastSummaryAt.set(pane.id, mark);
      if (!result.ok) {
        this.audit(
          'model.error',
          { op: 'summarize', pane: pane.id, code: result.error.code, message: result.error.message },
          'warn',
        );
        return;
      }
      meta.history_summaries.push({ ts: this.iso(), summary: result.value.summary });
      if (meta.history_summaries.length > SUMMARIES_KEPT) {
        meta.history_summaries.splice(0, meta.history_summaries.length - SUMMARIES_KEPT);
      }
      this.audit('model.summary', { pane: pane.id, branch: pane.branch, latency_ms: result.latencyMs });
      this.changed();
    } finally {
      this.summarizing.delete(pane.id);
    }
  }

  // --- bookkeeping -------------------------------------------------------------------------------------------

  private createQueue(): CommandQueue {
    return new CommandQueue({
      panes: () => this.options.fleet.list().map((p) => p.id),
      meta: (pane) => this.metaFor(pane),
      classify: (request) => {
        const pane = this.options.fleet.get(request.pane);
        let verdict = this.options.classify({
          text: request.text,
          kind: request.kind === 'shell' ? 'shell' : 'prompt',
          cwd: request.cwd ?? pane?.cwd ?? this.options.workspaceRoot,
        });
        if (request.requires_confirmation && verdict.decision === 'auto')
          verdict = { ...verdict, decision: 'ask' };
        return Promise.resolve(verdict);
      },
      isReady: (pane) => {
        const state = this.options.fleet.get(pane)?.state;
        // A turn that ended in an error the agent no longer retries leaves it waiting for input too.
        return (
          state?.name === 'awaiting_input' || (state?.name === 'error' && state.error?.retrying === false)
        );
      },
      type: (command) => this.typeCommand(command),
      requestApproval: async (command, verdict) => {
        const pane = this.options.fleet.get(command.pane);
        const record = await this.options.approvals.request({
          pane: command.pane,
          ...(pane?.branch ? { branch: pane.branch } : {}),
          agent: pane?.kind ?? 'unknown',
          kind: 'command',
          command: command.text,
          reason: `FleetAI would send this (${command.source})`,
          risk: verdict.risk,
          reasons: verdict.reasons,
          source: 'fleet',
        });
        this.options.notifier.notify({
          severity: verdict.risk === 'critical' ? 'critical' : 'warning',
          title: `Approve a command for ${command.pane}?`,
          message: `${command.text} (${verdict.risk}: ${verdict.reasons.join('; ') || 'rules ask for confirmation'})`,
          pane: command.pane,
          approvalId: record.id,
          requires_confirmation: true,
        });
        return record.id;
      },
      emit: (event) => this.onQueueEvent(event),
      changed: () => this.changed(),
      now: this.now,
      cooldownMs: () => this.settings.sessionCooldownMs,
      dryRun: () => this.settings.dryRun,
    });
  }

  /** Types a command; the pane itself makes sure the agent took it (SupervisedPane.send). */
  private typeCommand(command: { pane: string; text: string }): Promise<boolean> {
    const state = this.options.fleet.get(command.pane)?.state;
    return this.options.fleet.send(command.pane, command.text, {
      whenReady: state?.name === 'awaiting_input',
    });
  }

  private async waitForStateChange(
    pane: string,
    since: string | undefined,
    timeoutMs: number,
  ): Promise<boolean> {
    // Real time: this waits for a real agent, whatever clock the policies run on.
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const state = this.options.fleet.get(pane)?.state;
      if (!state || state.since !== since) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  private onQueueEvent(event: QueueEvent): void {
    const pane = this.options.fleet.get(event.command.pane);
    const base = {
      pane: event.command.pane,
      branch: pane?.branch,
      id: event.command.id,
      text: event.command.text,
      kind: event.command.kind,
      source: event.command.source,
      risk: event.command.risk,
    };
    switch (event.event) {
      case 'command.queued':
        this.audit(event.event, {
          ...base,
          queue_depth: event.queue_depth,
          requires_confirmation: event.command.requires_confirmation,
          reasons: event.reasons,
        });
        break;
      case 'command.approval_needed':
        this.audit(event.event, { ...base, approval_id: event.command.approval_id, reasons: event.reasons });
        break;
      case 'command.dispatched':
        this.audit(event.event, {
          ...base,
          queue_depth: event.queue_depth,
          result: this.settings.dryRun ? 'dry_run' : 'typed',
        });
        break;
      case 'command.result': {
        const meta = this.metaFor(event.command.pane);
        if (meta) {
          recordAction(
            meta,
            'command',
            `${event.result.result}: ${event.command.text.slice(0, 80)}`,
            this.iso(),
          );
          this.checkFailureStreak(meta);
          this.updatePhase(meta);
        }
        this.audit(
          event.event,
          {
            ...base,
            result: event.result.result,
            detail: event.result.detail,
            queue_depth: event.queue_depth,
            failure_streak: meta?.failure_streak,
          },
          event.result.result === 'failure' ? 'warn' : 'info',
        );
        break;
      }
    }
  }

  private updatePhase(meta: PaneMeta): void {
    const task = meta.task ? this.tasks.statusOf(meta.task) : undefined;
    let phase: Phase;
    if (meta.blockers.some((b) => b.kind !== 'approval')) phase = 'BLOCKED';
    else if (task?.phase === 'DONE') phase = 'DONE';
    else if (task?.phase === 'VERIFYING') phase = 'VERIFYING';
    else if (task?.phase === 'PLANNING') phase = 'PLANNING';
    else phase = 'EXECUTING';
    if (phase !== meta.phase) {
      this.audit('supervisor.phase', { pane: meta.pane, branch: meta.branch, from: meta.phase, to: phase });
      meta.phase = phase;
      if (meta.task && task && phase === 'BLOCKED') this.tasks.setPhase(meta.task, 'BLOCKED', this.iso());
      else if (meta.task && task?.phase === 'BLOCKED')
        this.tasks.setPhase(meta.task, 'EXECUTING', this.iso());
    }
  }

  private ensureMeta(pane: FleetPaneView): PaneMeta {
    const key = metaKey(pane);
    let meta = this.state.panes[key];
    if (!meta) {
      meta = newPaneMeta(
        { id: pane.id, agent: pane.kind, ...(pane.branch ? { branch: pane.branch } : {}) },
        this.iso(),
      );
      this.state.panes[key] = meta;
    }
    // A restarted orchestrator may give the branch's pane a new id: the metadata follows the branch.
    meta.pane = pane.id;
    meta.agent = pane.kind;
    return meta;
  }

  private pushActionKey(meta: PaneMeta, key: string): void {
    meta.action_keys.push(key);
    if (meta.action_keys.length > ACTION_KEYS_KEPT)
      meta.action_keys.splice(0, meta.action_keys.length - ACTION_KEYS_KEPT);
  }

  private heartbeat(): void {
    this.state.orchestrator_heartbeat = new Date(this.now()).toISOString();
    // The state file gets every beat; the log one a minute, enough for replay to show the supervisor was alive.
    if (this.now() - this.lastLoggedHeartbeat >= 60_000) {
      this.lastLoggedHeartbeat = this.now();
      this.options.log.info(CATEGORY, 'supervisor.heartbeat', {
        panes: Object.keys(this.state.panes).length,
      });
    }
    this.changed();
  }

  private changed(): void {
    if (this.saveTimer || !this.started) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.persist();
    }, 200);
    this.saveTimer.unref?.();
  }

  private persist(): Promise<void> {
    const snapshot = structuredClone(this.state);
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => this.options.store.save(snapshot))
      .catch((error: unknown) =>
        this.options.log.error(CATEGORY, 'supervisor.state.save_failed', { error: describeError(error) }),
      );
    return this.saving;
  }

  private audit(
    event: string,
    context: Record<string, unknown>,
    level: 'info' | 'warn' | 'error' = 'info',
  ): void {
    this.options.log.log(level, AUDIT, event, context);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

export type { PaneState };
