import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NewAgentResult } from '../../extension/vscode/agentPanes';
import type { FleetAiApi } from '../../extension/vscode/api';
import { scriptedAgentProfile, scriptedAgentSource } from './scriptedProfile';
import { until } from './until';
import type { DecideOutcome } from '../../extension/vscode/supervisorHost';

// The supervisor core running inside the real VS Code window (code-server's extension host), next to a real
// `fleet orchestrator` process, real git, and a scripted agent on a real pty.
//
// This file must run before any other test starts an agent: the window reads the workspace config and decides
// who supervises the workspace when its first agent starts (index.ts runs the files in name order).
const EXTENSION_ID = 'fleetai.fleetai';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `fleet` CLI of this checkout, as a separate process. */
function fleet(cli: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(' ')}: ${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

function scriptedProfile(script: string): unknown {
  return scriptedAgentProfile({
    kind: 'scripted',
    displayName: 'Scripted agent',
    executable: 'fleetai-scripted-agent',
    script,
    prompt: 'scripted',
    question: 'Allow the scripted change\\?',
  });
}

describe('The supervisor inside a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let cli: string;
  let stateDir: string;
  let scratch: string;
  let other: ChildProcess | undefined;
  const started: string[] = [];

  const newAgent = async (args: Record<string, unknown>): Promise<NewAgentResult | undefined> => {
    const result = await vscode.commands.executeCommand<NewAgentResult | undefined>('fleetai.newAgent', args);
    if (result) started.push(result.id);
    return result;
  };
  const screenHas = (id: string, text: string) => () => api.paneScreen(id).some((row) => row.includes(text));
  const screenOf = (id: string) => () => api.paneScreen(id).join('\n');
  // The tooltip is markdown source: text comes with its spaces and brackets escaped.
  const tooltip = (): string =>
    api
      .statusTooltip()
      .replaceAll('&nbsp;', ' ')
      .replace(/\\([()])/g, '$1');

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    cli = path.join(extension.extensionPath, 'dist', 'cli.js');
    assert.ok(existsSync(cli), `${cli} is missing: build with node extension/build/bundle.mjs`);
    stateDir = path.join(folder, '.fleetai', 'state');
    scratch = mkdtempSync(path.join(tmpdir(), 'fleetai-supervisor-test-'));
    assert.equal(
      api.supervisor().mode,
      'off',
      'an agent started before this file ran: the supervisor attaches with the first agent of the window',
    );
  });

  after(async () => {
    for (const id of started) await vscode.commands.executeCommand('fleetai.removeAgent', id);
    if (other && other.exitCode === null) other.kill('SIGKILL');
    await fs.rm(path.join(folder, '.fleetai', 'orchestrator.json'), { force: true });
    await fs.rm(path.join(folder, '.fleetai', 'agents'), { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('leaves the workspace to a running fleet orchestrator, reports a broken config by file:line, then takes over', async () => {
    other = spawn(process.execPath, [cli, 'orchestrator', '-w', folder], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let otherErr = '';
    other.stderr?.on('data', (d: Buffer) => (otherErr += d.toString()));
    const controlFile = path.join(stateDir, 'control.json');
    const pidIn = async (): Promise<number | undefined> => {
      const text = await fs.readFile(controlFile, 'utf8').catch(() => '');
      return text ? (JSON.parse(text) as { pid: number }).pid : undefined;
    };
    await until(
      async () => (await pidIn()) === other?.pid,
      () => `control.json of fleet orchestrator; ${otherErr}`,
    );

    // Read by the window when its first agent starts; `fleet orchestrator` has read it already.
    const config = path.join(folder, '.fleetai', 'orchestrator.json');
    await fs.writeFile(config, '{\n  "stall_timeout_seconds": "soon"\n}\n');

    const shell = await newAgent({ kind: 'shell', command: '/bin/sh' });
    assert.ok(shell, 'the shell agent did not start');
    const summary = api.supervisor();
    assert.equal(summary.mode, 'elsewhere');
    assert.equal(summary.ownerPid, other.pid);
    assert.match(summary.configProblem ?? '', /orchestrator\.json:2:\d+: stall_timeout_seconds: /);
    assert.equal(summary.dryRun, false);
    assert.equal(api.supervisorSnapshot(), undefined);
    await api.waitForPaneState(shell.id, 'awaiting_input', 20_000);
    assert.match(tooltip(), new RegExp(`another FleetAI process \\(pid ${other.pid}\\)`));

    other.kill('SIGTERM');
    await until(
      () => other?.exitCode !== null,
      () => 'fleet orchestrator to stop',
    );
    // The window looks every 10 s whether the other supervisor is still there.
    await until(
      () => api.supervisor().mode === 'window',
      () => JSON.stringify(api.supervisor()),
      30_000,
    );
    assert.equal(await until(pidIn, () => 'control.json of the window'), process.pid);
    assert.ok(api.supervisorSnapshot()?.orchestrator_heartbeat, 'no heartbeat in the snapshot');
  });

  it('asks for the approval a scripted agent needs, answers it from fleetai.approve, refuses a second answer', async () => {
    const script = path.join(scratch, 'scripted-agent.cjs');
    await fs.writeFile(script, scriptedAgentSource('scripted'));
    await fs.mkdir(path.join(folder, '.fleetai', 'agents'), { recursive: true });
    await fs.writeFile(
      path.join(folder, '.fleetai', 'agents', 'scripted.json'),
      JSON.stringify(scriptedProfile(script), null, 2),
    );
    const agent = await newAgent({ kind: 'scripted' });
    assert.ok(agent, 'the scripted agent did not start');
    const id = agent.id;
    await api.waitForPaneState(id, 'awaiting_input', 20_000);

    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', id, 'ask'), true);
    await api.waitForPaneState(id, 'awaiting_approval', 20_000);
    const request = await until(
      async () => (await api.pendingApprovals()).find((r) => r.pane === id),
      () => `a pending approval for ${id}; screen:\n${screenOf(id)()}`,
    );
    assert.equal(request.kind, 'edit');
    assert.equal(request.source, 'agent');
    assert.equal(request.risk, 'medium');
    await until(
      () => /1 approval/.test(api.statusText()),
      () => `the status bar to count the approval: ${api.statusText()}`,
    );

    // `fleet` reaches the supervisor of this window over its control socket.
    const status = await fleet(cli, ['status', '--json', '-w', folder]);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as {
      running: boolean;
      host: string;
      pid: number;
      panes: { id: string; state: string }[];
    };
    assert.equal(parsed.running, true);
    assert.equal(parsed.host, 'vscode');
    assert.equal(parsed.pid, process.pid);
    assert.deepEqual(parsed.panes.find((p) => p.id === id)?.state, 'awaiting_approval');
    const listed = await fleet(cli, ['approvals:list', '--json', '-w', folder]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as { id: string }[]).some((r) => r.id === request.id));

    const approved = await vscode.commands.executeCommand<DecideOutcome>('fleetai.approve', request.id);
    assert.equal(approved.ok, true, JSON.stringify(approved));
    await until(screenHas(id, 'scripted-approved-marker'), screenOf(id));
    await api.waitForPaneState(id, 'awaiting_input', 20_000);
    assert.equal(
      (await api.pendingApprovals()).some((r) => r.id === request.id),
      false,
    );

    const again = await vscode.commands.executeCommand<DecideOutcome>('fleetai.deny', request.id, 'too late');
    assert.equal(again.ok, false);
    assert.equal(again.ok ? '' : again.error.code, 'E_APPROVAL_ALREADY_DECIDED');
    const fromCli = await fleet(cli, ['approvals:deny', request.id, '-w', folder]);
    assert.equal(fromCli.code, 1);
    assert.match(fromCli.stderr, /E_APPROVAL_ALREADY_DECIDED/);
    assert.equal(
      api.paneScreen(id).some((row) => row.includes('scripted-denied-marker')),
      false,
    );

    const meta = Object.values(api.supervisorSnapshot()?.panes ?? {}).find((m) => m.pane === id);
    assert.ok(
      meta?.recent_actions.some(
        (a) => a.action === 'approval' && /approve by vscode via keys/.test(a.detail),
      ),
      JSON.stringify(meta?.recent_actions),
    );
    // Both agents wait for input now: the shell of the first test and this one.
    await until(
      () => /2 waiting/.test(api.statusText()) && !/approval/.test(api.statusText()),
      () => `the status bar to count two waiting agents: ${api.statusText()}`,
    );
  });

  it('restarts a crashed agent in the same terminal, which then types into the new process', async () => {
    const id = started[1];
    assert.ok(id, 'the scripted agent of the previous test is missing');
    const terminalName = api.panes().find((p) => p.id === id)?.terminalName;
    assert.ok(terminalName);
    await vscode.commands.executeCommand('fleetai.sendToAgent', id, 'crash');
    // The supervisor starts it again with the profile's resume argument.
    await until(screenHas(id, 'scripted agent resumed'), screenOf(id));
    await api.waitForPaneState(id, 'awaiting_input', 20_000);
    const terminals = vscode.window.terminals.filter((t) => t.name === terminalName);
    assert.equal(terminals.length, 1, `terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
    // Keys typed in that terminal reach the new process (an old binding would close the terminal instead).
    terminals[0]?.sendText('typed-after-restart');
    await until(screenHas(id, 'echo:typed-after-restart:resumed'), screenOf(id));
  });

  it('starts an agent on a new branch in its own git worktree, and says why it cannot when it cannot', async () => {
    const before = api.panes().length;
    const notRepo = await newAgent({
      kind: 'shell',
      command: '/bin/sh',
      branch: 'fleet/wt-test',
      worktree: true,
    });
    assert.equal(notRepo, undefined, 'a worktree outside a git repository');
    assert.equal(api.panes().length, before);

    await git(folder, 'init', '--quiet', '--initial-branch=main');
    await git(folder, 'add', 'README.md', 'hello.js');
    await git(
      folder,
      '-c',
      'user.name=FleetAI Test',
      '-c',
      'user.email=test@fleetai.invalid',
      'commit',
      '--quiet',
      '-m',
      'init',
    );
    const agent = await newAgent({
      kind: 'shell',
      command: '/bin/sh',
      branch: 'fleet/wt-test',
      worktree: true,
    });
    assert.ok(agent, 'the worktree agent did not start');
    assert.equal(agent.branch, 'fleet/wt-test');
    assert.equal(
      agent.cwd,
      path.join(path.dirname(folder), `${path.basename(folder)}.worktrees`, 'fleet-wt-test'),
    );
    assert.equal(await git(agent.cwd, 'branch', '--show-current'), 'fleet/wt-test');
    assert.equal(await git(folder, 'branch', '--show-current'), 'main');
    await api.waitForPaneState(agent.id, 'awaiting_input', 20_000);
    await vscode.commands.executeCommand('fleetai.sendToAgent', agent.id, 'git branch --show-current');
    await until(
      () => api.paneScreen(agent.id).some((row) => row.trim() === 'fleet/wt-test'),
      screenOf(agent.id),
    );

    const twice = await newAgent({
      kind: 'shell',
      command: '/bin/sh',
      branch: 'fleet/wt-test',
      worktree: true,
    });
    assert.equal(twice, undefined, 'a branch checked out in another worktree');
    const invalid = await newAgent({
      kind: 'shell',
      command: '/bin/sh',
      branch: 'no spaces',
      worktree: true,
    });
    assert.equal(invalid, undefined, 'an invalid branch name');
  });

  it('counts the panes in the status bar, and toggles dry run from the palette command', async () => {
    await until(
      () => /3 waiting/.test(api.statusText()),
      () => `three waiting agents: ${api.statusText()}`,
    );
    assert.match(tooltip(), /Supervisor: runs in this window; heartbeat \d+ s ago/);
    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.toggleDryRun'), true);
    assert.equal(api.supervisor().dryRun, true);
    assert.match(api.statusText(), /dry run/);
    const settings = JSON.parse(
      await fs.readFile(path.join(folder, '.vscode', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(settings['fleetai.dryRun'], true);
    const status = JSON.parse((await fleet(cli, ['status', '--json', '-w', folder])).stdout) as {
      dry_run: boolean;
    };
    assert.equal(status.dry_run, true);
    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.toggleDryRun'), false);
    assert.equal(api.supervisor().dryRun, false);
    assert.doesNotMatch(api.statusText(), /dry run/);
  });
});
