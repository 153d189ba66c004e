import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { operationsLogFile } from '../../../extension/core/observability/operationsLog';
import { Notifier } from '../../../extension/core/notify/notifier';
import type { NotifyEvent } from '../../../extension/core/notify/types';
import { createClassifier } from '../../../extension/core/supervisor/approvalsGlue';
import { Orchestrator } from '../../../extension/core/supervisor/orchestrator';
import type { SupervisorState } from '../../../extension/core/supervisor/paneMetadata';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../extension/core/supervisor/settings';
import { SUPERVISOR_STATE_FILE, supervisorStateStore } from '../../../extension/core/supervisor/stateStore';
import { storeApprovalsPort } from '../../../extension/core/supervisor/storeApprovals';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { useStateFolders } from '../store/readOnlyFolder';
import { ScriptedFleet } from './scriptedFleet';

const folders = useStateFolders();
const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

const until = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** The real supervisor on a real state folder (its own tmpfs as root), a scripted fleet and the real notifier. */
async function setup(settings: Partial<typeof DEFAULT_SUPERVISOR_SETTINGS> = {}) {
  const workspace = folders.workspace();
  const paths = workspacePaths(workspace);
  const state = folders.stateFolder(paths.stateDir);
  const log = createMemoryLog();
  const sent: NotifyEvent[] = [];
  const notifier = new Notifier({
    log,
    settings: {
      minLevel: 'critical',
      dedupeMs: 0,
      timeoutMs: 1000,
      retryMinMs: 100,
      retryMaxMs: 1000,
      burst: 5,
      perMinute: 20,
      dropSummaryMs: 60_000,
    },
    remote: [],
    local: [(event) => sent.push(event)],
  });
  const fleet = new ScriptedFleet();
  fleet.add('p1', { cwd: workspace });
  const approvals = storeApprovalsPort(paths, log);
  const orchestrator = new Orchestrator({
    fleet,
    approvals,
    notifier,
    store: supervisorStateStore(paths.stateDir),
    log,
    settings: {
      ...DEFAULT_SUPERVISOR_SETTINGS,
      sessionCooldownMs: 0,
      tickMs: 3_600_000,
      heartbeatMs: 3_600_000,
      ...settings,
    },
    classify: createClassifier(defaultOrchestratorConfig(), workspace),
    workspaceRoot: workspace,
  });
  await orchestrator.start();
  running.push(async () => {
    await orchestrator.dispose();
    approvals.dispose();
  });
  const audit = (event: string) => log.lines.filter((l) => l.category === 'audit' && l.event === event);
  return { workspace, paths, state, log, sent, fleet, orchestrator, audit };
}

describe('supervisor: the state folder stops taking writes', () => {
  it('blocks the pane, sends nothing to it, notifies critically with the file and the fix, logs it, keeps supervisor.json, and resumes by itself once writable', async () => {
    const { workspace, paths, state, sent, fleet, orchestrator, audit } = await setup();
    await orchestrator.flush();
    const file = path.join(paths.stateDir, SUPERVISOR_STATE_FILE);
    const before = readFileSync(file);

    state.readOnly();
    fleet.set('p1', 'working');
    await orchestrator.flush();

    const meta = orchestrator.metaFor('p1')!;
    expect(meta.blockers.find((b) => b.kind === 'state_unwritable')?.reason).toContain(
      'blocked: state not writable',
    );
    expect(meta.phase).toBe('BLOCKED');
    const critical = sent.filter((event) => event.title === 'FleetAI cannot write its state');
    expect(critical).toHaveLength(1);
    expect(critical[0]!.severity).toBe('critical');
    expect(critical[0]!.message).toContain(file);
    expect(critical[0]!.message).toContain('Fix: ');
    expect(critical[0]!.message).toContain('resumes by itself');
    expect(audit('supervisor.state.unwritable')).toHaveLength(1);
    await until(() => {
      try {
        return readFileSync(operationsLogFile(workspace), 'utf8').includes('state not writable');
      } catch {
        return false;
      }
    }, 'the operations log entry');
    const entry = readFileSync(operationsLogFile(workspace), 'utf8');
    expect(entry).toContain('supervisor, panes p1');
    expect(entry).toMatch(/what to do \/ 处理办法: .*fleet status/);

    // Meanwhile nothing reaches the pane: a stall gets no nudge, a command no typing, a tick no retry.
    fleet.set('p1', 'stalled');
    await orchestrator.submit({ pane: 'p1', text: 'ls', source: 'user' });
    fleet.set('p1', 'awaiting_input');
    await orchestrator.tick();
    await orchestrator.tick();
    expect(fleet.typed).toEqual([]);
    expect(fleet.interrupts).toEqual([]);
    expect(orchestrator.metaFor('p1')!.blockers.map((b) => b.kind)).toContain('state_unwritable');
    // A person's unblock does not lift it either: only a writable state does.
    orchestrator.unblock('p1', 'test');
    await orchestrator.tick();
    expect(fleet.typed).toEqual([]);
    expect(orchestrator.metaFor('p1')!.blockers.map((b) => b.kind)).toContain('state_unwritable');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(sent.filter((event) => event.title === 'FleetAI cannot write its state')).toHaveLength(1);

    // Writable again: the next tick lifts the blocker, says so, and the queued command goes out.
    state.writable();
    await orchestrator.tick();
    expect(orchestrator.metaFor('p1')!.blockers.map((b) => b.kind)).not.toContain('state_unwritable');
    expect(sent.some((event) => event.title === 'FleetAI can write its state again')).toBe(true);
    expect(audit('supervisor.state.writable')).toHaveLength(1);
    await orchestrator.tick();
    await until(() => fleet.typed.some((t) => t.text === 'ls'), 'the queued command to be typed');
    await orchestrator.flush();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SupervisorState;
    expect(saved.panes.p1?.blockers).toEqual([]);
  });

  it('an approval request the disk refuses blocks only that pane', async () => {
    const { paths, fleet, orchestrator, sent } = await setup();
    fleet.add('p2', {});
    await orchestrator.flush();
    // Only the approvals folder refuses (a mount of its own; the supervisor's file still saves): p1 asks.
    const approvalsFolder = folders.stateFolder(paths.approvalsDir);
    approvalsFolder.readOnly();
    fleet.set('p1', 'awaiting_approval', {
      approval: {
        kind: 'command',
        command: 'rm -rf build',
        options: [
          { keys: 'y', label: 'Yes' },
          { keys: '\u001b', label: 'No' },
        ],
      },
    });
    await until(
      () => orchestrator.metaFor('p1')!.blockers.some((b) => b.kind === 'state_unwritable'),
      'p1 to be blocked',
    );
    expect(orchestrator.metaFor('p1')!.blockers.find((b) => b.kind === 'state_unwritable')?.reason).toContain(
      paths.approvalsDir,
    );
    expect(orchestrator.metaFor('p2')!.blockers).toEqual([]);
    expect(fleet.answers).toEqual([]);
    const critical = sent.find((event) => event.title === 'FleetAI cannot write its state');
    expect(critical?.pane).toBe('p1');

    // p2 is still looked after: its stall gets a nudge, p1's does not.
    fleet.set('p1', 'stalled');
    fleet.set('p2', 'stalled');
    await until(() => fleet.typed.some((t) => t.pane === 'p2'), 'the nudge to p2');
    expect(fleet.typed.filter((t) => t.pane === 'p1')).toEqual([]);

    // Writable: the next tick frees p1.
    approvalsFolder.writable();
    await orchestrator.tick();
    expect(orchestrator.metaFor('p1')!.blockers.map((b) => b.kind)).not.toContain('state_unwritable');
  });

  it('an unhealed stall writes an operations-log entry with the nudges tried and a command to run', async () => {
    const { workspace, fleet, orchestrator } = await setup({ stallRetriesBeforeNotify: 1 });
    fleet.set('p1', 'stalled');
    await until(() => fleet.typed.length === 1, 'the first nudge');
    await orchestrator.tick();
    await until(() => {
      try {
        return readFileSync(operationsLogFile(workspace), 'utf8').includes('Agent stalled');
      } catch {
        return false;
      }
    }, 'the stall entry');
    const log = readFileSync(operationsLogFile(workspace), 'utf8');
    expect(log).toContain('# FleetAI operations log');
    expect(log).toMatch(/## \S+ — pane p1: Agent stalled/);
    expect(log).toContain('1 nudge(s)');
    expect(log).toContain('fleet unblock p1');
  });
});
