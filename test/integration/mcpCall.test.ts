import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalsSnapshot, DashboardSnapshot } from '../../extension/protocol/messages';
import type { FleetAiApi } from '../../extension/vscode/api';
import { until } from './until';

// `FleetAI: Call MCP Tool` in the real VS Code window against the real @modelcontextprotocol/server-everything
// (no mock), in its argument form (no quick picks): a low-risk tool runs at once and its result opens as a
// read-only document; a tool labelled high goes through the supervisor's approvals queue (the path of
// `fleet mcp:call`), is visible in the approvals snapshot, runs once `fleet approvals:approve` answers and not at
// all once `fleet approvals:deny` does.
const EXTENSION_ID = 'fleetai.fleetai';

describe('Call MCP Tool from the palette, through the approvals queue', function () {
  // Generous: a slow machine may take a while to start Node servers; nothing here asserts a duration.
  this.timeout(180_000);
  let api: FleetAiApi;
  let folder: string;
  let cli: string;
  let serversFile: string;
  let hadFile: string | undefined;

  const text = (result: CallToolResult | undefined): string =>
    (result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
  const status = (): string =>
    JSON.stringify({
      plain: api.mcpStatus('plain'),
      guarded: api.mcpStatus('guarded'),
      sup: api.supervisor(),
    });
  /** The read-only result document the command opened last, if it is the active editor. */
  const resultDocument = (): vscode.TextDocument | undefined => {
    const document = vscode.window.activeTextEditor?.document;
    return document?.uri.scheme === 'fleetai-mcp' && document.uri.path.endsWith('.result.json')
      ? document
      : undefined;
  };
  const fleet = async (...args: string[]): Promise<{ code: number | null; output: string }> => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: folder,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  };
  /** The approval the palette call filed, as the Approvals webview would show it. */
  const filed = (message: string): Promise<ApprovalsSnapshot['pending'][number]> =>
    until(
      () =>
        (api.webviewSnapshot('approvals') as ApprovalsSnapshot).pending.find(
          (a) => a.pane === 'mcp:guarded' && (a.command ?? '').includes(message),
        ),
      () => JSON.stringify(api.webviewSnapshot('approvals')),
      60_000,
    );
  /** `mcp.tool.invoke` lines of the app log whose arguments hold `message`: one per call that ran. */
  const invocations = async (message: string): Promise<number> => {
    const lines = await vscode.commands.executeCommand<string[]>('fleetai.mcpOpenLog', 'guarded');
    return lines.filter((l) => l.includes('"mcp.tool.invoke"') && l.includes(message)).length;
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace, 'the test window has no workspace folder');
    folder = workspace;
    cli = path.join(extension.extensionPath, 'dist/cli.js');
    serversFile = path.join(folder, '.fleetai', 'mcp.servers.json');
    hadFile = await fs.readFile(serversFile, 'utf8').catch(() => undefined);
    const server = path.join(
      extension.extensionPath,
      'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
    );
    // The same server twice: `echo` labelled low in one entry and high in the other (without a label it would be
    // high: it has no annotations).
    const entry = (risk: string): object => ({
      command: process.execPath,
      args: [server, 'stdio'],
      toolRisk: { echo: risk },
    });
    await fs.mkdir(path.dirname(serversFile), { recursive: true });
    await fs.writeFile(
      serversFile,
      JSON.stringify({ servers: { plain: entry('low'), guarded: entry('high') } }, null, 2),
    );
    const aliases = await vscode.commands.executeCommand<string[]>('fleetai.mcpRefresh');
    assert.deepEqual([...aliases].sort(), ['guarded', 'plain']);
    await until(
      () => api.mcpStatus('plain')?.state === 'connected' && api.mcpStatus('guarded')?.state === 'connected',
      status,
      90_000,
    );
    if (api.supervisor().mode === 'off') await vscode.commands.executeCommand('fleetai.startOrchestrator');
    await until(() => api.supervisor().mode === 'window', status, 30_000);
  });

  after(async () => {
    if (hadFile === undefined) await fs.rm(serversFile, { force: true });
    else await fs.writeFile(serversFile, hadFile);
    await vscode.commands.executeCommand('fleetai.mcpRefresh');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('runs a low-risk tool at once and opens its result as a read-only document', async () => {
    const before = (api.webviewSnapshot('approvals') as ApprovalsSnapshot).pending.length;
    const result = await vscode.commands.executeCommand<CallToolResult | undefined>(
      'fleetai.mcpCallTool',
      'plain',
      'echo',
      '{"message":"low risk, no question"}',
    );
    assert.match(text(result), /low risk, no question/);
    const document = await until(resultDocument, () => String(vscode.window.activeTextEditor?.document.uri));
    const shown = JSON.parse(document.getText()) as { server: string; tool: string; result: CallToolResult };
    assert.equal(shown.server, 'plain');
    assert.equal(shown.tool, 'echo');
    assert.match(text(shown.result), /low risk, no question/);
    assert.equal((api.webviewSnapshot('approvals') as ApprovalsSnapshot).pending.length, before);
  });

  it('files a high-risk call in the approvals queue and runs it once fleet approvals:approve answers', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const message = 'approved from a terminal';
    const call = vscode.commands.executeCommand<CallToolResult | undefined>(
      'fleetai.mcpCallTool',
      'guarded',
      'echo',
      { message },
    );
    const request = await filed(message);
    assert.equal(request.risk, 'high');
    assert.equal(request.source, 'fleet');
    // Filed as asked from the window, not as a `fleet mcp:call`.
    assert.equal(request.agent, 'vscode');
    // Nothing ran while it waited.
    assert.equal(await invocations(message), 0);
    assert.equal(resultDocument(), undefined);

    const approved = await fleet('approvals:approve', request.id);
    assert.equal(approved.code, 0, approved.output);
    const result = await call;
    assert.match(text(result), new RegExp(message));
    const document = await until(resultDocument, () => String(vscode.window.activeTextEditor?.document.uri));
    assert.match(document.getText(), new RegExp(message));
    assert.equal(await invocations(message), 1);
    await until(
      () => !(api.webviewSnapshot('approvals') as ApprovalsSnapshot).pending.some((a) => a.id === request.id),
      () => JSON.stringify(api.webviewSnapshot('approvals')),
    );
  });

  it('puts the servers in the dashboard snapshot, and a killed one reconnecting with its retry time, then back', async () => {
    await vscode.commands.executeCommand('fleetai.showDashboard');
    const dashboard = (): DashboardSnapshot => api.webviewSnapshot('dashboard') as DashboardSnapshot;
    const server = (alias: string) => dashboard().mcp.servers.find((s) => s.alias === alias);
    const shown = (): string => JSON.stringify(dashboard().mcp);
    const plain = await until(
      () => (server('plain')?.state === 'connected' ? server('plain') : undefined),
      shown,
    );
    assert.equal(plain.transport, 'stdio');
    assert.ok(plain.tools > 0, shown());
    // What the webview asks for is the same picture, through the protocol's schema.
    const asked = await api.webviewRequest('dashboard.getSnapshot', {});
    assert.equal(asked.mcp.servers.find((s) => s.alias === 'guarded')?.state, 'connected');

    const pid = api.mcpStatus('plain')?.pid;
    assert.ok(pid, status());
    process.kill(pid, 'SIGKILL');
    const waiting = await until(
      () => (server('plain')?.state === 'reconnecting' ? server('plain') : undefined),
      shown,
      60_000,
    );
    assert.ok(waiting.nextRetryAt && Date.parse(waiting.nextRetryAt) > 0, shown());
    assert.equal(waiting.tools, 0);
    await until(() => (server('plain')?.state === 'connected' ? server('plain') : undefined), shown, 60_000);
    const lines = dashboard()
      .events.filter((e) => e.kind === 'bridge.state-change' && e.text.startsWith('MCP plain:'))
      .map((e) => e.text);
    assert.ok(
      lines.some((l) => l.includes('→ reconnecting')),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some((l) => l.endsWith('→ connected')),
      JSON.stringify(lines),
    );
  });

  it('runs nothing when the approval is denied', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const message = 'denied from a terminal';
    const call = vscode.commands.executeCommand<CallToolResult | undefined>(
      'fleetai.mcpCallTool',
      'guarded',
      'echo',
      `{"message":"${message}"}`,
    );
    const request = await filed(message);
    const denied = await fleet('approvals:deny', request.id, '--reason', 'not now');
    assert.equal(denied.code, 0, denied.output);
    assert.equal(await call, undefined);
    assert.equal(resultDocument(), undefined);
    assert.equal(await invocations(message), 0);
  });
});
