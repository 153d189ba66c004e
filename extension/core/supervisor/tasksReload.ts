import { existsSync, watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { loadOrchestratorConfig, type TaskConfig } from '../config/orchestratorConfig';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { TaskSpec, TaskStatus } from './taskBoard';

/** How long a burst of file events (an editor's save, an atomic write's temp file and rename) may last. */
const DEBOUNCE_MS = 300;
/** Without the config's folder there is nothing to fs.watch: its path is polled until it appears. */
const POLL_MS = 1000;
const CATEGORY = 'supervisor';

/** The config's tasks as the supervisor's task specs (optional fields left out rather than undefined). */
export function taskSpecsFromConfig(tasks: readonly TaskConfig[]): TaskSpec[] {
  return tasks.map((t) => ({
    id: t.id,
    title: t.title,
    ...(t.branch ? { branch: t.branch } : {}),
    ...(t.pane ? { pane: t.pane } : {}),
    ...(t.owner ? { owner: t.owner } : {}),
    tags: t.tags,
    ...(t.phase ? { phase: t.phase } : {}),
    depends_on: t.depends_on,
    ...(t.acceptance ? { acceptance: t.acceptance } : {}),
    ...(t.requirements_doc ? { requirements_doc: t.requirements_doc } : {}),
    ...(t.prompt ? { prompt: t.prompt } : {}),
  }));
}

/** What a reload changed, by task id. */
export interface TaskChanges {
  total: number;
  added: string[];
  removed: string[];
  changed: string[];
  /** Tasks kept whose work had started (not PLANNING, not DONE): their phase and pane carry over. */
  in_progress: string[];
}

/** The difference between the board now and the specs read from the file. */
export function diffTasks(
  before: readonly (TaskSpec & { status: TaskStatus })[],
  after: readonly TaskSpec[],
): TaskChanges {
  const old = new Map(before.map(({ status, ...spec }) => [spec.id, { spec, status }]));
  const ids = new Set(after.map((t) => t.id));
  const changes: TaskChanges = { total: after.length, added: [], removed: [], changed: [], in_progress: [] };
  for (const spec of after) {
    const was = old.get(spec.id);
    if (!was) changes.added.push(spec.id);
    else {
      if (canonical(was.spec) !== canonical(spec)) changes.changed.push(spec.id);
      if (was.status.phase !== 'PLANNING' && was.status.phase !== 'DONE') changes.in_progress.push(spec.id);
    }
  }
  for (const id of old.keys()) if (!ids.has(id)) changes.removed.push(id);
  return changes;
}

/** A spec as JSON with its keys sorted and the config's defaults filled in, so neither is taken as a change. */
function canonical(spec: TaskSpec): string {
  const filled = { ...spec, tags: spec.tags ?? [], depends_on: spec.depends_on ?? [] };
  return JSON.stringify(filled, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : value,
  );
}

/** The part of the supervisor a reload needs (the Orchestrator). */
export interface TaskBoardHolder {
  readonly tasks: { list(): (TaskSpec & { status: TaskStatus })[] };
  replaceTasks(specs: readonly TaskSpec[]): void;
}

export type TasksReloadOutcome =
  | { kind: 'reloaded'; changes: TaskChanges }
  | { kind: 'unchanged' }
  /** The file is gone: the board stays as it was (deleting the config is not "no tasks"). */
  | { kind: 'missing' }
  /** The file does not load (syntax, schema, references): the board stays as it was. */
  | { kind: 'invalid'; problem: string };

/**
 * Reads `configFile` again and, when it is valid and its tasks differ, gives the supervisor the new board. The
 * whole config is validated as at start (schema, duplicate ids, unknown dependencies, cycles): an invalid file is
 * reported with its file and field and the old board is kept.
 */
export async function reloadTasks(options: {
  configFile: string;
  supervisor: TaskBoardHolder;
  log: Logger;
}): Promise<TasksReloadOutcome> {
  const { configFile, supervisor, log } = options;
  let loaded;
  try {
    loaded = await loadOrchestratorConfig(configFile);
  } catch (error) {
    // The loader's message names the file, line and field ("file:line:column: tasks.2.depends_on.0: ...").
    const problem = describeError(error);
    log.error(CATEGORY, 'tasks.reload.invalid', { file: configFile, error: problem });
    return { kind: 'invalid', problem };
  }
  if (!loaded.found) {
    log.warn(CATEGORY, 'tasks.reload.missing', { file: loaded.file });
    return { kind: 'missing' };
  }
  const specs = taskSpecsFromConfig(loaded.config.tasks);
  const changes = diffTasks(supervisor.tasks.list(), specs);
  if (changes.added.length + changes.removed.length + changes.changed.length === 0)
    return { kind: 'unchanged' };
  supervisor.replaceTasks(specs);
  log.info(CATEGORY, 'tasks.reloaded', {
    file: loaded.file,
    total: changes.total,
    added: changes.added.length,
    removed: changes.removed.length,
    changed: changes.changed.length,
    in_progress: changes.in_progress.length,
    ids: { added: changes.added, removed: changes.removed, changed: changes.changed },
  });
  return { kind: 'reloaded', changes };
}

export interface TasksWatch {
  /** Reloads now (what a file change does after its debounce); resolves with what it did. */
  reload(): Promise<TasksReloadOutcome>;
  dispose(): void;
}

/**
 * Watches the workspace's orchestrator.json for the running supervisor (the window's and `fleet orchestrator`):
 * `fleet tasks:apply` and "FleetAI: Apply Task Draft" write it, an editor saves it, and the board follows without
 * a restart. The folder is watched rather than the file, since an atomic write replaces the file (a new inode);
 * a burst of events is reloaded once, and reloads never overlap.
 */
export function watchTasks(options: {
  configFile: string;
  supervisor: TaskBoardHolder;
  log: Logger;
  debounceMs?: number;
  /** Told each outcome other than `unchanged` (the window shows an invalid file; tests wait on it). */
  onOutcome?: (outcome: TasksReloadOutcome) => void;
}): TasksWatch {
  const file = path.resolve(options.configFile);
  const dir = path.dirname(file);
  const name = path.basename(file);
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let disposed = false;
  let watcher: FSWatcher | undefined;
  let polling = false;

  const reload = (): Promise<TasksReloadOutcome> => {
    const next = chain.then(async () => {
      const outcome = await reloadTasks({
        configFile: file,
        supervisor: options.supervisor,
        log: options.log,
      });
      if (outcome.kind !== 'unchanged' && !disposed) options.onOutcome?.(outcome);
      return outcome;
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const schedule = (): void => {
    if (disposed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload().catch((error: unknown) =>
        options.log.error(CATEGORY, 'tasks.reload.failed', { file, error: describeError(error) }),
      );
    }, debounceMs);
    timer.unref?.();
  };
  const onPoll = (): void => {
    schedule();
    // The folder appeared: watch it from now on.
    if (existsSync(dir) && startWatch()) stopPolling();
  };
  const stopPolling = (): void => {
    if (!polling) return;
    polling = false;
    unwatchFile(file, onPoll);
  };
  const startWatch = (): boolean => {
    try {
      watcher = watch(dir, { persistent: false }, (_event, filename) => {
        // Some platforms give no name: then any change in the folder is looked at.
        if (!filename || filename.toString() === name) schedule();
      });
      watcher.on('error', (error) => {
        // The folder went away: fall back to polling for it.
        options.log.warn(CATEGORY, 'tasks.watch.lost', { dir, error: describeError(error) });
        watcher?.close();
        watcher = undefined;
        startPolling();
      });
      return true;
    } catch (error) {
      options.log.warn(CATEGORY, 'tasks.watch.unavailable', { dir, error: describeError(error) });
      return false;
    }
  };
  const startPolling = (): void => {
    if (polling || disposed) return;
    polling = true;
    watchFile(file, { persistent: false, interval: POLL_MS }, onPoll);
  };
  if (!existsSync(dir) || !startWatch()) startPolling();

  return {
    reload,
    dispose: () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      stopPolling();
    },
  };
}
