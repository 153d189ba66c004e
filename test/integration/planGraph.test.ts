import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FleetAiApi } from '../../extension/vscode/api';
import { until } from './until';

// The plan graph's host in the real VS Code window: a real `fleet run:auto config/plans/auto.plan.json` (local
// tasks, a parallel block, a loop, a conditional, a human approval) running in the test workspace as another
// process, as in a terminal, read back through the webview's own protocol requests (answered by the handlers
// the panel's messages reach; the end-to-end test in chromium clicks the graph itself).
const EXTENSION_ID = 'fleetai.fleetai';

describe('Plan graph host in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let thread: string;
  let output = '';
  let exited: Promise<number | null>;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    const root = extension.extensionPath;
    const child = spawn(
      process.execPath,
      [path.join(root, 'dist/cli.js'), 'run:auto', path.join(root, 'config/plans/auto.plan.json')],
      { cwd: folder, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    thread = await until(
      () => /running plan "auto" \(v\d+\) as (\S+)/.exec(output)?.[1],
      () => `fleet run:auto printed no run: ${output}`,
    );
  });

  after(async () => {
    await fs.rm(path.join(folder, 'auto-output'), { recursive: true, force: true });
  });

  it('plan.getSnapshot shows the run waiting at its approval node, with the request id and the outputs so far', async () => {
    const snapshot = await until(
      async () => {
        const s = await api.webviewRequest('plan.getSnapshot', { runId: thread }).catch(() => undefined);
        // The node's own state comes first; the run's status and its waits follow in the next write.
        return s?.runStatus === 'waiting_approval' && s;
      },
      () => `run ${thread} never waited at "approve"`,
    );
    const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
    assert.equal(byId.get('approve')?.state, 'waiting_approval');
    assert.equal(snapshot.planId, 'auto');
    const pending = await api.pendingApprovals();
    const request = pending.find((r) => r.agent === `plan-run:${thread}`);
    assert.ok(request, JSON.stringify(pending));
    assert.equal(byId.get('approve')?.requestId, request.id);
    assert.equal(byId.get('publish')?.state, 'pending');
    assert.equal(byId.get('checks:join')?.state, 'done');
    assert.equal(byId.get('main')?.state, 'running');
    assert.match(byId.get('node-version')?.outputExcerpt ?? '', /v\d+\.\d+\.\d+/);
    assert.ok(snapshot.edges.some((e) => e.from === 'tick' && e.to === 'poll' && e.kind === 'repeat'));

    // Without a runId the graph shows the newest run of the workspace: this one.
    const newest = await api.webviewRequest('plan.getSnapshot', {});
    assert.equal(newest.runId, thread);
    const { runs } = await api.webviewRequest('plan.listRuns', {});
    assert.deepEqual(
      runs.filter((r) => r.runId === thread).map((r) => [r.planId, r.status, r.waits]),
      [['auto', 'waiting_approval', 1]],
    );
  });

  it('FleetAI: Show Plan Graph opens the plan panel, whose webview asks the host for the snapshot', async () => {
    const asked = api.waitForDashboardRequest('plan.getSnapshot', 30_000);
    const shown = await vscode.commands.executeCommand<string | undefined>('fleetai.showPlanGraph', thread);
    assert.equal(shown, thread);
    await asked;
    const tab = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('fleetai.plan'));
    assert.ok(tab, 'no plan graph tab is open');
    assert.match(tab.label, /FleetAI Plan Graph|FleetAI 计划图/);
  });

  it('plan.approve decides through the supervisor once (a second answer is refused) and the run finishes', async () => {
    const decided = await api.webviewRequest('plan.approve', { runId: thread, nodeId: 'approve' });
    assert.equal(decided.ok, true, JSON.stringify(decided));
    const again = await api.webviewRequest('plan.approve', {
      runId: thread,
      nodeId: 'approve',
      decision: 'deny',
    });
    assert.equal(again.ok, false);
    assert.match(again.ok ? '' : again.message, /already answered/);
    assert.equal(again.id, decided.id);

    // The `fleet run:auto` process waiting for the decision carries on and ends the run.
    assert.equal(await exited, 0, output);
    const snapshot = await until(
      async () => {
        const s = await api.webviewRequest('plan.getSnapshot', { runId: thread });
        return s.runStatus === 'done' && s;
      },
      () => `run ${thread} is not done in the snapshot`,
    );
    const states = new Map(snapshot.nodes.map((n) => [n.id, n.state]));
    for (const id of [
      'main',
      'prepare',
      'checks',
      'checks:join',
      'poll',
      'tick',
      'choose',
      'summary',
      'approve',
    ])
      assert.equal(states.get(id), 'done', id);
    assert.equal(states.get('publish'), 'done');
    assert.notEqual(states.get('no-summary'), 'done');
    assert.equal(
      await fs.readFile(path.join(folder, 'auto-output/published.txt'), 'utf8').then(Boolean),
      true,
    );

    // A node that never waited cannot be approved.
    await assert.rejects(
      api.webviewRequest('plan.approve', { runId: thread, nodeId: 'prepare' }),
      /not waiting for an approval|没有在等待审批/,
    );
  });

  it('plan.openNodeOutput opens a read-only document with the node state, its output and its log lines', async () => {
    const opened = await api.webviewRequest('plan.openNodeOutput', { runId: thread, nodeId: 'node-version' });
    assert.deepEqual(opened, { opened: true });
    const document = vscode.workspace.textDocuments.find(
      (d) => d.uri.scheme === 'fleetai-plan' && d.uri.path === `/${thread}/node-version.log`,
    );
    assert.ok(document, 'no node output document');
    const text = document.getText();
    assert.match(text, /# Node\.js version \(node-version\)/);
    assert.match(text, /v\d+\.\d+\.\d+/);
    assert.ok(text.includes(thread));
    assert.match(text, /done|已完成/);
    await assert.rejects(
      api.webviewRequest('plan.openNodeOutput', { runId: thread, nodeId: 'no-such-node' }),
      /has no node|没有节点/,
    );
  });
});

describe('A plan run nobody runs any more, approved in the plan graph', () => {
  it('fleet run:auto --no-wait stops at the approval; plan.approve has the window resume the run (a child fleet process) to its end', async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    const root = extension.extensionPath;
    let output = '';
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'dist/cli.js'),
        'run:auto',
        path.join(root, 'config/plans/auto.plan.json'),
        '--no-wait',
      ],
      { cwd: folder, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Exit code 2: the run waits for an approval and no process runs it.
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 2, output);
    const thread = /running plan "auto" \(v\d+\) as (\S+)/.exec(output)?.[1];
    assert.ok(thread, output);
    const waiting = await api.webviewRequest('plan.getSnapshot', { runId: thread });
    assert.equal(waiting.runStatus, 'waiting_approval');

    const decided = await api.webviewRequest('plan.approve', { runId: thread, nodeId: 'approve' });
    assert.equal(decided.ok, true, JSON.stringify(decided));
    const done = await until(
      async () => {
        const s = await api.webviewRequest('plan.getSnapshot', { runId: thread });
        return s.runStatus === 'done' && s;
      },
      () => `run ${thread} was not resumed to its end`,
    );
    assert.equal(done.nodes.find((n) => n.id === 'publish')?.state, 'done');
    // The window started the resume (its log line says so), not the first process.
    const log = await until(
      async () => {
        const text = await fs.readFile(api.appLogPath, 'utf8');
        return text.includes('"plan.resume"') && text.includes(thread) && text;
      },
      () => 'no plan.resume line in the window log',
    );
    assert.ok(
      log
        .split('\n')
        .some((l) => l.includes('"plan.resume"') && l.includes(thread) && l.includes('"by":"vscode"')),
      'the plan.resume line names another run',
    );
    await fs.rm(path.join(folder, 'auto-output'), { recursive: true, force: true });
  });
});

describe('A plan run nobody runs any more, approved outside VS Code', () => {
  it('fleet approvals:approve from a terminal lets the window resume the run (fleet plan:resume) to its end', async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    const cli = path.join(extension.extensionPath, 'dist/cli.js');
    const fleet = async (...args: string[]): Promise<{ code: number | null; output: string }> => {
      let output = '';
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: folder,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { code, output };
    };
    const started = await fleet(
      'run:auto',
      path.join(extension.extensionPath, 'config/plans/auto.plan.json'),
      '--no-wait',
    );
    assert.equal(started.code, 2, started.output);
    const thread = /running plan "auto" \(v\d+\) as (\S+)/.exec(started.output)?.[1];
    assert.ok(thread, started.output);
    const request = /fleet approvals:approve ([^\s,]+)/.exec(started.output)?.[1];
    assert.ok(request, started.output);

    const approved = await fleet('approvals:approve', request);
    assert.equal(approved.code, 0, approved.output);
    const done = await until(
      async () => {
        const s = await api.webviewRequest('plan.getSnapshot', { runId: thread });
        return s.runStatus === 'done' && s;
      },
      () => `run ${thread} was not resumed after the terminal's approval`,
    );
    assert.equal(done.nodes.find((n) => n.id === 'publish')?.state, 'done');
    const log = await fs.readFile(api.appLogPath, 'utf8');
    assert.ok(
      log
        .split('\n')
        .some((l) => l.includes('"plan.resume"') && l.includes(thread) && l.includes('"by":"vscode"')),
      'the window did not log the resume of this run',
    );
    await fs.rm(path.join(folder, 'auto-output'), { recursive: true, force: true });
  });
});

describe('FleetAI: Run Plan', () => {
  let folder: string;
  let root: string;
  let api: FleetAiApi;
  const plansDir = (): string => path.join(folder, '.fleetai', 'plans');

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    root = extension.extensionPath;
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first);
    folder = first;
    await fs.mkdir(plansDir(), { recursive: true });
  });

  after(async () => {
    await fs.rm(plansDir(), { recursive: true, force: true });
    await fs.rm(path.join(folder, 'auto-output'), { recursive: true, force: true });
    // Leave the window as the next tests expect it: no plan terminal, graph or output document open.
    for (const terminal of vscode.window.terminals)
      if (terminal.name.startsWith('FleetAI plan:')) terminal.dispose();
    const ours = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter(
        (tab) =>
          (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('fleetai.plan')) ||
          (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'fleetai-plan'),
      );
    await vscode.window.tabGroups.close(ours);
  });

  it('refuses an invalid plan: its problems go to the Problems panel at their lines, no run starts', async () => {
    const file = vscode.Uri.file(path.join(plansDir(), 'broken.plan.json'));
    const plan = {
      schemaVersion: 1,
      id: 'broken',
      title: 'Broken',
      root: 'main',
      nodes: [{ type: 'sequence', id: 'main', title: 'Main', children: ['missing'] }],
    };
    await fs.writeFile(file.fsPath, JSON.stringify(plan, null, 2));
    const terminals = vscode.window.terminals.length;
    const outcome = await vscode.commands.executeCommand<{ errors: number; terminal?: string }>(
      'fleetai.runPlan',
      file,
    );
    assert.ok(outcome && outcome.errors > 0, JSON.stringify(outcome));
    assert.equal(outcome.terminal, undefined);
    assert.equal(vscode.window.terminals.length, terminals);
    const problems = vscode.languages.getDiagnostics(file);
    assert.ok(problems.length > 0);
    const [first] = problems;
    assert.equal(first?.source, 'FleetAI');
    assert.equal(first?.severity, vscode.DiagnosticSeverity.Error);
    assert.match(first?.message ?? '', /missing/);
    // The reference to the missing node is on the line of `children`, not the top of the file.
    assert.ok((first?.range.start.line ?? 0) > 0, JSON.stringify(first?.range));
  });

  it('runs a valid plan as fleet run:auto in a terminal and opens the graph on it; an approval there lets it finish', async () => {
    const text = await fs.readFile(path.join(root, 'config/plans/auto.plan.json'), 'utf8');
    const plan = {
      ...(JSON.parse(text) as Record<string, unknown>),
      id: 'auto-terminal',
      $schema: undefined,
    };
    const file = vscode.Uri.file(path.join(plansDir(), 'auto-terminal.plan.json'));
    await fs.writeFile(file.fsPath, JSON.stringify(plan, null, 2));
    const outcome = await vscode.commands.executeCommand<{ errors: number; terminal?: string }>(
      'fleetai.runPlan',
      file,
    );
    assert.equal(outcome?.errors, 0);
    assert.equal(outcome?.terminal, 'FleetAI plan: auto-terminal');
    assert.ok(vscode.window.terminals.some((t) => t.name === outcome.terminal));
    assert.deepEqual(vscode.languages.getDiagnostics(file), []);
    const waiting = await until(
      async () => {
        const s = await api.webviewRequest('plan.getSnapshot', {}).catch(() => undefined);
        return s?.planId === 'auto-terminal' && s.runStatus === 'waiting_approval' && s;
      },
      () => 'the run started in the terminal never waited for its approval',
      60_000,
    );
    const decided = await api.webviewRequest('plan.approve', { runId: waiting.runId, nodeId: 'approve' });
    assert.equal(decided.ok, true, JSON.stringify(decided));
    await until(
      async () =>
        (await api.webviewRequest('plan.getSnapshot', { runId: waiting.runId })).runStatus === 'done',
      () => `run ${waiting.runId} did not finish after the approval`,
      60_000,
    );
  });
});
