import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { operationsLogFile } from '../../../extension/core/observability/operationsLog';
import { Notifier } from '../../../extension/core/notify/notifier';
import type { NotifyEvent } from '../../../extension/core/notify/types';
import { resumeDecidedRuns } from '../../../extension/core/plans/executor/resumeRuns';
import { runPlan } from '../../../extension/core/plans/executor';
import { readRunRecord, runFile } from '../../../extension/core/plans/executor/runRecord';
import { PlanStore } from '../../../extension/core/plans/planStore';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { useStateFolders } from '../store/readOnlyFolder';
import { effect, effects, valid } from './executor/executorFixtures';

const folders = useStateFolders();

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** The real notifier with a recording local channel (no remote channel is configured). */
function recordingNotifier() {
  const log = createMemoryLog();
  const sent: NotifyEvent[] = [];
  const notifier = new Notifier({
    log,
    settings: {
      minLevel: 'critical',
      dedupeMs: 60_000,
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
  return { notifier, sent, log };
}

describe('a plan run whose state cannot be written', () => {
  it('pauses at the node (not failed, no attempts burned), notifies, logs what to do, loses nothing, and resumes with plan:resume', async () => {
    const workspace = folders.workspace();
    const paths = workspacePaths(workspace);
    const state = folders.stateFolder(paths.stateDir);
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b', 'c'] },
        effect('a'),
        effect('b', { retries: 3 }),
        effect('c'),
      ],
      'main',
    );
    const saved = await new PlanStore({ stateDir: paths.stateDir }).save(plan);
    const { notifier, sent } = recordingNotifier();
    const log = createMemoryLog();
    let frozen: Record<string, string> | undefined;

    const result = await runPlan({
      plan,
      workspace,
      stateDir: paths.stateDir,
      planVersion: saved.version,
      log,
      notifier,
      retryDelayMs: () => 10,
      onEvent: (event) => {
        // The disk turns read-only while b runs: b's result can no longer be checkpointed.
        if (event.node === 'b' && event.status === 'running' && !frozen) {
          state.readOnly();
          frozen = snapshot(paths.stateDir);
        }
      },
    });

    expect(result.status).toBe('paused');
    expect(result.record.paused?.nodes).toEqual(['b']);
    expect(['EROFS', 'EACCES']).toContain(result.record.paused?.osCode);
    expect(result.record.paused?.file.startsWith(paths.stateDir)).toBe(true);
    // b was not retried against the disk (it may have been stopped before its script ran: LangGraph stops the
    // step whose checkpoint failed), nor marked failed for a person.
    const before = effects(workspace);
    expect(before[0]).toBe('a');
    expect(before.filter((id) => id === 'b').length).toBeLessThanOrEqual(1);
    expect(before).not.toContain('c');
    expect(result.record.markedForHuman).toEqual([]);
    expect(Object.values(result.nodes).some((node) => node.status === 'failed')).toBe(false);
    // Nothing saved before was touched.
    expect(snapshot(paths.stateDir)).toEqual(frozen);
    // A person is told: critical, naming the file and the command that resumes.
    const note = sent.find((event) => event.title === 'Plan run paused: state not writable');
    expect(note?.severity).toBe('critical');
    expect(note?.message).toContain(result.record.paused!.file);
    expect(note?.message).toContain(`fleet plan:resume ${result.thread}`);
    expect(log.lines.some((line) => line.event === 'plan.run.paused' && line.level === 'error')).toBe(true);
    const operations = readFileSync(operationsLogFile(workspace), 'utf8');
    expect(operations).toContain(`## `);
    expect(operations).toContain(`exec-plan / b: paused: state not writable`);
    expect(operations).toMatch(/tried \/ 已尝试: stopped at once/);
    expect(operations).toContain(`fleet plan:resume ${result.thread}`);

    // While the disk still refuses, plan:resume changes nothing.
    const approvals = ApprovalStore.forWorkspace(paths);
    const still = await resumeDecidedRuns({
      workspace,
      stateDir: paths.stateDir,
      approvals,
      log,
      threads: [result.thread],
    });
    expect(still).toEqual([]);
    expect(effects(workspace)).toEqual(before);

    // Writable again: `fleet plan:resume THREAD` runs b (its result was never saved) and c; a is not run again.
    state.writable();
    const resumed = await resumeDecidedRuns({
      workspace,
      stateDir: paths.stateDir,
      approvals,
      log,
      threads: [result.thread],
    });
    expect(resumed.map((run) => run.status)).toEqual(['done']);
    expect(effects(workspace)).toEqual([...before, 'b', 'c']);
    const record = await readRunRecord(runFile(paths.stateDir, plan.id, result.thread));
    expect(record?.status).toBe('done');
    expect(record?.paused).toBeUndefined();
  });

  it('a node that fails while the state folder refuses writes pauses the run instead of being retried', async () => {
    const workspace = folders.workspace();
    const paths = workspacePaths(workspace);
    const state = folders.stateFolder(paths.stateDir);
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['a'] },
        // Its failure could come from the refused state (an agent's journal): it must not use up its retries.
        // It fails only after the test made the state read-only (the file `refused` appears then).
        effect('a', {
          retries: 3,
          action: {
            kind: 'script',
            script: 'while [ ! -f refused ]; do sleep 0.05; done; echo a >> effects.txt; exit 1',
          },
        }),
      ],
      'main',
    );
    const log = createMemoryLog();
    const result = await runPlan({
      plan,
      workspace,
      stateDir: paths.stateDir,
      log,
      retryDelayMs: () => 10,
      onEvent: (event) => {
        if (event.node === 'a' && event.status === 'running' && event.attempt === undefined)
          // After the step's checkpoint is saved (LangGraph saves it while the node starts), the disk refuses.
          setTimeout(() => {
            state.readOnly();
            writeFileSync(path.join(workspace, 'refused'), '');
          }, 500);
      },
    });
    expect(result.status).toBe('paused');
    expect(result.record.paused?.nodes).toEqual(['a']);
    expect(effects(workspace)).toEqual(['a']);
    expect(result.record.markedForHuman).toEqual([]);
    expect(log.lines.some((line) => line.event === 'plan.node.marked_for_human')).toBe(false);
  });
});
