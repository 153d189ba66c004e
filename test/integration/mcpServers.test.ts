import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FleetAiApi, TreeItemSummary } from '../../extension/vscode/api';
import { until } from './until';

// The MCP Servers view of the real VS Code window over the real @modelcontextprotocol/server-everything (no
// mock): the view lists it connected with its tools, a palette call works, a killed server goes reconnecting and
// comes back with its tools listed again (the log has the cycle), a broken entry shows its problem meanwhile.
const EXTENSION_ID = 'fleetai.fleetai';
const VIEW = 'fleetai.mcpServers';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('The MCP Servers view in a real VS Code window', function () {
  // Generous: a slow machine may take a while to start Node servers; nothing here asserts a duration.
  this.timeout(150_000);
  let api: FleetAiApi;
  let serversFile: string;
  let hadFile: string | undefined;

  const row = (alias: string): TreeItemSummary | undefined =>
    api.treeItems(VIEW).find((i) => i.id === `mcp:${alias}`);
  const shown = (): string =>
    JSON.stringify({ rows: api.treeItems(VIEW), status: api.mcpStatus('everything') });
  const text = (result: CallToolResult | undefined): string =>
    (result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test window has no workspace folder');
    serversFile = path.join(folder, '.fleetai', 'mcp.servers.json');
    hadFile = await fs.readFile(serversFile, 'utf8').catch(() => undefined);
    const server = path.join(
      extension.extensionPath,
      'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
    );
    await fs.mkdir(path.dirname(serversFile), { recursive: true });
    await fs.writeFile(
      serversFile,
      JSON.stringify(
        {
          servers: {
            // The extension host's own Node runs the server: an absolute path, whatever PATH holds.
            everything: { command: process.execPath, args: [server, 'stdio'], alwaysAllow: ['echo'] },
            // A second server: turning one off, on or refreshing must leave this one's process alone.
            other: { command: process.execPath, args: [server, 'stdio'] },
            broken: { command: 42 },
          },
        },
        null,
        2,
      ),
    );
  });

  after(async () => {
    if (hadFile === undefined) await fs.rm(serversFile, { force: true });
    else await fs.writeFile(serversFile, hadFile);
    await vscode.commands.executeCommand('fleetai.mcpRefresh');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists the server connected with its tools, calls a tool, and shows the broken entry with its problem', async () => {
    const aliases = await vscode.commands.executeCommand<string[]>('fleetai.mcpRefresh');
    assert.deepEqual([...aliases].sort(), ['broken', 'everything', 'other']);
    await vscode.commands.executeCommand(`${VIEW}.focus`);
    await until(() => api.mcpStatus('everything')?.state === 'connected', shown, 60_000);
    const connected = await until(
      () => row('everything')?.contextValue === 'fleetai.mcp.server.connected' && row('everything'),
      shown,
    );
    assert.equal(connected.icon, 'pass-filled');
    assert.equal(connected.color, 'charts.green');
    assert.match(connected.description, /connected · stdio · \d+ tools · \d+ resources · \d+ prompts/);
    const echo = api.mcpTools('everything').find((t) => t.label === 'echo');
    assert.ok(echo, JSON.stringify(api.mcpTools('everything')));
    assert.match(echo.description, /always allowed/);

    const result = await vscode.commands.executeCommand<CallToolResult | undefined>(
      'fleetai.mcpCallTool',
      'everything',
      'echo',
      '{"message":"hello from the view"}',
    );
    assert.match(text(result), /hello from the view/);

    const broken = row('broken');
    assert.ok(broken, shown());
    assert.equal(broken.contextValue, 'fleetai.mcp.server.broken');
    assert.equal(broken.icon, 'error');
    assert.match(broken.description, /command/);
    assert.match(api.mcpStatus('broken')?.problem ?? '', /broken.*command/);
  });

  it('shows a killed server reconnecting, then connected again with its tools re-listed, and logs the cycle', async () => {
    const before = api.mcpStatus('everything');
    assert.equal(before?.state, 'connected', shown());
    const pid = before?.pid;
    assert.ok(pid, shown());
    process.kill(pid, 'SIGKILL');

    // Read in one go: the row, and the tools it shows while it waits (none: they come back with the session).
    const waiting = await until(() => {
      const item = row('everything');
      return item?.contextValue === 'fleetai.mcp.server.reconnecting'
        ? { item, tools: api.mcpTools('everything') }
        : undefined;
    }, shown);
    assert.equal(waiting.item.color, 'charts.yellow');
    assert.match(waiting.item.description, /reconnecting · next retry in \d+ s/);
    assert.deepEqual(waiting.tools, []);
    // The broken entry stays as it was; the good one is the only one that cycles.
    assert.equal(row('broken')?.contextValue, 'fleetai.mcp.server.broken');

    // The bridge retries after about 5 s by itself (no Reconnect click).
    const back = await until(
      () => {
        const status = api.mcpStatus('everything');
        return status?.state === 'connected' && status.toolNames.includes('echo') ? status : undefined;
      },
      shown,
      60_000,
    );
    assert.notEqual(back.pid, pid);
    await until(() => api.mcpTools('everything').some((t) => t.label === 'echo'), shown);
    const result = await vscode.commands.executeCommand<CallToolResult | undefined>(
      'fleetai.mcpCallTool',
      'everything',
      'echo',
      { message: 'after the reconnect' },
    );
    assert.match(text(result), /after the reconnect/);

    const lines = await vscode.commands.executeCommand<string[]>('fleetai.mcpOpenLog', 'everything');
    const states = lines
      .map((l) => JSON.parse(l) as { context?: { to?: string; state?: string } })
      .map((r) => r.context?.to ?? r.context?.state)
      .filter(Boolean);
    const lost = states.lastIndexOf('reconnecting');
    assert.ok(lost >= 0, JSON.stringify(states));
    assert.ok(states.slice(lost).includes('connected'), JSON.stringify(states));
  });

  it('answers fleet mcp:list in a terminal from the same sessions, through the window supervisor', async () => {
    await until(() => api.mcpStatus('other')?.state === 'connected', shown, 60_000);
    if (api.supervisor().mode === 'off') await vscode.commands.executeCommand('fleetai.startOrchestrator');
    await until(
      () => api.supervisor().mode === 'window',
      () => JSON.stringify(api.supervisor()),
      30_000,
    );
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    const folder = path.dirname(path.dirname(serversFile));
    const child = spawn(
      process.execPath,
      [path.join(extension.extensionPath, 'dist/cli.js'), 'mcp:list', '--json'],
      { cwd: folder, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, `${output}${errors}`);
    const answer = JSON.parse(output) as { via: string; value: { alias: string; state: string }[] };
    assert.equal(answer.via, 'supervisor', output);
    const states = Object.fromEntries(answer.value.map((s) => [s.alias, s.state]));
    assert.deepEqual(states, { broken: 'broken', everything: 'connected', other: 'connected' }, output);
  });

  it('turns a server off for this session (its process ends) and on again; the other server keeps its process', async () => {
    const pid = api.mcpStatus('everything')?.pid;
    assert.ok(pid, shown());
    await until(() => api.mcpStatus('other')?.state === 'connected', shown, 60_000);
    const otherPid = api.mcpStatus('other')?.pid;
    assert.ok(otherPid, shown());
    await vscode.commands.executeCommand('fleetai.mcpDisable', { kind: 'server', alias: 'everything' });
    const off = await until(
      () =>
        row('everything')?.contextValue === 'fleetai.mcp.server.disabled.session'
          ? row('everything')
          : undefined,
      shown,
    );
    assert.equal(off.icon, 'circle-slash');
    await until(
      () => !isAlive(pid),
      () => `process ${pid} still alive`,
    );
    const refused = await vscode.commands.executeCommand<unknown>(
      'fleetai.mcpCallTool',
      'everything',
      'echo',
      '{"message":"x"}',
    );
    assert.equal(refused, undefined);

    assert.equal(api.mcpStatus('other')?.pid, otherPid, shown());
    assert.equal(api.mcpStatus('other')?.state, 'connected', shown());

    await vscode.commands.executeCommand('fleetai.mcpEnable', 'everything');
    await until(() => api.mcpStatus('everything')?.state === 'connected', shown, 60_000);
    assert.equal(api.mcpStatus('everything')?.sessionDisabled, false);
    assert.equal(api.mcpStatus('other')?.pid, otherPid, shown());
    assert.ok(isAlive(otherPid), `process ${otherPid} of "other" ended`);
  });

  it('Refresh re-reads the servers files without reconnecting servers whose entry did not change', async () => {
    await until(() => api.mcpStatus('everything')?.state === 'connected', shown, 60_000);
    const pids = { everything: api.mcpStatus('everything')?.pid, other: api.mcpStatus('other')?.pid };
    assert.ok(pids.everything && pids.other, shown());
    const aliases = await vscode.commands.executeCommand<string[]>('fleetai.mcpRefresh');
    assert.deepEqual([...aliases].sort(), ['broken', 'everything', 'other']);
    assert.equal(api.mcpStatus('everything')?.pid, pids.everything, shown());
    assert.equal(api.mcpStatus('other')?.pid, pids.other, shown());
    assert.equal(api.mcpStatus('everything')?.state, 'connected', shown());
  });
});
