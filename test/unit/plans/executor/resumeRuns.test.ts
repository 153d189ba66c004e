import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../../extension/core/approvals';
import {
  readRunRecord,
  resumeDecidedRuns,
  resumeRunsOnDecision,
  runFile,
  runPlan,
  writeRunRecord,
} from '../../../../extension/core/plans/executor';
import { PlanStore } from '../../../../extension/core/plans/planStore';
import { useTempDirs } from '../../helpers';
import { effect, effects, valid } from './executorFixtures';

const tempDir = useTempDirs();

function setup() {
  const workspace = tempDir();
  const stateDir = path.join(workspace, '.fleetai', 'state');
  const approvals = ApprovalStore.forWorkspace({ approvalsDir: path.join(stateDir, 'approvals') });
  return { workspace, stateDir, approvals };
}

const gated = valid(
  [
    { type: 'sequence', id: 'main', title: 'Main', children: ['before', 'gate', 'after'] },
    effect('before'),
    { type: 'human_approval', id: 'gate', title: 'Go on?', question: 'Go on?' },
    effect('after'),
  ],
  'main',
);

async function startedToApproval(ws: ReturnType<typeof setup>, checkpointer: 'json' | 'memory' = 'json') {
  const saved = await new PlanStore({ stateDir: ws.stateDir }).save(gated, { note: 'test' });
  const first = await runPlan({
    plan: gated,
    ...ws,
    planVersion: saved.version,
    wait: false,
    checkpointer,
  });
  expect(first.status).toBe('waiting_approval');
  const [request] = await ws.approvals.pending();
  return { first, request: request! };
}

describe('who runs a plan run', () => {
  it('refuses a second runner of the same thread in the same process (E_PLAN_RUN_BUSY)', async () => {
    const ws = setup();
    const slow = valid(
      [effect('s', { action: { kind: 'script', script: 'sleep 0.5; echo s >> effects.txt' } })],
      's',
    );
    const first = runPlan({ plan: slow, ...ws, thread: 'same-thread' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(runPlan({ plan: slow, ...ws, thread: 'same-thread' })).rejects.toMatchObject({
      code: 'E_PLAN_RUN_BUSY',
    });
    expect((await first).status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['s']);
    // The run ended: its record no longer names a runner, so it can be run again.
    const record = await readRunRecord(runFile(ws.stateDir, slow.id, 'same-thread'));
    expect(record?.runner).toBeUndefined();
  });

  it('refuses while another live process is named as the runner, and takes over from a dead one', async () => {
    const ws = setup();
    const plan = valid([effect('a')], 'a');
    const alive = spawn('sleep', ['30']);
    try {
      await writeRunRecord(ws.stateDir, {
        planId: plan.id,
        thread: 't1',
        workspace: ws.workspace,
        status: 'running',
        started: new Date().toISOString(),
        updated: new Date().toISOString(),
        waits: [],
        nodes: {},
        markedForHuman: [],
        runner: { pid: alive.pid!, host: os.hostname(), since: new Date().toISOString() },
      });
      await expect(runPlan({ plan, ...ws, thread: 't1' })).rejects.toThrow(String(alive.pid));
      expect(effects(ws.workspace)).toEqual([]);
    } finally {
      alive.kill();
    }
    // A process that has exited (its pid is free): its run is taken over at once.
    const dead = spawnSync('true').pid;
    const record = await readRunRecord(runFile(ws.stateDir, plan.id, 't1'));
    await writeRunRecord(ws.stateDir, {
      ...record!,
      runner: { pid: dead, host: os.hostname(), since: new Date().toISOString() },
    });
    expect((await runPlan({ plan, ...ws, thread: 't1' })).status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['a']);
  });
});

describe('runs go on after a decision without anyone waiting in a terminal', () => {
  it('resumeDecidedRuns finishes a --no-wait run once its approval is answered, and only once', async () => {
    const ws = setup();
    const { first, request } = await startedToApproval(ws);
    // Not answered yet: nothing to resume.
    expect(await resumeDecidedRuns(ws)).toEqual([]);
    expect(effects(ws.workspace)).toEqual(['before']);
    await ws.approvals.decide(request.id, 'approve', { by: 'cli' });
    const resumed = await resumeDecidedRuns(ws);
    expect(resumed.map((r) => [r.thread, r.status])).toEqual([[first.thread, 'done']]);
    expect(effects(ws.workspace)).toEqual(['before', 'after']);
    expect(await resumeDecidedRuns(ws)).toEqual([]);
    expect(effects(ws.workspace)).toEqual(['before', 'after']);
  });

  it('a denied approval ends the run failed; an in-memory run is never resumed (it would start over)', async () => {
    const ws = setup();
    const { request } = await startedToApproval(ws);
    await ws.approvals.decide(request.id, 'deny', { by: 'cli' });
    const [denied] = await resumeDecidedRuns(ws);
    expect(denied?.status).toBe('failed');
    expect(effects(ws.workspace)).toEqual(['before']);

    const ws2 = setup();
    const memory = await startedToApproval(ws2, 'memory');
    await ws2.approvals.decide(memory.request.id, 'approve', { by: 'cli' });
    expect(await resumeDecidedRuns(ws2)).toEqual([]);
    expect(effects(ws2.workspace)).toEqual(['before']);
  });

  it('resumeRunsOnDecision resumes when the approvals file changes', async () => {
    const ws = setup();
    const { first, request } = await startedToApproval(ws);
    const watcher = resumeRunsOnDecision(ws);
    try {
      await watcher.idle();
      expect(effects(ws.workspace)).toEqual(['before']);
      // Another process (here: another store object on the same folder) answers.
      const other = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws.stateDir, 'approvals') });
      await other.decide(request.id, 'approve', { by: 'cli' });
      const deadline = Date.now() + 10_000;
      let status: string | undefined;
      while (Date.now() < deadline) {
        await watcher.idle();
        status = (await readRunRecord(runFile(ws.stateDir, gated.id, first.thread)))?.status;
        if (status === 'done') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe('done');
      expect(effects(ws.workspace)).toEqual(['before', 'after']);
    } finally {
      watcher.dispose();
    }
  });
});
