import { randomUUID } from 'node:crypto';
import type { CommandResult, PaneMeta, QueuedCommand, Risk } from '../supervisor/paneMetadata';

const HOLDING_BLOCKERS: readonly string[] = ['failure_streak', 'loop', 'auth'];

export interface CommandRequest {
  pane: string;
  text: string;
  cwd?: string;
  kind?: QueuedCommand['kind'];
  source: QueuedCommand['source'];
  /** A caller may ask for a human's confirmation even where the rules would not. */
  requires_confirmation?: boolean;
}

export interface RiskVerdict {
  risk: Risk;
  reasons: string[];
  /** What the approval rules say: send at once, ask a human first, or never send. */
  decision: 'auto' | 'ask' | 'deny';
}

/** An audit event of the queue: the orchestrator writes it to app.jsonl (category audit) and the metrics. */
export type QueueEvent =
  | { event: 'command.queued'; command: QueuedCommand; queue_depth: number; reasons: string[] }
  | { event: 'command.approval_needed'; command: QueuedCommand; reasons: string[] }
  | { event: 'command.dispatched'; command: QueuedCommand; queue_depth: number }
  | { event: 'command.result'; command: QueuedCommand; result: CommandResult; queue_depth: number };

export interface CommandQueueDeps {
  panes(): string[];
  meta(pane: string): PaneMeta | undefined;
  classify(request: CommandRequest): Promise<RiskVerdict>;
  /** The pane waits for input (and no other command of ours is still running in it). */
  isReady(pane: string): boolean;
  /** Types the command; false when the pane is gone. */
  type(command: QueuedCommand): Promise<boolean>;
  /** Files an approval request and returns its id. */
  requestApproval(command: QueuedCommand, verdict: RiskVerdict): Promise<string>;
  emit(event: QueueEvent): void;
  /** Metadata changed: persist it. */
  changed(): void;
  now(): number;
  cooldownMs(): number;
  dryRun(): boolean;
}

/**
 * One queue per pane. Nothing is typed into a busy pane; two commands to one pane are at least
 * `session_cooldown_seconds` apart; a command the rules call risky waits for a human's decision; a denied one is
 * never typed. The queue lives in the pane's metadata (`queued_commands`), so it survives a restart of the
 * orchestrator. Each dispatched command's result is captured when the agent's turn ends.
 */
export class CommandQueue {
  private readonly lastDispatchAt = new Map<string, number>();
  private readonly inflight = new Map<string, QueuedCommand>();
  private readonly pumping = new Set<string>();
  private readonly repump = new Set<string>();

  constructor(private readonly deps: CommandQueueDeps) {}

  /** Classifies and queues a command; it is dispatched when its pane is ready. Refused commands never queue. */
  async enqueue(request: CommandRequest): Promise<{ command: QueuedCommand; verdict: RiskVerdict }> {
    const meta = this.deps.meta(request.pane);
    if (!meta) throw new Error(`no pane "${request.pane}"`);
    const verdict = await this.deps.classify(request);
    const command: QueuedCommand = {
      id: randomUUID().slice(0, 8),
      pane: request.pane,
      text: request.text,
      ...(request.cwd ? { cwd: request.cwd } : {}),
      kind: request.kind ?? 'prompt',
      risk: verdict.risk,
      requires_confirmation: verdict.decision === 'ask' || request.requires_confirmation === true,
      source: request.source,
      queued_at: new Date(this.deps.now()).toISOString(),
    };
    if (verdict.decision === 'deny') {
      this.finish(
        command,
        'denied',
        `refused by the approval rules: ${verdict.reasons.join('; ') || verdict.risk}`,
      );
      return { command, verdict };
    }
    meta.queued_commands.push(command);
    this.deps.emit({
      event: 'command.queued',
      command,
      queue_depth: meta.queued_commands.length,
      reasons: verdict.reasons,
    });
    if (command.requires_confirmation) {
      command.approval_id = await this.deps.requestApproval(command, verdict);
      this.deps.emit({ event: 'command.approval_needed', command, reasons: verdict.reasons });
    }
    this.deps.changed();
    void this.pump(request.pane);
    return { command, verdict };
  }

  /** A human decided on a queued command's approval. */
  decided(approvalId: string, approved: boolean, by: string, message?: string): boolean {
    for (const pane of this.panesWithQueues()) {
      const meta = this.deps.meta(pane);
      const command = meta?.queued_commands.find((c) => c.approval_id === approvalId);
      if (!meta || !command) continue;
      if (approved) {
        command.requires_confirmation = false;
        this.deps.changed();
        void this.pump(pane);
      } else {
        meta.queued_commands = meta.queued_commands.filter((c) => c !== command);
        this.finish(command, 'denied', `denied by ${by}${message ? `: ${message}` : ''}`);
      }
      return true;
    }
    return false;
  }

  queued(pane: string): QueuedCommand[] {
    return this.deps.meta(pane)?.queued_commands ?? [];
  }

  inflightFor(pane: string): QueuedCommand | undefined {
    return this.inflight.get(pane);
  }

  /** Dispatches the head of the pane's queue when the pane is ready, the cooldown is over and it is approved. */
  async pump(pane: string): Promise<void> {
    if (this.pumping.has(pane)) {
      // Another pump of this pane is typing: it looks at the queue again when it is done.
      this.repump.add(pane);
      return;
    }
    this.pumping.add(pane);
    try {
      const meta = this.deps.meta(pane);
      const head = meta?.queued_commands[0];
      if (!meta || !head || head.requires_confirmation || this.inflight.has(pane)) return;
      // A pane blocked by a failure streak, a loop or missing credentials takes no more commands from FleetAI
      // until a person clears it; a person's own commands still go.
      const holding = meta.blockers.some((b) => HOLDING_BLOCKERS.includes(b.kind));
      if (holding && head.source !== 'user' && head.source !== 'cli') return;
      if (!this.deps.isReady(pane)) return;
      const since = this.deps.now() - (this.lastDispatchAt.get(pane) ?? 0);
      if (since < this.deps.cooldownMs()) return;
      meta.queued_commands.shift();
      this.lastDispatchAt.set(pane, this.deps.now());
      if (this.deps.dryRun()) {
        this.deps.emit({
          event: 'command.dispatched',
          command: head,
          queue_depth: meta.queued_commands.length,
        });
        this.finish(head, 'dry_run', 'dry run: nothing typed');
        return;
      }
      this.inflight.set(pane, head);
      this.deps.emit({
        event: 'command.dispatched',
        command: head,
        queue_depth: meta.queued_commands.length,
      });
      this.deps.changed();
      if (!(await this.deps.type(head))) {
        this.inflight.delete(pane);
        this.finish(head, 'failure', 'the pane is gone');
      }
    } finally {
      this.pumping.delete(pane);
      if (this.repump.delete(pane)) void this.pump(pane);
    }
  }

  /**
   * The agent finished the turn our command started (success), or failed or exited (failure). `exitCode`, when a
   * shell reports it, decides for shell commands.
   */
  settle(pane: string, outcome: 'success' | 'failure', detail: string): QueuedCommand | undefined {
    const command = this.inflight.get(pane);
    if (!command) return undefined;
    this.inflight.delete(pane);
    this.finish(command, outcome, detail);
    return command;
  }

  /** Forgets in-flight work of a pane that restarted or was removed (its result is a failure). */
  abandon(pane: string, detail: string): void {
    this.settle(pane, 'failure', detail);
  }

  private finish(command: QueuedCommand, result: CommandResult['result'], detail: string): void {
    const meta = this.deps.meta(command.pane);
    const record: CommandResult = {
      command_id: command.id,
      text: command.text,
      result,
      detail,
      ts: new Date(this.deps.now()).toISOString(),
    };
    if (meta) {
      meta.last_command_result = record;
      if (result === 'failure') meta.failure_streak += 1;
      else if (result === 'success') meta.failure_streak = 0;
    }
    this.deps.emit({
      event: 'command.result',
      command,
      result: record,
      queue_depth: meta?.queued_commands.length ?? 0,
    });
    this.deps.changed();
  }

  private panesWithQueues(): string[] {
    return this.deps.panes().filter((pane) => (this.deps.meta(pane)?.queued_commands.length ?? 0) > 0);
  }
}
