import {
  CommandQueue,
  type CommandRequest,
  type QueueEvent,
  type RiskVerdict,
} from '../commands/commandQueue';
import { describeError, ErrorCode, FleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { Disposable } from '../panes/events';
import type { ApprovalDecision, PaneState, PaneStateEvent } from '../panes/types';
import { pushActionKey } from './actionKeys';
import { AgentApprovals } from './agentApprovals';
import { CATEGORY, type SupervisorContext } from './context';
import { fingerprint } from './loopDetector';
import { ModelAssist } from './modelAssist';
import {
  emptySupervisorState,
  metaKey,
  newPaneMeta,
  recordAction,
  setBlocker,
  type PaneMeta,
  type Phase,
  type Risk,
  type SupervisorState,
} from './paneMetadata';
import type { ApprovalsPort, DeciderPort, FleetPaneView, FleetPort, NotifierPort } from './ports';
import { checkLoop, planRecovery } from './recoveryPolicy';
import { RecoverySteps } from './recoverySteps';
import { StateWriteGuard } from './stateWriteGuard';
import { findStateWriteError } from '../store/stateWriteError';
import { appendOperationsEntry } from '../observability/operationsLog';
import { nextActionsFromRules } from './ruleAdvice';
import type { SupervisorSettings } from './settings';
import { TaskBoard, type TaskSpec } from './taskBoard';
import { TaskProgress } from './taskProgress';

const AUDIT = 'audit';
/**
 * How long after typing a command a busy spell that began before it is not taken as that command's turn (see
 * settleCommand); the pane is looked at again after it.
 */
const TURN_START_GRACE_MS = 3000;

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
  private readonly chains = new Map<string, Promise<void>>();
  /** When each pane's in-flight command was actually typed (Date.now()). */
  private readonly typedAt = new Map<string, number>();
  private readonly graceTimers = new Set<ReturnType<typeof setTimeout>>();
  /** What the rules advised each pane last, so an unchanged situation neither logs nor asks the model again. */
  private readonly lastRuleAdvice = new Map<string, string>();
  private lastLoggedHeartbeat = 0;
  private started = false;
  private readonly now: () => number;
  private readonly recovery: RecoverySteps;
  private readonly agentApprovals: AgentApprovals;
  private readonly model: ModelAssist;
  private readonly taskProgress: TaskProgress;
  private readonly stateGuard: StateWriteGuard;
  /** The task specs of the board: the config's at start, replaced when orchestrator.json changes (replaceTasks). */
  private taskSpecs: TaskSpec[];

  constructor(private readonly options: OrchestratorOptions) {
    this.now = options.now ?? Date.now;
    this.taskSpecs = [...(options.tasks ?? [])];
    this.taskBoard = new TaskBoard(this.taskSpecs, this.state.tasks, options.workspaceRoot);
    this.queue = this.createQueue();
    const context = this.context();
    this.recovery = new RecoverySteps(context);
    this.agentApprovals = new AgentApprovals(context);
    this.model = new ModelAssist(context);
    this.taskProgress = new TaskProgress(context);
    this.stateGuard = new StateWriteGuard(context, () => Object.values(this.state.panes));
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
    this.taskBoard = new TaskBoard(this.taskSpecs, this.state.tasks, this.options.workspaceRoot);
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
      this.options.approvals.onDecided((record) => void this.agentApprovals.onApprovalDecided(record)),
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
      if (pane.state.name === 'awaiting_approval') {
        void this.serial(pane.id, () => this.agentApprovals.onAgentApproval(pane));
      }
    }
  }

  snapshot(): SupervisorState {
    return structuredClone(this.state);
  }

  /**
   * A new task board from `specs` (the running supervisor's orchestrator.json changed: tasksReload.ts). Statuses
   * stay keyed by task id, so a task in progress keeps its phase and pane; a new task starts at its `phase`.
   */
  replaceTasks(specs: readonly TaskSpec[]): void {
    this.taskSpecs = [...specs];
    this.taskBoard = new TaskBoard(this.taskSpecs, this.state.tasks, this.options.workspaceRoot);
    this.changed();
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
    if (!pane)
      throw new FleetError(ErrorCode.PaneNotFound, `No agent pane "${request.pane}"`, { pane: request.pane });
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
    // An unwritable state is not cleared by a person's word: it lifts itself once the disk takes writes.
    const held = this.stateGuard.blocks(paneId)
      ? meta.blockers.filter((b) => b.kind === 'state_unwritable')
      : [];
    const cleared = meta.blockers.filter((b) => !held.includes(b)).map((b) => b.kind);
    meta.blockers = held;
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
    if (result.ok) await this.agentApprovals.onApprovalDecided(result.record);
    return result;
  }

  async tick(): Promise<void> {
    if (!this.started) return;
    const started = this.now();
    // While the state cannot be written, each tick tries again; the panes resume once it works.
    if (this.stateGuard.blocked)
      await this.stateGuard.retry(() => this.options.store.save(structuredClone(this.state)));
    // A pane whose events are still being handled is looked at by the next tick. Panes side by side: one that
    // waits (a nudge waits for its agent to react) holds up no other.
    await Promise.all(
      this.options.fleet.list().map(async (pane) => {
        // A pane blocked on an unwritable state gets nothing from FleetAI until the state can be written.
        if (this.chains.has(pane.id) || this.stateGuard.blocks(pane.id)) return;
        const meta = this.ensureMeta(pane);
        await this.serial(pane.id, () => this.evaluate(pane, meta, 'tick'));
        void this.queue.pump(pane.id);
      }),
    );
    await this.taskProgress.dispatchTasks();
    if (this.settings.approvals.expireMs > 0) await this.agentApprovals.expireApprovals();
    if (this.options.decider) {
      void this.model.decomposeTasks();
      for (const pane of this.options.fleet.list()) void this.model.summarize(pane, this.ensureMeta(pane));
    }
    this.options.log.debug(CATEGORY, 'supervisor.tick', { ms: this.now() - started });
  }

  async dispose(): Promise<void> {
    this.started = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const timer of this.graceTimers) clearTimeout(timer);
    this.graceTimers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    // Handlers still running finish first, so what they change is saved too.
    await Promise.allSettled([...this.chains.values()]);
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
      // An approval or other state write for this pane that the disk refused: the pane is blocked.
      const refused = findStateWriteError(error);
      const meta = refused ? this.metaFor(paneId) : undefined;
      if (refused && meta) {
        this.stateGuard.refused(refused, [meta]);
        this.changed();
      }
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
    const fromSince = meta.state_since;
    meta.state = event.to;
    meta.state_since = event.ts;
    this.settleCommand(pane, event, fromSince);
    // Blocked on an unwritable state: its state is followed, nothing is done to it.
    if (this.stateGuard.blocks(pane.id)) {
      this.changed();
      return;
    }
    // An interrupted turn (our own nudge) says nothing about what the agent answers: not a loop candidate.
    if (event.to === 'awaiting_input' && !/interrupt/i.test(event.reason)) {
      // The turn's answer, not only the bottom rows: there a TUI keeps its input box and footer, the same after
      // every turn.
      const output = this.options.fleet.tail(pane.id, 60);
      // A turn with nothing on screen tells nothing about a loop.
      if (output.some((line) => line.trim())) pushActionKey(meta, `turn:${fingerprint(output)}`);
    }
    if (event.from === 'awaiting_approval' && event.to !== 'awaiting_approval')
      await this.agentApprovals.agentApprovalGone(pane);
    if (event.to === 'awaiting_approval') await this.agentApprovals.onAgentApproval(pane);
    await this.evaluate(pane, meta, 'transition');
    this.changed();
    void this.queue.pump(pane.id);
  }

  /** Runs the recovery policies for one pane and carries out their steps. */
  private async evaluate(pane: FleetPaneView, meta: PaneMeta, trigger: 'transition' | 'tick'): Promise<void> {
    const now = this.now();
    const task = this.tasks.taskForPane(pane);
    let remaining: string[] | undefined;
    if (
      trigger === 'transition' &&
      pane.state.name === 'awaiting_input' &&
      task &&
      !this.queue.inflightFor(pane.id) &&
      // A command still waiting its turn (the task prompt queued before the agent's first prompt) has not
      // reached the agent: judging the task now would tell it "not finished" about work it never got.
      this.queue.queued(pane.id).length === 0
    ) {
      remaining = await this.taskProgress.checkTask(task, pane, meta);
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
    for (const step of steps) await this.recovery.carryOut(pane, meta, step);
    this.checkFailureStreak(meta);
    // Only a change in what the rules advise replaces the next actions and asks the model again: its own answer
    // stands until the situation changes, and is not re-bought at every tick.
    const advice = nextActionsFromRules(meta, pane.state);
    const key = advice.join('\n');
    if (key !== this.lastRuleAdvice.get(pane.id)) {
      this.lastRuleAdvice.set(pane.id, key);
      meta.next_actions = advice;
      if (advice.length > 0) {
        this.audit('supervisor.next_actions', {
          pane: pane.id,
          branch: pane.branch,
          next_actions: advice,
          source: 'rules',
        });
        if (this.options.decider && meta.blockers.length > 0) void this.model.askModel(pane, meta);
      }
    }
    this.updatePhase(meta);
  }

  /** The result of the command FleetAI typed is the end of the turn it started. */
  private settleCommand(pane: FleetPaneView, event: PaneStateEvent, fromSince: string): void {
    const command = this.queue.inflightFor(pane.id);
    if (!command) return;
    if (
      event.to === 'awaiting_input' &&
      (event.from === 'working' || event.from === 'stalled' || event.from === 'awaiting_approval')
    ) {
      // Not yet typed (the pane holds input back): whatever ended, it was not this command's turn.
      const typed = this.typedAt.get(pane.id);
      if (typed === undefined) return;
      // A busy spell that began before the text went in and ends right after it (Codex's start-up spinner, then
      // its prompt drawn while the real turn starts) may not be this command's turn: look again after a moment.
      if (Date.parse(fromSince) < typed && Date.parse(event.ts) - typed < TURN_START_GRACE_MS) {
        this.settleLater(pane.id, command.id, event);
        return;
      }
      this.settleTurn(pane.id, event);
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

  private settleTurn(paneId: string, event: PaneStateEvent): void {
    // A turn FleetAI itself interrupted to nudge it goes on after the nudge: the command is still running.
    const interrupted = /interrupt/i.test(event.reason);
    if (interrupted && Date.now() - (this.recovery.lastNudge(paneId) ?? 0) < 10_000) return;
    this.queue.settle(
      paneId,
      interrupted ? 'failure' : 'success',
      `${interrupted ? 'interrupted' : 'turn finished'}: ${event.reason}`,
    );
  }

  /** Settles the command after the grace when the pane still waits for input since `event` (a real end). */
  private settleLater(paneId: string, commandId: string, event: PaneStateEvent): void {
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      void this.serial(paneId, async () => {
        const state = this.options.fleet.get(paneId)?.state;
        if (this.queue.inflightFor(paneId)?.id !== commandId) return;
        if (state?.name !== 'awaiting_input' || state.since !== event.ts) return;
        this.settleTurn(paneId, event);
        this.changed();
        await this.queue.pump(paneId);
      });
    }, TURN_START_GRACE_MS);
    timer.unref?.();
    this.graceTimers.add(timer);
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
    void appendOperationsEntry(
      this.options.workspaceRoot,
      {
        at: this.iso(),
        subject: `pane ${meta.pane}${meta.branch ? ` (${meta.branch})` : ''}`,
        title: 'Commands keep failing / 命令连续失败',
        happened: `${meta.failure_streak} commands failed in a row (threshold ${this.settings.failureAlertThreshold}). Last: ${meta.last_command_result?.detail ?? ''}`,
        tried: [
          `${meta.failure_streak} commands sent, each failed / 发送 ${meta.failure_streak} 条命令均失败`,
          'FleetAI stopped sending it commands / 已停止发送命令',
        ],
        todo: `look at the pane (\`fleet status\`), fix the cause, then \`fleet unblock ${meta.pane}\` / 查看窗格并修复原因，然后运行 \`fleet unblock ${meta.pane}\``,
      },
      this.options.log,
    );
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
          // A shell pane runs what it is sent: rated as the command it is, not as prose to an agent.
          kind: request.kind === 'shell' || pane?.kind === 'shell' ? 'shell' : 'prompt',
          cwd: request.cwd ?? pane?.cwd ?? this.options.workspaceRoot,
        });
        if (request.requires_confirmation && verdict.decision === 'auto')
          verdict = { ...verdict, decision: 'ask' };
        return Promise.resolve(verdict);
      },
      isReady: (pane) => {
        if (this.stateGuard.blocks(pane)) return false;
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
  private async typeCommand(command: { pane: string; text: string }): Promise<boolean> {
    const state = this.options.fleet.get(command.pane)?.state;
    this.typedAt.delete(command.pane);
    const sent = await this.options.fleet.send(command.pane, command.text, {
      whenReady: state?.name === 'awaiting_input',
    });
    // When the text really went in (the pane may have held it back): turns that ended before are not its own.
    if (sent) this.typedAt.set(command.pane, Date.now());
    return sent;
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
      .catch((error: unknown) => {
        this.options.log.error(CATEGORY, 'supervisor.state.save_failed', { error: describeError(error) });
        // supervisor.json holds every pane's memory: while it cannot be written, every pane is blocked.
        const refused = findStateWriteError(error);
        if (refused) this.stateGuard.refused(refused, Object.values(this.state.panes));
      });
    return this.saving;
  }

  private audit(
    event: string,
    context: Record<string, unknown>,
    level: 'info' | 'warn' | 'error' = 'info',
  ): void {
    this.options.log.log(level, AUDIT, event, context);
  }

  /** What the delegated parts see of the supervisor (context.ts). */
  private context(): SupervisorContext {
    const { fleet, approvals, notifier, log, decider, workspaceRoot } = this.options;
    const options = this.options;
    const board = (): TaskBoard => this.taskBoard;
    return {
      fleet,
      approvals,
      notifier,
      log,
      decider,
      workspaceRoot,
      queue: this.queue,
      get settings() {
        return options.settings;
      },
      get tasks() {
        return board();
      },
      classify: (input) => options.classify(input),
      ensureMeta: (pane) => this.ensureMeta(pane),
      updatePhase: (meta) => this.updatePhase(meta),
      changed: () => this.changed(),
      audit: (event, context, level) => this.audit(event, context, level),
      iso: () => this.iso(),
    };
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

export type { PaneState };
