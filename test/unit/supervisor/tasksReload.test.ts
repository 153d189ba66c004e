import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { applyDraft } from '../../../extension/core/requirements/applyDraft';
import { taskDraftSchema } from '../../../extension/core/requirements/draftSchema';
import { createClassifier } from '../../../extension/core/supervisor/approvalsGlue';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { Orchestrator } from '../../../extension/core/supervisor/orchestrator';
import type { Notification } from '../../../extension/core/supervisor/ports';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../extension/core/supervisor/settings';
import { storeApprovalsPort } from '../../../extension/core/supervisor/storeApprovals';
import {
  diffTasks,
  reloadTasks,
  watchTasks,
  type TasksReloadOutcome,
  type TasksWatch,
} from '../../../extension/core/supervisor/tasksReload';
import type { TaskSpec } from '../../../extension/core/supervisor/taskBoard';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { useTempDirs } from '../helpers';
import { RecordingNotifier, ScriptedFleet } from './scriptedFleet';

// The running supervisor's task board follows .fleetai/orchestrator.json (issue 9 gap): real temp workspaces,
// the real Orchestrator over a scripted fleet (no agent runs here), the real config loader and file watcher.
const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async <T>(check: () => T | undefined | false, what: () => string, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function writeConfig(file: string, tasks: unknown[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ metrics_port: 0, portal: { port: 0 }, tasks }, null, 2));
}

async function orchestratorIn(workspace: string, tasks: TaskSpec[]) {
  const paths = workspacePaths(workspace);
  const log = createMemoryLog();
  const approvals = storeApprovalsPort(paths, log);
  const orchestrator = new Orchestrator({
    fleet: new ScriptedFleet(),
    approvals,
    notifier: new RecordingNotifier(),
    store: { load: () => Promise.resolve(undefined), save: () => Promise.resolve() },
    log,
    settings: { ...DEFAULT_SUPERVISOR_SETTINGS, tickMs: 60_000, heartbeatMs: 60_000 },
    classify: createClassifier(defaultOrchestratorConfig(), workspace),
    workspaceRoot: workspace,
    tasks,
  });
  await orchestrator.start();
  cleanups.push(async () => {
    await orchestrator.dispose();
    approvals.dispose();
  });
  return { orchestrator, log, paths };
}

const events = (log: ReturnType<typeof createMemoryLog>, event: string) =>
  log.lines.filter((l) => l.event === event).map((l) => l.context as Record<string, unknown>);

describe('tasks reloaded by the running supervisor', () => {
  it('diffs by id, ignoring key order, and counts the kept tasks whose work started', () => {
    const status = (phase: 'PLANNING' | 'EXECUTING' | 'DONE') => ({ phase, updated_at: '' });
    const changes = diffTasks(
      [
        { id: 'a', title: 'A', depends_on: [], status: status('DONE') },
        { id: 'b', title: 'B', pane: 'p1', status: status('EXECUTING') },
        { id: 'c', title: 'C', status: status('PLANNING') },
      ],
      [
        { depends_on: [], title: 'A', id: 'a' },
        { id: 'b', title: 'B, narrower', pane: 'p1' },
        { id: 'd', title: 'D' },
      ],
    );
    expect(changes).toEqual({ total: 3, added: ['d'], removed: ['c'], changed: ['b'], in_progress: ['b'] });
  });

  it('replaces the board on a valid change, keeping the phase and pane of a task in progress', async () => {
    const workspace = tempDir();
    const { orchestrator, log, paths } = await orchestratorIn(workspace, [
      { id: 'build', title: 'Build it', depends_on: [] },
      { id: 'ship', title: 'Ship it', depends_on: ['build'] },
    ]);
    orchestrator.tasks.setPhase('build', 'EXECUTING', '2026-11-21T10:00:00.000Z', 'p1');
    await writeConfig(paths.orchestratorConfig, [
      { id: 'build', title: 'Build it, with tests' },
      { id: 'ship', title: 'Ship it', depends_on: ['build'] },
      { id: 'docs', title: 'Write the docs', depends_on: ['build'] },
    ]);

    const outcome = await reloadTasks({
      configFile: paths.orchestratorConfig,
      supervisor: orchestrator,
      log,
    });
    expect(outcome.kind).toBe('reloaded');
    expect(orchestrator.tasks.list().map((t) => [t.id, t.title, t.status.phase, t.status.pane])).toEqual([
      ['build', 'Build it, with tests', 'EXECUTING', 'p1'],
      ['ship', 'Ship it', 'PLANNING', undefined],
      ['docs', 'Write the docs', 'PLANNING', undefined],
    ]);
    expect(orchestrator.tasks.waitingOn('docs')).toEqual(['build']);
    expect(events(log, 'tasks.reloaded')).toEqual([
      expect.objectContaining({ total: 3, added: 1, removed: 0, changed: 1, in_progress: 1 }),
    ]);
    // The supervisor's saved state carries the kept status too.
    expect(orchestrator.snapshot().tasks.build).toMatchObject({ phase: 'EXECUTING', pane: 'p1' });

    // The same tasks again (another key order, a comment): nothing to do, nothing logged.
    await fs.writeFile(
      paths.orchestratorConfig,
      `// edited\n${JSON.stringify({
        tasks: [
          { title: 'Build it, with tests', id: 'build' },
          { id: 'ship', title: 'Ship it', depends_on: ['build'] },
          { id: 'docs', title: 'Write the docs', depends_on: ['build'] },
        ],
      })}`,
    );
    expect(
      (await reloadTasks({ configFile: paths.orchestratorConfig, supervisor: orchestrator, log })).kind,
    ).toBe('unchanged');
    expect(events(log, 'tasks.reloaded')).toHaveLength(1);
  });

  it('keeps the old board when the file is invalid, naming the file and the field; and when it is deleted', async () => {
    const workspace = tempDir();
    const tasks = [{ id: 'build', title: 'Build it' }];
    const { orchestrator, log, paths } = await orchestratorIn(workspace, tasks);
    await writeConfig(paths.orchestratorConfig, [
      { id: 'build', title: 'Build it' },
      { id: 'ship', title: 'Ship it', depends_on: ['biuld'] },
    ]);
    const outcome = await reloadTasks({
      configFile: paths.orchestratorConfig,
      supervisor: orchestrator,
      log,
    });
    expect(outcome.kind).toBe('invalid');
    const problem = (outcome as Extract<TasksReloadOutcome, { kind: 'invalid' }>).problem;
    expect(problem).toContain(paths.orchestratorConfig);
    expect(problem).toMatch(/tasks\.1\.depends_on\.0|tasks\[1\]\.depends_on/);
    expect(problem).toContain('no task with id "biuld"');
    expect(orchestrator.tasks.list().map((t) => t.id)).toEqual(['build']);
    expect(events(log, 'tasks.reload.invalid')).toEqual([
      expect.objectContaining({ file: paths.orchestratorConfig }),
    ]);

    // A schema error (a title that is not a string) is refused the same way.
    await writeConfig(paths.orchestratorConfig, [{ id: 'build', title: 7 }]);
    const schema = await reloadTasks({ configFile: paths.orchestratorConfig, supervisor: orchestrator, log });
    expect(schema.kind).toBe('invalid');
    expect((schema as Extract<TasksReloadOutcome, { kind: 'invalid' }>).problem).toMatch(/title/);

    await fs.rm(paths.orchestratorConfig);
    expect(
      (await reloadTasks({ configFile: paths.orchestratorConfig, supervisor: orchestrator, log })).kind,
    ).toBe('missing');
    expect(orchestrator.tasks.list().map((t) => t.id)).toEqual(['build']);
  });

  it('watches the file: an atomic write (temp file and rename) reloads the board once the burst settles', async () => {
    const workspace = tempDir();
    const { orchestrator, log, paths } = await orchestratorIn(workspace, []);
    // No .fleetai folder yet: the watcher polls for the file until the folder appears.
    const outcomes: TasksReloadOutcome[] = [];
    const watcher: TasksWatch = watchTasks({
      configFile: paths.orchestratorConfig,
      supervisor: orchestrator,
      log,
      debounceMs: 50,
      onOutcome: (o) => outcomes.push(o),
    });
    cleanups.push(() => watcher.dispose());
    await writeConfig(paths.orchestratorConfig, [{ id: 'one', title: 'One' }]);
    await until(
      () => orchestrator.tasks.list().length === 1,
      () => `the first task from a new file; log ${JSON.stringify(log.lines.slice(-3))}`,
    );

    const temp = `${paths.orchestratorConfig}.tmp`;
    await fs.writeFile(
      temp,
      JSON.stringify({
        tasks: [
          { id: 'one', title: 'One' },
          { id: 'two', title: 'Two', depends_on: ['one'] },
        ],
      }),
    );
    await fs.rename(temp, paths.orchestratorConfig);
    await until(
      () => orchestrator.tasks.list().length === 2,
      () => `the second task after an atomic write; outcomes ${JSON.stringify(outcomes)}`,
    );

    // An invalid save is reported to the listener and the board stays.
    await fs.writeFile(paths.orchestratorConfig, '{ "tasks": [ { "id": "one" ');
    const invalid = await until(
      () => outcomes.find((o) => o.kind === 'invalid'),
      () => `an invalid outcome; outcomes ${JSON.stringify(outcomes)}`,
    );
    expect(invalid.kind).toBe('invalid');
    expect(orchestrator.tasks.list().map((t) => t.id)).toEqual(['one', 'two']);
    watcher.dispose();
    await writeConfig(paths.orchestratorConfig, [{ id: 'three', title: 'Three' }]);
    // A reload asked for by hand works without the watcher.
    expect((await watcher.reload()).kind).toBe('reloaded');
    expect(orchestrator.tasks.list().map((t) => t.id)).toEqual(['three']);
  });

  it('fleet orchestrator (in process) takes the tasks fleet tasks:apply writes, without a restart', async () => {
    const workspace = tempDir();
    const paths = workspacePaths(workspace);
    await writeConfig(paths.orchestratorConfig, [{ id: 'schema', title: 'Design the schema' }]);
    const log = createMemoryLog();
    const notified: Notification[] = [];
    const headless: HeadlessOrchestrator = await startHeadlessOrchestrator({
      configFile: paths.orchestratorConfig,
      workspace,
      paths,
      builtinProfilesDir: path.resolve('agents-config'),
      log,
      onNotify: (n) => notified.push(n),
    });
    cleanups.push(() => headless.stop());
    // What `fleet tasks:apply` does with a draft (the same core function).
    const draft = taskDraftSchema.parse({
      source: {
        doc: 'docs/req.md',
        sha256: '0'.repeat(64),
        decomposed_by: 'rules',
        created_at: '2026-11-21T10:00:00.000Z',
      },
      tasks: [
        { id: 'api', title: 'Build the API', depends_on: ['schema'] },
        { id: 'ui', title: 'Build the UI', depends_on: ['api'] },
      ],
    });
    await applyDraft(draft, paths.orchestratorConfig);
    await until(
      () => headless.orchestrator.tasks.list().length === 3,
      () => `three tasks on the running board; log ${JSON.stringify(events(log, 'tasks.reloaded'))}`,
    );
    expect(headless.orchestrator.tasks.list().map((t) => t.id)).toEqual(['schema', 'api', 'ui']);
    expect(headless.orchestrator.tasks.waitingOn('ui')).toEqual(['api']);
    expect(events(log, 'tasks.reloaded')).toEqual([
      expect.objectContaining({ total: 3, added: 2, removed: 0, changed: 0 }),
    ]);

    // An invalid save reaches the CLI's output as a warning naming the file and the problem.
    await writeConfig(paths.orchestratorConfig, [
      { id: 'schema', title: 'Design the schema', depends_on: ['x'] },
    ]);
    const warning = await until(
      () => notified.find((n) => n.title.startsWith('Tasks not reloaded')),
      () => `a warning among ${JSON.stringify(notified)}`,
    );
    expect(warning.severity).toBe('warning');
    expect(warning.message).toContain(paths.orchestratorConfig);
    expect(warning.message).toContain('no task with id "x"');
    expect(headless.orchestrator.tasks.list().map((t) => t.id)).toEqual(['schema', 'api', 'ui']);
  }, 30_000);
});
