import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NewAgentResult, NudgeOutcome } from '../../extension/vscode/agentPanes';
import type { FleetAiApi, TreeItemSummary } from '../../extension/vscode/api';
import { scriptedAgentProfile, scriptedAgentSource } from './scriptedProfile';
import { until } from './until';
import type { DecideOutcome } from '../../extension/vscode/supervisorHost';

// The sidebar views (Agents, Approvals) of the real VS Code window, over a scripted agent on a real pty and the
// supervisor that runs in this window (agentSupervisor.test.ts started it; files run in name order).
const EXTENSION_ID = 'fleetai.fleetai';

function profile(script: string): unknown {
  return scriptedAgentProfile({
    kind: 'sidebar-scripted',
    displayName: 'Sidebar scripted agent',
    executable: 'fleetai-sidebar-agent',
    script,
    prompt: 'sidebar',
    question: 'Allow the sidebar change\\?',
  });
}

describe('The sidebar views in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let scratch: string;
  let agent: NewAgentResult | undefined;
  const profileFile = (): string => path.join(folder, '.fleetai', 'agents', 'sidebar-scripted.json');

  const item = (view: string, id: string): TreeItemSummary | undefined =>
    api.treeItems(view).find((i) => i.id === id);
  const items = (view: string) => () => JSON.stringify(api.treeItems(view));
  const screenOf = (id: string) => () => api.paneScreen(id).join('\n');

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    scratch = mkdtempSync(path.join(tmpdir(), 'fleetai-sidebar-test-'));
    const script = path.join(scratch, 'sidebar-agent.cjs');
    await fs.writeFile(script, scriptedAgentSource('sidebar'));
    await fs.mkdir(path.dirname(profileFile()), { recursive: true });
    await fs.writeFile(profileFile(), JSON.stringify(profile(script), null, 2));
  });

  after(async () => {
    if (agent) await vscode.commands.executeCommand('fleetai.removeAgent', agent.id);
    await fs.rm(profileFile(), { force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows an agent with its state, kind, phase and time in state; approves from the Approvals view', async () => {
    agent = await vscode.commands.executeCommand<NewAgentResult | undefined>('fleetai.newAgent', {
      kind: 'sidebar-scripted',
    });
    assert.ok(agent, 'the scripted agent did not start');
    const id = agent.id;
    await api.waitForPaneState(id, 'awaiting_input', 30_000);
    const waiting = await until(() => {
      const i = item('fleetai.agents', id);
      return i?.contextValue === 'fleetai.pane.awaiting_input' ? i : undefined;
    }, items('fleetai.agents'));
    assert.equal(waiting.label, agent.name);
    assert.equal(waiting.icon, 'comment');
    assert.equal(waiting.color, 'charts.green');
    // kind · [branch ·] phase · time in state
    assert.match(waiting.description, /^sidebar-scripted( · [^·]+)+ · \d+[smhd]$/);

    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', id, 'ask'), true);
    await api.waitForPaneState(id, 'awaiting_approval', 30_000);
    const asking = await until(() => {
      const i = item('fleetai.agents', id);
      return i?.contextValue === 'fleetai.pane.awaiting_approval' ? i : undefined;
    }, items('fleetai.agents'));
    assert.equal(asking.color, 'charts.yellow');

    const request = await until(
      () => api.treeItems('fleetai.approvals').find((i) => i.description.endsWith(` · ${id}`)),
      () => `${items('fleetai.approvals')()}\n${screenOf(id)()}`,
    );
    assert.equal(request.description, `medium risk · ${id}`);
    assert.equal(request.label, 'edit files');
    assert.equal(request.contextValue, 'fleetai.approval.medium');
    assert.equal(request.icon, 'shield');
    assert.equal(request.color, 'charts.yellow');

    // What the view's inline Approve passes: the tree element, an object with the request's id.
    const pending = (await api.pendingApprovals()).find((r) => r.id === request.id);
    assert.ok(pending, 'the item has no pending request behind it');
    const outcome = await vscode.commands.executeCommand<DecideOutcome>('fleetai.approve', pending);
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    await until(
      () => api.paneScreen(id).some((row) => row.includes('sidebar-approved-marker')),
      screenOf(id),
    );
    await until(
      () => !api.treeItems('fleetai.approvals').some((i) => i.id === request.id),
      items('fleetai.approvals'),
    );
    await until(
      () => item('fleetai.agents', id)?.contextValue === 'fleetai.pane.awaiting_input',
      items('fleetai.agents'),
    );
  });

  it("nudges the agent with its profile's nudge text, queued through the supervisor as the person's command", async () => {
    assert.ok(agent, 'the agent of the previous test is missing');
    const id = agent.id;
    const nudged = await vscode.commands.executeCommand<NudgeOutcome>('fleetai.nudgeAgent', id);
    assert.ok(nudged.ok, JSON.stringify(nudged));
    // The profile has no nudge of its own: the default "continue", which the rules let through.
    assert.equal(nudged.text, 'continue');
    assert.equal(nudged.requires_confirmation, false);
    await until(() => api.paneScreen(id).some((row) => row.includes('echo:continue')), screenOf(id));
    await api.waitForPaneState(id, 'awaiting_input', 30_000);
  });

  it('opens the transcript of the agent and restarts it from the context menu commands', async () => {
    assert.ok(agent, 'the agent of the previous test is missing');
    const id = agent.id;
    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.openTranscript', id), true);
    const opened = vscode.window.activeTextEditor?.document.uri.fsPath ?? '';
    assert.equal(path.basename(opened), `${id}.log`);
    assert.ok(existsSync(opened));

    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.restartAgent', id), true);
    await until(() => api.paneScreen(id).some((row) => row.includes('sidebar agent resumed')), screenOf(id));
    await api.waitForPaneState(id, 'awaiting_input', 30_000);
    await until(
      () => item('fleetai.agents', id)?.contextValue === 'fleetai.pane.awaiting_input',
      items('fleetai.agents'),
    );
  });
});
