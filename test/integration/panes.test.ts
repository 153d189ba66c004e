import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { NewAgentResult } from '../../extension/vscode/agentPanes';
import type { FleetAiApi } from '../../extension/vscode/api';
import { until } from './until';

// Runs inside the real extension host of code-server: a real pty, a real VS Code terminal, the real Agents view.
const EXTENSION_ID = 'fleetai.fleetai';

describe('Agent panes inside a real VS Code', () => {
  let api: FleetAiApi;
  let started: NewAgentResult | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
  });

  after(async () => {
    if (started) await vscode.commands.executeCommand('fleetai.removeAgent', started.id);
  });

  it('starts a shell agent in a terminal named after it, which reaches awaiting_input', async () => {
    started = await vscode.commands.executeCommand<NewAgentResult | undefined>('fleetai.newAgent', {
      kind: 'shell',
      command: '/bin/sh',
    });
    assert.ok(started, 'fleetai.newAgent started nothing');
    assert.equal(started.kind, 'shell');
    assert.equal(started.terminalName, `FleetAI: shell (${started.id})`);
    const names = vscode.window.terminals.map((t) => t.name);
    assert.ok(
      names.includes(started.terminalName),
      `no terminal ${started.terminalName} in ${names.join(', ')}`,
    );

    const id = started.id;
    await api.waitForPaneState(id, 'awaiting_input', 20_000);
    assert.deepEqual(
      api.panes().find((p) => p.id === id),
      { id, name: 'shell', kind: 'shell', state: 'awaiting_input', terminalName: started.terminalName },
    );
    // The Agents view lists it (its provider answers through the workbench's own focus command).
    await vscode.commands.executeCommand('fleetai.agents.focus');
  });

  it('types text sent with fleetai.sendToAgent into the agent and shows its output on the pane screen', async () => {
    assert.ok(started);
    const id = started.id;
    const sent = await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', id, 'echo fleet-ok');
    assert.equal(sent, true);
    // The echoed command line holds "echo fleet-ok"; a row that is exactly "fleet-ok" is the command's output.
    await until(
      () => api.paneScreen(id).some((row) => row.trim() === 'fleet-ok'),
      () => api.paneScreen(id).join('\n'),
    );
    await api.waitForPaneState(id, 'awaiting_input', 20_000);
  });

  it('stops the agent with fleetai.stopAgent: the pane is exited and its terminal closes', async () => {
    assert.ok(started);
    const { id, terminalName } = started;
    await vscode.commands.executeCommand('fleetai.stopAgent', id);
    await api.waitForPaneState(id, 'exited', 10_000);
    assert.equal(api.panes().find((p) => p.id === id)?.state, 'exited');
    await until(
      () => !vscode.window.terminals.some((t) => t.name === terminalName),
      () => vscode.window.terminals.map((t) => t.name).join(', '),
    );
    await vscode.commands.executeCommand('fleetai.removeAgent', id);
    assert.equal(
      api.panes().some((p) => p.id === id),
      false,
    );
    started = undefined;
  });

  it('refuses an agent whose program is not installed, and starts nothing', async () => {
    const before = api.panes().length;
    const result = await vscode.commands.executeCommand<NewAgentResult | undefined>('fleetai.newAgent', {
      kind: 'codex',
      command: 'fleetai-no-such-agent',
    });
    assert.equal(result, undefined);
    assert.equal(api.panes().length, before);
  });
});
