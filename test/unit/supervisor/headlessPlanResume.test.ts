import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { readRunRecord, runFile, runPlan } from '../../../extension/core/plans/executor';
import { PlanStore } from '../../../extension/core/plans/planStore';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { effect, effects, valid } from '../plans/executor/executorFixtures';

const dirs: string[] = [];
const running: HeadlessOrchestrator[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('fleet orchestrator and plan runs', () => {
  it('resumes a run left waiting (run:auto --no-wait) once its approval is answered elsewhere, and finishes it', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-plan-resume-'));
    dirs.push(workspace);
    const paths = workspacePaths(workspace);
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['before', 'gate', 'after'] },
        effect('before'),
        { type: 'human_approval', id: 'gate', title: 'Go on?', question: 'Go on?' },
        effect('after'),
      ],
      'main',
    );
    const saved = await new PlanStore({ stateDir: paths.stateDir }).save(plan, { note: 'test' });
    const approvals = ApprovalStore.forWorkspace(paths);
    // What `fleet run:auto --no-wait` leaves: a run waiting, with nobody running it.
    const first = await runPlan({
      plan,
      workspace,
      stateDir: paths.stateDir,
      planVersion: saved.version,
      approvals,
      wait: false,
    });
    expect(first.status).toBe('waiting_approval');

    const log = createMemoryLog();
    const orchestrator = await startHeadlessOrchestrator({
      configFile: paths.orchestratorConfig,
      workspace,
      paths,
      builtinProfilesDir: path.resolve('agents-config'),
      log,
    });
    running.push(orchestrator);
    // Still waiting: starting the supervisor decides nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(effects(workspace)).toEqual(['before']);

    // `fleet approvals:approve` from another process writes the store; the supervisor sees it and goes on.
    const [request] = await ApprovalStore.forWorkspace(paths).pending();
    await ApprovalStore.forWorkspace(paths).decide(request!.id, 'approve', { by: 'cli' });
    const deadline = Date.now() + 15_000;
    let status: string | undefined;
    while (Date.now() < deadline && status !== 'done') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await readRunRecord(runFile(paths.stateDir, plan.id, first.thread)))?.status;
    }
    expect(status).toBe('done');
    expect(effects(workspace)).toEqual(['before', 'after']);
    expect(log.lines.some((line) => line.event === 'plan.resume')).toBe(true);
  }, 30_000);
});
