import { CATEGORY, type SupervisorContext } from './context';
import { recordAction, type PaneMeta } from './paneMetadata';
import type { FleetPaneView } from './ports';
import type { TaskSpec } from './taskBoard';

/** Tasks from the config through their phases: dispatched to their pane when ready, checked when it goes idle. */
export class TaskProgress {
  constructor(private readonly ctx: SupervisorContext) {}

  async dispatchTasks(): Promise<void> {
    for (const task of this.ctx.tasks.dispatchable()) {
      const pane = this.ctx.fleet
        .list()
        .find((p) => p.id === task.pane || (task.branch !== undefined && p.branch === task.branch));
      if (!pane || pane.exited) continue;
      this.ctx.tasks.setPhase(task.id, 'EXECUTING', this.ctx.iso(), pane.id);
      const meta = this.ctx.ensureMeta(pane);
      meta.task = task.id;
      this.ctx.audit('task.dispatched', { task: task.id, pane: pane.id, branch: pane.branch });
      await this.ctx.queue.enqueue({
        pane: pane.id,
        text: this.ctx.tasks.prompt(task),
        kind: 'prompt',
        source: 'task',
      });
    }
    for (const task of this.ctx.tasks.list()) {
      if (task.status.phase !== 'PLANNING') continue;
      const waiting = this.ctx.tasks.waitingOn(task.id);
      if (waiting.length > 0) this.ctx.log.debug(CATEGORY, 'task.waiting', { task: task.id, on: waiting });
    }
  }

  /** The agent went idle on a task: done when nothing remains (VERIFYING while the acceptance runs). */
  async checkTask(task: TaskSpec, pane: FleetPaneView, meta: PaneMeta): Promise<string[]> {
    const status = this.ctx.tasks.statusOf(task.id);
    if (status.phase === 'DONE' || status.phase === 'PLANNING') return [];
    this.ctx.tasks.setPhase(task.id, 'VERIFYING', this.ctx.iso());
    meta.phase = 'VERIFYING';
    const remaining = await this.ctx.tasks.remaining(task, pane.cwd);
    if (remaining.length === 0) {
      this.ctx.tasks.setPhase(task.id, 'DONE', this.ctx.iso());
      recordAction(meta, 'task.done', task.id, this.ctx.iso());
      this.ctx.audit('task.done', { task: task.id, pane: pane.id, branch: pane.branch });
      void this.dispatchTasks();
    } else {
      this.ctx.tasks.setPhase(task.id, 'EXECUTING', this.ctx.iso());
      this.ctx.audit('task.unfinished', { task: task.id, pane: pane.id, branch: pane.branch, remaining });
    }
    this.ctx.changed();
    return remaining;
  }
}
