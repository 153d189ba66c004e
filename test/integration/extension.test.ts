import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../extension/core/doctor/doctor';
import { AppLogLine } from '../../extension/core/observability/logLine';
import type { FleetAiApi } from '../../extension/vscode/api';

// Runs inside the real extension host of code-server (VS Code 1.139), loaded from the repository's dist/.
const EXTENSION_ID = 'fleetai.fleetai';

interface Manifest {
  version: string;
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
  };
}

describe('FleetAI inside a real VS Code extension host', () => {
  let extension: vscode.Extension<FleetAiApi>;
  let api: FleetAiApi;
  let manifest: Manifest;

  before(async () => {
    const found = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not loaded in this extension host`);
    extension = found;
    manifest = extension.packageJSON as Manifest;
    api = await extension.activate();
  });

  it('activates and reports the version from package.json', () => {
    assert.equal(extension.isActive, true);
    assert.equal(api.version, manifest.version);
    assert.ok(api.activateMs > 0 && api.activateMs < 10_000, `activate took ${api.activateMs} ms`);
  });

  it('registers every command that package.json declares', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared = manifest.contributes.commands.map((c) => c.command);
    assert.ok(declared.length >= 3);
    for (const command of declared)
      assert.ok(registered.has(command), `${command} is declared but not registered`);
  });

  it('contributes the FleetAI container with the Agents, Tasks, Approvals and MCP Servers views', async () => {
    assert.deepEqual(
      manifest.contributes.viewsContainers.activitybar.map((c) => c.id),
      ['fleetai'],
    );
    const views = (manifest.contributes.views.fleetai ?? []).map((v) => v.id);
    assert.deepEqual(views, ['fleetai.agents', 'fleetai.tasks', 'fleetai.approvals', 'fleetai.mcpServers']);
    assert.deepEqual([...api.viewIds()], views);
    // The workbench generates a focus command per registered view; running it opens the view for real.
    await vscode.commands.executeCommand('workbench.view.extension.fleetai');
    for (const id of views) await vscode.commands.executeCommand(`${id}.focus`);
  });

  it('shows the heartbeat in the status bar', () => {
    assert.match(api.statusText(), /FleetAI: idle/);
  });

  it('opens the dashboard webview, which fetches the version through the typed protocol', async () => {
    const served = api.waitForDashboardRequest('host.getInfo', 30_000);
    await vscode.commands.executeCommand('fleetai.showDashboard');
    assert.equal(api.dashboardOpen(), true);
    await served;
  });

  it('loads the native node-pty module and runs a real pseudo-terminal in this host', async () => {
    const report = await vscode.commands.executeCommand<DoctorReport>('fleetai.runDoctor');
    const pty = report.checks.find((c) => c.id === 'pty');
    assert.ok(pty, 'the doctor report has no pty check');
    assert.equal(pty.status, 'ok', `${pty.summary} ${pty.detail ?? ''}`);
    assert.match(pty.summary, /fleetai-pty-ok/);
  });

  it('writes schema-valid lines to .fleetai/logs/app.jsonl in the workspace', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test window has no workspace folder');
    assert.equal(api.appLogPath, `${folder}/.fleetai/logs/app.jsonl`);
    let lines: AppLogLine[] = [];
    for (let i = 0; i < 50 && !lines.some((l) => l.event === 'doctor.finished'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const text = await fs.readFile(api.appLogPath, 'utf8').catch(() => '');
      lines = text
        .split('\n')
        .filter(Boolean)
        .map((l) => AppLogLine.parse(JSON.parse(l)));
    }
    const activated = lines.find((l) => l.event === 'extension.activated');
    assert.ok(activated, 'no extension.activated line');
    assert.equal(activated.category, 'extension');
    assert.equal(activated.context?.version, manifest.version);
    assert.ok(
      lines.some((l) => l.event === 'dashboard.opened'),
      'no dashboard.opened line',
    );
    assert.ok(
      lines.some((l) => l.event === 'doctor.finished'),
      'no doctor.finished line',
    );
  });
});
