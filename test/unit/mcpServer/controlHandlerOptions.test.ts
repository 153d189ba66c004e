import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { createApprovalsPort } from '../../../extension/core/supervisor/approvalsGlue';
import { supervisorControlHandler } from '../../../extension/core/supervisor/controlHandler';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import type { Notification } from '../../../extension/core/supervisor/ports';
import { workspacePaths } from '../../../extension/core/workspacePaths';

// What a host gets when it passes its logger and notifier to the control handler (headless.ts and the VS Code
// host do not yet): the real orchestrator and pane registry of a headless supervisor with a `sh` pane, and the
// workspace's real approvals store; the handler is called the way the control server calls it.
let workspace: string;
let running: HeadlessOrchestrator;

beforeAll(async () => {
  workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-mcphandler-'));
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({ metrics_port: 0, panes: [{ id: 'worker', agent: 'shell', command: 'sh' }] }),
  );
  const paths = workspacePaths(workspace);
  running = await startHeadlessOrchestrator({
    configFile: paths.orchestratorConfig,
    workspace,
    paths,
    builtinProfilesDir: path.resolve('agents-config'),
    log: createMemoryLog(),
  });
}, 30_000);

afterAll(async () => {
  await running?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe('the control handler with a logger and a notifier', () => {
  it('audits reports and notes, and announces an MCP approval request with its id', async () => {
    const log = createMemoryLog();
    const approvals = createApprovalsPort(workspacePaths(workspace), log);
    const notifications: Notification[] = [];
    const handler = supervisorControlHandler({
      orchestrator: running.orchestrator,
      registry: running.registry,
      approvals,
      host: 'test',
      log,
      notifier: { notify: (n) => notifications.push(n) },
    });
    const call = (method: string, params: Record<string, unknown>) =>
      handler({ id: 1, token: 't', method: method as 'status', params });
    try {
      await call('pane.report', { pane: 'worker', state: 'done', summary: 'all green' });
      await call('pane.note', { pane: 'worker', text: 'used sqlite' });
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          category: 'audit',
          event: 'agent.report',
          context: expect.objectContaining({
            pane: 'worker',
            state: 'done',
            summary: 'all green',
          }) as unknown,
        }),
      );
      expect(log.lines).toContainEqual(expect.objectContaining({ category: 'audit', event: 'agent.note' }));

      const answer = call('approvals.request', {
        pane: 'worker',
        action: 'deploy to prod',
        reason: 'release 2.0',
        risk: 'critical',
        timeoutSeconds: 20,
        key: 'k1',
      });
      for (let i = 0; i < 50 && notifications.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(notifications).toEqual([
        expect.objectContaining({
          severity: 'critical',
          pane: 'worker',
          requires_confirmation: true,
          message: expect.stringContaining('deploy to prod') as unknown,
        }),
      ]);
      const id = notifications[0]!.approvalId!;
      const decided = await running.orchestrator.decideApproval(id, 'approve', 'vscode');
      expect(decided.ok).toBe(true);
      expect(await answer).toMatchObject({ id, decision: 'approve', decidedBy: 'vscode' });
      expect(await call('approvals.withdraw', { key: 'k1' })).toEqual({ withdrawn: false });
    } finally {
      approvals.dispose();
    }
  }, 30_000);
});
