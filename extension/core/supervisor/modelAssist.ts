import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../errors';
import type { SupervisorContext } from './context';
import { fingerprint } from './loopDetector';
import { SUMMARIES_KEPT, type PaneMeta } from './paneMetadata';
import type { FleetPaneView } from './ports';
import { RISK_ORDER } from './riskOrder';

/**
 * What the optional model adds to the rules (seed 003): next actions and commands for a blocked pane,
 * requirements documents decomposed into sub-tasks, summaries of long transcripts. Each runs at most once at a
 * time per pane (or task); a failed model call is audited as `model.error`.
 */
export class ModelAssist {
  private readonly askingModel = new Set<string>();
  private readonly decomposing = new Set<string>();
  private readonly summarizing = new Set<string>();
  private readonly lastSummaryAt = new Map<string, string>();

  constructor(private readonly ctx: SupervisorContext) {}

  /** A blocked pane: the model's next actions replace the rules'; its commands go through the queue. */
  async askModel(pane: FleetPaneView, meta: PaneMeta): Promise<void> {
    const decider = this.ctx.decider;
    if (!decider || this.askingModel.has(pane.id)) return;
    this.askingModel.add(pane.id);
    try {
      const task = this.ctx.tasks.taskForPane(pane);
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
        screen: this.ctx.fleet.tail(pane.id, 60),
        ...(meta.last_command_result ? { last_command_result: meta.last_command_result } : {}),
        blockers: meta.blockers,
        ...(meta.history_summaries.at(-1) ? { recent_summary: meta.history_summaries.at(-1)!.summary } : {}),
        recent_actions: meta.recent_actions.slice(-10),
        next_actions: meta.next_actions,
      });
      if (!result.ok) {
        this.ctx.audit(
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
      this.ctx.audit('model.decision', {
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
        await this.ctx.queue.enqueue({
          pane: command.pane && this.ctx.fleet.get(command.pane) ? command.pane : pane.id,
          text: command.text,
          kind: 'prompt',
          source: 'model',
          // The model may ask for confirmation; it can never waive what the rules require.
          requires_confirmation: decision.requires_confirmation || RISK_ORDER.indexOf(command.risk) >= 2,
        });
      }
      this.ctx.changed();
    } finally {
      this.askingModel.delete(pane.id);
    }
  }

  /**
   * A task with a requirements document is decomposed into sub-tasks by the model (seed 003, scenario D), once;
   * the result is kept with the task and as its pane's `task_decomposition`.
   */
  async decomposeTasks(): Promise<void> {
    const decider = this.ctx.decider;
    if (!decider) return;
    for (const task of this.ctx.tasks.list()) {
      if (!task.requirements_doc || task.status.decomposition || this.decomposing.has(task.id)) continue;
      this.decomposing.add(task.id);
      try {
        const file = path.resolve(this.ctx.workspaceRoot, task.requirements_doc);
        const text = await fs.readFile(file, 'utf8').catch((error: unknown) => {
          this.ctx.audit(
            'task.decomposition.failed',
            { task: task.id, error: `cannot read ${file}: ${describeError(error)}` },
            'warn',
          );
          return undefined;
        });
        if (text === undefined) continue;
        const result = await decider.decompose(text, task.title);
        if (!result.ok) {
          this.ctx.audit(
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
        const status = this.ctx.tasks.statusOf(task.id);
        status.decomposition = decomposition;
        const pane = this.ctx.fleet
          .list()
          .find(
            (p) =>
              p.id === task.pane ||
              p.id === status.pane ||
              (task.branch !== undefined && p.branch === task.branch),
          );
        if (pane) this.ctx.ensureMeta(pane).task_decomposition = decomposition;
        this.ctx.audit('task.decomposed', {
          task: task.id,
          pane: pane?.id,
          branch: task.branch,
          subtasks: decomposition.map((d) => d.id),
          latency_ms: result.latencyMs,
        });
        this.ctx.changed();
      } finally {
        this.decomposing.delete(task.id);
      }
    }
  }

  /** Long transcripts are summarised into `history_summaries`, fed back to the model as `recent_summary`. */
  async summarize(pane: FleetPaneView, meta: PaneMeta): Promise<void> {
    const decider = this.ctx.decider;
    const every = this.ctx.settings.summaryEveryLines;
    if (!decider || this.summarizing.has(pane.id)) return;
    const tail = this.ctx.fleet.tail(pane.id, every);
    const mark = fingerprint(tail.slice(-20));
    if (tail.length < every || this.lastSummaryAt.get(pane.id) === mark) return;
    this.summarizing.add(pane.id);
    try {
      const result = await decider.summarize(tail, meta.history_summaries.at(-1)?.summary);
      this.lastSummaryAt.set(pane.id, mark);
      if (!result.ok) {
        this.ctx.audit(
          'model.error',
          { op: 'summarize', pane: pane.id, code: result.error.code, message: result.error.message },
          'warn',
        );
        return;
      }
      meta.history_summaries.push({ ts: this.ctx.iso(), summary: result.value.summary });
      if (meta.history_summaries.length > SUMMARIES_KEPT) {
        meta.history_summaries.splice(0, meta.history_summaries.length - SUMMARIES_KEPT);
      }
      this.ctx.audit('model.summary', { pane: pane.id, branch: pane.branch, latency_ms: result.latencyMs });
      this.ctx.changed();
    } finally {
      this.summarizing.delete(pane.id);
    }
  }
}
