import { exec } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Phase, SubTask } from './paneMetadata';

export interface TaskSpec {
  id: string;
  title: string;
  branch?: string;
  pane?: string;
  owner?: string;
  tags?: string[];
  phase?: Phase;
  depends_on?: string[];
  acceptance?: { checklist?: string[]; command?: string };
  requirements_doc?: string;
  /** What to tell the agent; default: the title and the acceptance criteria. */
  prompt?: string;
}

export interface TaskStatus {
  phase: Phase;
  pane?: string;
  updated_at: string;
  decomposition?: SubTask[];
}

/**
 * The workspace's tasks: which may start (every dependency DONE), which pane runs each, what each still lacks.
 * Phases chain PLANNING -> EXECUTING -> VERIFYING -> DONE; BLOCKED while its pane is blocked.
 */
export class TaskBoard {
  constructor(
    private readonly specs: readonly TaskSpec[],
    private readonly status: Record<string, TaskStatus>,
    private readonly workspaceRoot: string,
  ) {
    for (const spec of specs) {
      this.status[spec.id] ??= { phase: spec.phase ?? 'PLANNING', updated_at: new Date(0).toISOString() };
    }
  }

  list(): (TaskSpec & { status: TaskStatus })[] {
    return this.specs.map((spec) => ({ ...spec, status: this.statusOf(spec.id) }));
  }

  get(id: string): TaskSpec | undefined {
    return this.specs.find((t) => t.id === id);
  }

  statusOf(id: string): TaskStatus {
    return (this.status[id] ??= { phase: 'PLANNING', updated_at: new Date(0).toISOString() });
  }

  setPhase(id: string, phase: Phase, now: string, pane?: string): boolean {
    const status = this.statusOf(id);
    if (status.phase === phase && (pane === undefined || status.pane === pane)) return false;
    status.phase = phase;
    status.updated_at = now;
    if (pane !== undefined) status.pane = pane;
    return true;
  }

  /** The unfinished dependencies of a task (empty: it may be dispatched). */
  waitingOn(id: string): string[] {
    const spec = this.get(id);
    return (spec?.depends_on ?? []).filter((dep) => this.statusOf(dep).phase !== 'DONE');
  }

  /** Tasks not started whose dependencies are all DONE, in config order. */
  dispatchable(): TaskSpec[] {
    return this.specs.filter(
      (spec) => this.statusOf(spec.id).phase === 'PLANNING' && this.waitingOn(spec.id).length === 0,
    );
  }

  /** The task a pane works on (assigned by id or by branch). */
  taskForPane(pane: { id: string; branch?: string }): TaskSpec | undefined {
    return this.specs.find(
      (t) =>
        this.statusOf(t.id).pane === pane.id ||
        t.pane === pane.id ||
        (t.branch !== undefined && t.branch === pane.branch),
    );
  }

  prompt(spec: TaskSpec): string {
    if (spec.prompt) return spec.prompt;
    const criteria = [
      ...(spec.acceptance?.checklist ?? []).map((c) => `- ${c}`),
      ...(spec.acceptance?.command ? [`- \`${spec.acceptance.command}\` passes`] : []),
    ];
    return [`Task ${spec.id}: ${spec.title}.`, ...(criteria.length ? ['Done when:', ...criteria] : [])].join(
      '\n',
    );
  }

  /**
   * What the task still lacks: the acceptance command's failure (run in the pane's folder), the unchecked
   * `- [ ]` items of its requirements document. Checklist items without a document cannot be checked by rules;
   * they count as open until a model or a person says otherwise.
   */
  async remaining(spec: TaskSpec, cwd: string, options: { timeoutMs?: number } = {}): Promise<string[]> {
    const open: string[] = [];
    if (spec.requirements_doc) {
      const file = path.resolve(this.workspaceRoot, spec.requirements_doc);
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) open.push(`the requirements document ${spec.requirements_doc} cannot be read`);
      else for (const m of text.matchAll(/^\s*[-*] \[ \] (.+)$/gm)) open.push(m[1]!.trim());
    } else if (spec.acceptance?.checklist) {
      open.push(...spec.acceptance.checklist);
    }
    if (spec.acceptance?.command) {
      const result = await runAcceptance(spec.acceptance.command, cwd, options.timeoutMs ?? 300_000);
      if (result.code !== 0)
        open.push(`\`${spec.acceptance.command}\` fails (exit ${result.code}): ${result.tail}`);
    }
    return open;
  }
}

async function runAcceptance(
  command: string,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    exec(command, { cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-5).join(' | ').slice(0, 400);
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, tail });
    });
  });
}
