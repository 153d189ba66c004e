import { Emitter } from '../../../extension/core/panes/events';
import type {
  ApprovalDecision,
  PaneState,
  PaneStateEvent,
  PaneStateName,
} from '../../../extension/core/panes/types';
import type { FleetPaneView, FleetPort, Notification } from '../../../extension/core/supervisor/ports';

/**
 * A fleet of panes whose states the test sets by hand, recording everything the supervisor does to them. Not a
 * mock of an agent's behaviour: the agent-level tests (test/agents/supervisor.test.ts) run the real Codex; this
 * drives the supervisor's decisions through exact sequences that a real agent produces only by chance.
 */
export class ScriptedFleet implements FleetPort {
  readonly panes = new Map<string, FleetPaneView>();
  readonly typed: { pane: string; text: string }[] = [];
  readonly interrupts: string[] = [];
  readonly answers: { pane: string; decision: ApprovalDecision; message?: string }[] = [];
  readonly restarts: string[] = [];
  readonly screens = new Map<string, string[]>();
  private readonly states = new Emitter<PaneStateEvent>();
  private readonly membership = new Emitter<void>();

  add(id: string, options: Partial<FleetPaneView> = {}): FleetPaneView {
    const pane: FleetPaneView = {
      id,
      kind: 'codex',
      cwd: options.cwd ?? '/tmp',
      state: { name: 'awaiting_input', reason: 'prompt', evidence: [], since: new Date().toISOString() },
      exited: false,
      startedAt: Date.now() - 3_600_000,
      restarted: false,
      stoppedByUser: false,
      ...options,
    };
    this.panes.set(id, pane);
    this.membership.fire();
    return pane;
  }

  /** Moves a pane to a state and tells the supervisor, as the tracker would. */
  set(id: string, name: PaneStateName, extra: Partial<PaneState> = {}): void {
    const pane = this.panes.get(id)!;
    const from = pane.state.name;
    pane.state = {
      name,
      reason: `${name} (scripted)`,
      evidence: [],
      since: new Date().toISOString(),
      ...extra,
    };
    pane.exited = name === 'exited';
    this.states.fire({
      type: 'pane.state',
      ts: pane.state.since,
      pane: id,
      agent: pane.kind,
      from,
      to: name,
      reason: pane.state.reason,
      evidence: [],
      ...(pane.state.approval ? { approval: pane.state.approval } : {}),
      ...(pane.state.error ? { error: pane.state.error } : {}),
      ...(pane.state.exitCode !== undefined ? { exitCode: pane.state.exitCode } : {}),
    });
  }

  list(): FleetPaneView[] {
    return [...this.panes.values()];
  }
  get(id: string): FleetPaneView | undefined {
    return this.panes.get(id);
  }
  onStateChange(listener: (event: PaneStateEvent) => void) {
    return this.states.event(listener);
  }
  onMembershipChange(listener: () => void) {
    return this.membership.event(listener);
  }
  /** When set, text is typed only once it resolves (a pane holding input back, like Codex before its daemon). */
  sendGate: Promise<void> | undefined;

  async send(id: string, text: string): Promise<boolean> {
    if (this.sendGate) await this.sendGate;
    this.typed.push({ pane: id, text });
    return this.panes.has(id);
  }
  submit(): boolean {
    return true;
  }
  interrupt(id: string): boolean {
    this.interrupts.push(id);
    return true;
  }
  nudgeText(): string {
    return 'continue';
  }
  answerApproval(id: string, decision: ApprovalDecision, message?: string) {
    this.answers.push({ pane: id, decision, ...(message ? { message } : {}) });
    return Promise.resolve({ via: 'keys' });
  }
  restart(id: string): Promise<void> {
    this.restarts.push(id);
    const pane = this.panes.get(id)!;
    pane.restarted = true;
    pane.startedAt = Date.now();
    return Promise.resolve();
  }
  readonly asked: { pane: string; question: string }[] = [];
  ask(id: string, question: string) {
    this.asked.push({ pane: id, question });
    return Promise.resolve({ ok: true as const, answer: `answer to ${question}`, latencyMs: 1 });
  }
  screen(id: string): string[] {
    return this.screens.get(id) ?? [];
  }
  tail(id: string, lines: number): string[] {
    return (this.screens.get(id) ?? []).slice(-lines);
  }
}

export class RecordingNotifier {
  readonly sent: Notification[] = [];
  notify(n: Notification): void {
    this.sent.push(n);
  }
}
