import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FleetAiApi, SupervisorSummary } from '../../extension/vscode/api';
import type { ApprovalsSnapshot, DashboardSnapshot } from '../../extension/protocol/messages';
import { scriptedAgentProfile, scriptedAgentSource } from './scriptedProfile';
import { until } from './until';

// The host side of the dashboard and approvals webviews, and Start/Stop Orchestrator, in the real VS Code window:
// a pane of `.fleetai/orchestrator.json` started by the window, its task typed in by the supervisor, its
// approval answered through the approvals webview's own request (`approvals.decide`, answered by the same
// handlers the panel's messages reach; only the postMessage hop is left out — the end-to-end test in chromium
// clicks the real button).
const EXTENSION_ID = 'fleetai.fleetai';
const repoRoot = (): string => vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';

describe('Dashboard and approvals webviews, Start/Stop Orchestrator, in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let scratch: string;
  const configFile = (): string => path.join(folder, '.fleetai', 'orchestrator.json');
  const profileFile = (): string => path.join(folder, '.fleetai', 'agents', 'webview-scripted.json');
  const screenOf = (id: string) => () => api.paneScreen(id).join('\n');
  const dashboard = (): DashboardSnapshot => api.webviewSnapshot('dashboard') as DashboardSnapshot;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    scratch = mkdtempSync(path.join(tmpdir(), 'fleetai-webview-test-'));
    const script = path.join(scratch, 'webview-agent.cjs');
    await fs.writeFile(script, scriptedAgentSource('webview'));
    await fs.mkdir(path.dirname(profileFile()), { recursive: true });
    await fs.writeFile(
      profileFile(),
      JSON.stringify(
        scriptedAgentProfile({
          kind: 'webview-scripted',
          displayName: 'Webview scripted agent',
          executable: 'fleetai-webview-agent',
          script,
          prompt: 'webview',
          question: 'Allow the webview change\\?',
        }),
        null,
        2,
      ),
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('fleetai.removeAgent', 'wv');
    await fs.rm(configFile(), { force: true });
    await fs.rm(profileFile(), { force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('stops supervising without stopping the agents, then starts again with the config panes', async () => {
    const panesBefore = api.panes().filter((p) => p.state !== 'exited').length;
    const stopped = await vscode.commands.executeCommand<SupervisorSummary>('fleetai.stopOrchestrator');
    assert.equal(stopped.mode, 'off');
    assert.equal(api.supervisorSnapshot(), undefined);
    assert.equal(api.panes().filter((p) => p.state !== 'exited').length, panesBefore);
    assert.equal(dashboard().supervisor.mode, 'off');

    await fs.writeFile(
      configFile(),
      JSON.stringify({
        stall_timeout_seconds: 600,
        session_cooldown_seconds: 0,
        panes: [{ id: 'wv', agent: 'webview-scripted', autostart: true }],
        tasks: [
          { id: 'wv-task', title: 'Ask for the webview change', pane: 'wv', owner: 'alice', prompt: 'ask' },
          { id: 'wv-after', title: 'After the change', depends_on: ['wv-task'] },
        ],
      }),
    );
    const started = await vscode.commands.executeCommand<SupervisorSummary>('fleetai.startOrchestrator');
    assert.equal(started.mode, 'window', JSON.stringify(started));
    assert.ok(
      api.panes().some((p) => p.id === 'wv'),
      `no pane wv: ${JSON.stringify(api.panes())}`,
    );
    // Starting again does not start the configured pane twice.
    await vscode.commands.executeCommand('fleetai.startOrchestrator');
    assert.equal(api.panes().filter((p) => p.id === 'wv').length, 1);
  });

  it('shows the pane, its task and its approval in the snapshots, and takes the decision with its note once', async () => {
    // The supervisor types the task's prompt, the agent asks.
    await api.waitForPaneState('wv', 'awaiting_approval', 30_000);
    const approvals = await until(
      () => {
        const snapshot = api.webviewSnapshot('approvals') as ApprovalsSnapshot;
        return snapshot.pending.some((a) => a.pane === 'wv') && snapshot;
      },
      () => JSON.stringify(api.webviewSnapshot('approvals')),
    );
    const request = approvals.pending.find((a) => a.pane === 'wv');
    assert.ok(request);
    assert.ok(request.paneName, 'the request does not name its pane');
    assert.match(request.transcriptExcerpt ?? '', /Allow the webview change\?/);
    assert.equal(approvals.supervisor.mode, 'window');

    const pane = await until(
      () => dashboard().panes.find((p) => p.id === 'wv' && p.pendingApprovals === 1),
      () => JSON.stringify(dashboard().panes.find((p) => p.id === 'wv')),
    );
    assert.equal(pane.state, 'awaiting_approval');
    assert.equal(pane.taskId, 'wv-task');
    assert.equal(pane.owner, 'alice');
    const tasks = dashboard().tasks;
    assert.deepEqual(
      tasks.map((t) => [t.id, t.status, t.dependsOn]),
      [
        ['wv-task', 'running', []],
        ['wv-after', 'waiting', ['wv-task']],
      ],
    );
    assert.ok(
      dashboard().events.some((e) => e.pane === 'wv' && e.kind === 'state.awaiting_approval'),
      JSON.stringify(dashboard().events.slice(0, 5)),
    );

    const decided = await api.webviewRequest('approvals.decide', {
      id: request.id,
      decision: 'approve',
      note: 'looks right',
    });
    assert.deepEqual(decided, { ok: true, id: request.id, decision: 'approve' });
    await until(
      () => api.paneScreen('wv').some((row) => row.includes('webview-approved-marker')),
      screenOf('wv'),
    );
    const again = await api.webviewRequest('approvals.decide', { id: request.id, decision: 'deny' });
    assert.equal(again.ok, false);
    assert.match(
      again.ok ? '' : again.message,
      /already answered before you: approved by someone in VS Code/,
    );
    const unknown = await api.webviewRequest('approvals.decide', { id: 'no-such-id', decision: 'approve' });
    assert.equal(unknown.ok, false);
    assert.equal(unknown.ok ? '' : unknown.code, 'E_APPROVAL_NOT_FOUND');
    await assert.rejects(
      api.webviewRequest('approvals.decide', { id: '', decision: 'approve' }),
      /too_small|at least 1|>=1/i,
    );
    await until(
      () => (api.webviewSnapshot('approvals') as ApprovalsSnapshot).pending.every((a) => a.pane !== 'wv'),
      () => JSON.stringify(api.webviewSnapshot('approvals')),
    );
  });

  it('runs a pane action from the dashboard through the sidebar command, and refuses an unknown pane', async () => {
    const done = await api.webviewRequest('pane.action', { pane: 'wv', action: 'focus' });
    assert.deepEqual(done, { done: true });
    assert.ok(
      vscode.window.activeTerminal?.name.includes('wv'),
      `active terminal: ${vscode.window.activeTerminal?.name}`,
    );
    await assert.rejects(
      api.webviewRequest('pane.action', { pane: 'nope', action: 'nudge' }),
      /no agent nope/,
    );
  });

  it("runs the window's supervisor with the config's model, its key from the environment", async () => {
    // The real fake model server of the agent tests, in its own process (its module has a top-level await that
    // the integration bundle cannot take).
    const server = spawn(process.execPath, [path.join(repoRoot(), 'test/fixtures/fake-model/server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      const url = await until(
        () => /listening on (\S+)/.exec(out)?.[1],
        () => `the fake model to listen: ${out}`,
      );
      process.env.FLEETAI_WINDOW_TEST_KEY = 'test-key-not-secret';
      const config = JSON.parse(await fs.readFile(configFile(), 'utf8')) as Record<string, unknown>;
      config.model = { base_url: `${url}/v1`, model: 'fake-model', api_key_env: 'FLEETAI_WINDOW_TEST_KEY' };
      await fs.writeFile(configFile(), JSON.stringify(config));
      const lines = async (): Promise<{ event?: string; context?: Record<string, unknown> }[]> =>
        (await fs.readFile(api.appLogPath, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { event?: string; context?: Record<string, unknown> });
      const startsBefore = (await lines()).filter((l) => l.event === 'supervisor.window.started').length;
      assert.equal(
        (await vscode.commands.executeCommand<SupervisorSummary>('fleetai.stopOrchestrator')).mode,
        'off',
      );
      assert.equal(
        (await vscode.commands.executeCommand<SupervisorSummary>('fleetai.startOrchestrator')).mode,
        'window',
      );
      // The log is written asynchronously: wait for the line of this start, not an earlier one.
      const started = await until(
        async () => (await lines()).filter((l) => l.event === 'supervisor.window.started')[startsBefore],
        () => 'supervisor.window.started in the log',
      );
      assert.equal(started.context?.model, true, JSON.stringify(started));
      const configured = (await lines()).filter((l) => l.event === 'model.configured').at(-1);
      assert.ok(configured, 'no model.configured line');
      assert.doesNotMatch(await fs.readFile(api.appLogPath, 'utf8'), /test-key-not-secret/);
    } finally {
      delete process.env.FLEETAI_WINDOW_TEST_KEY;
      server.kill();
    }
  });

  it('opens the approvals panel from the palette command, and replays the log into an editor', async () => {
    await vscode.commands.executeCommand('fleetai.showApprovals');
    await until(
      () => api.webviewOpen('approvals'),
      () => 'the approvals panel to open',
    );
    const text = await vscode.commands.executeCommand<string | undefined>('fleetai.replayLog');
    assert.ok(text, 'Replay Log returned nothing');
    assert.match(text, /approval/i);
    assert.ok(
      vscode.window.visibleTextEditors.some((e) => e.document.getText() === text),
      'the replay summary is not shown in an editor',
    );
  });
});
