import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FleetAiApi } from '../../extension/vscode/api';
import type { GenerateProfileResult } from '../../extension/vscode/metaAgentCommands';
import { until } from './until';

// The window's agent profile registry and the Meta Agent in the real VS Code window: a profile file dropped into
// .fleetai/agents/ is loaded (and offered by New Agent) without reloading the window, a broken save keeps the
// loaded version, and "FleetAI: Generate Agent Profile…" runs against the fake model server configured in the
// workspace's orchestrator.json. The harness cannot click a modal dialog, so the command is given the answer
// (`answer: 'accept'`) in place of the Accept button; everything else (the model call, the diff editor, the
// write, the hot load) is the real path.
const EXTENSION_ID = 'fleetai.fleetai';

describe('Agent profiles and the Meta Agent in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let agentsDir: string;
  let configFile: string;
  let savedConfig: string | undefined;
  let server: ChildProcess | undefined;
  let serverLog = '';

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    agentsDir = path.join(folder, '.fleetai', 'agents');
    configFile = path.join(folder, '.fleetai', 'orchestrator.json');
    savedConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
  });

  after(async () => {
    server?.kill();
    delete process.env.FLEETAI_META_TEST_KEY;
    if (savedConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, savedConfig);
    for (const kind of ['dropbot', 'mybot'])
      await fs.rm(path.join(agentsDir, `${kind}.json`), { force: true });
  });

  it('loads a profile file dropped into .fleetai/agents without a window reload, and New Agent offers it', async () => {
    const before = await api.agentProfiles();
    assert.ok(before.entries.some((e) => e.kind === 'shell'));
    assert.ok(!before.entries.some((e) => e.kind === 'dropbot'));
    const shell = JSON.parse(
      await fs.readFile(
        path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'agents-config/shell.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    await fs.mkdir(agentsDir, { recursive: true });
    const file = path.join(agentsDir, 'dropbot.json');
    await fs.writeFile(
      file,
      JSON.stringify({ ...shell, $schema: undefined, kind: 'dropbot', displayName: 'Drop Bot' }),
    );
    const entry = await until(
      async () => (await api.agentProfiles()).entries.find((e) => e.kind === 'dropbot'),
      () => 'dropbot in the window registry',
    );
    assert.equal(entry.source, 'workspace');
    assert.deepEqual(entry.files, [file]);
    assert.ok((await api.newAgentKinds()).includes('dropbot'), 'New Agent does not offer dropbot');

    // A broken save is reported and the loaded version stays.
    await fs.writeFile(file, '{ "schemaVersion": 1, "kind": "dropbot", ');
    await until(
      async () => (await api.agentProfiles()).problems.find((p) => p.file === file),
      () => 'the problem of the broken dropbot.json',
    );
    assert.equal(
      (await api.agentProfiles()).entries.find((e) => e.kind === 'dropbot')?.displayName,
      'Drop Bot',
    );

    await fs.rm(file);
    await until(
      async () => !(await api.agentProfiles()).entries.some((e) => e.kind === 'dropbot'),
      () => 'dropbot unloaded',
    );
  });

  it('generates a profile with the configured model, shows the diff, writes it on Accept and hot-loads it', async () => {
    // The real fake model server, in its own process (its module has a top-level await the bundle cannot take).
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    server = spawn(process.execPath, [path.join(root, 'test/fixtures/fake-model/server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    const url = await until(
      () => /listening on (\S+)/.exec(serverLog)?.[1],
      () => `the fake model to listen: ${serverLog}`,
    );
    process.env.FLEETAI_META_TEST_KEY = 'test-key-not-secret';
    const config = savedConfig ? (JSON.parse(savedConfig) as Record<string, unknown>) : {};
    config.model = { base_url: `${url}/v1`, model: 'fake-meta', api_key_env: 'FLEETAI_META_TEST_KEY' };
    await fs.mkdir(path.dirname(configFile), { recursive: true });
    await fs.writeFile(configFile, JSON.stringify(config));

    const cancelled = await vscode.commands.executeCommand<GenerateProfileResult | undefined>(
      'fleetai.generateAgentProfile',
      { description: 'Mybot, a terminal agent fleetai-fake:invalid', answer: 'cancel' },
    );
    assert.ok(cancelled, 'the command gave no result (see the error notification)');
    assert.equal(cancelled.written, false);
    assert.equal(cancelled.attempts, 2, 'the invalid first answer was not retried');
    await fs.access(cancelled.file).then(
      () => assert.fail(`${cancelled.file} was written on Cancel`),
      () => undefined,
    );
    // The proposal was shown in a diff editor beside the (empty) current file.
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `the active tab is not a diff: ${tab?.label}`);
    assert.match(tab.label, /mybot/);

    const accepted = await vscode.commands.executeCommand<GenerateProfileResult | undefined>(
      'fleetai.generateAgentProfile',
      { description: 'Mybot, a terminal agent', answer: 'accept' },
    );
    assert.ok(accepted);
    assert.equal(accepted.written, true);
    assert.equal(accepted.file, path.join(agentsDir, 'mybot.json'));
    const written = JSON.parse(await fs.readFile(accepted.file, 'utf8')) as { kind: string };
    assert.equal(written.kind, 'mybot');
    await until(
      async () => (await api.agentProfiles()).entries.find((e) => e.kind === 'mybot'),
      () => 'mybot in the window registry',
    );
    assert.ok((await api.newAgentKinds()).includes('mybot'));
    assert.match(serverLog, /fleetai:profile/);
  });
});
