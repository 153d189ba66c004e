import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
// The ESM build: this file is bundled without mainFields, and the UMD build's lazy require does not survive that.
import { parse as parseJsonc, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import type { FleetAiApi } from '../../extension/vscode/api';
import type { InitWorkspaceResult } from '../../extension/vscode/initCommand';
import { until } from './until';

// FleetAI: Initialize Workspace in the real VS Code window, on the test workspace without its FleetAI configs:
// the agent CLIs on the window's PATH are found (the real codex, claude and gemini of node_modules/.bin, put first
// on the extension host's PATH as a user's PATH holds their CLIs: the host takes its PATH from the login shell),
// the panes chosen are written with autostart off, .gitignore gets FleetAI's lines, orchestrator.json opens, and
// a second run after an edit changes nothing. The harness cannot tick a quick pick or press a modal button, so
// the command is given the answers (`{ profiles, gitignore }`) in place of the dialogs, as metaAgent.test.ts does.
const EXTENSION_ID = 'fleetai.fleetai';
const FILES = [
  'orchestrator.json',
  'mcp.servers.json',
  'orchestrator.schema.json',
  'mcp.servers.schema.json',
];

/** The config's panes as written (the loader's own checks run in test/unit/init). */
async function readConfig(
  file: string,
): Promise<{ panes: { id: string; agent: string; autostart: boolean }[] }> {
  const errors: ParseError[] = [];
  const data = parseJsonc(await fs.readFile(file, 'utf8'), errors, { allowTrailingComma: true }) as {
    panes: { id: string; agent: string; autostart: boolean }[];
  };
  assert.deepEqual(errors, [], `${file} is not JSONC`);
  return data;
}

describe('FleetAI: Initialize Workspace in a real VS Code window', () => {
  let folder: string;
  const saved = new Map<string, string | undefined>();
  const pathBefore = process.env.PATH;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    await extension.activate();
    // The extension runs from the repository here (extensionDevelopmentPath), next to its node_modules.
    process.env.PATH = [path.join(extension.extensionPath, 'node_modules/.bin'), pathBefore ?? ''].join(
      path.delimiter,
    );
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    // Other test files share the workspace: what they left is put back afterwards.
    for (const file of [
      ...FILES.map((f) => path.join(folder, '.fleetai', f)),
      path.join(folder, '.gitignore'),
    ]) {
      saved.set(file, await fs.readFile(file, 'utf8').catch(() => undefined));
      await fs.rm(file, { force: true });
    }
  });

  after(async () => {
    process.env.PATH = pathBefore;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const [file, text] of saved) {
      if (text === undefined) await fs.rm(file, { force: true });
      else await fs.writeFile(file, text);
    }
  });

  it('writes the configs with the panes chosen (autostart off), adds the .gitignore lines, opens orchestrator.json', async () => {
    const result = await vscode.commands.executeCommand<InitWorkspaceResult | undefined>(
      'fleetai.initWorkspace',
      {
        profiles: ['codex', 'claude'],
        gitignore: true,
      },
    );
    assert.ok(result, 'the command returned nothing (see the app log: init.failed)');
    const found = result.clis.filter((c) => c.found).map((c) => c.name);
    assert.ok(
      found.includes('codex') && found.includes('claude'),
      `codex and claude of node_modules/.bin were not found: ${JSON.stringify(result.clis)}`,
    );
    assert.deepEqual(result.written.map((w) => w.relative).sort(), FILES.map((f) => `.fleetai/${f}`).sort());
    const configFile = path.join(folder, '.fleetai/orchestrator.json');
    const config = await readConfig(configFile);
    assert.deepEqual(
      config.panes.map((p) => [p.id, p.agent, p.autostart]),
      [
        ['codex', 'codex', false],
        ['claude', 'claude', false],
      ],
    );
    assert.deepEqual(result.gitignoreAdded, ['.fleetai/state/', '.fleetai/logs/', '.fleetai/backups/']);
    assert.match(await fs.readFile(path.join(folder, '.gitignore'), 'utf8'), /^\.fleetai\/state\/$/m);
    await until(
      () => vscode.window.activeTextEditor?.document.uri.fsPath === configFile,
      () =>
        `orchestrator.json is not the active editor (${vscode.window.activeTextEditor?.document.uri.fsPath ?? 'none'})`,
    );
  });

  it('a second run after an edit keeps every byte, and adds a pane only when it is chosen', async () => {
    const configFile = path.join(folder, '.fleetai/orchestrator.json');
    const edited = (await fs.readFile(configFile, 'utf8')).replace(
      '"stall_timeout_seconds": 120,',
      '"stall_timeout_seconds": 240, // edited in the test',
    );
    await fs.writeFile(configFile, edited);
    const gitignore = await fs.readFile(path.join(folder, '.gitignore'), 'utf8');

    const again = await vscode.commands.executeCommand<InitWorkspaceResult | undefined>(
      'fleetai.initWorkspace',
      {
        profiles: [],
        gitignore: true,
      },
    );
    assert.ok(again);
    assert.deepEqual(again.written, []);
    assert.deepEqual(again.gitignoreAdded, []);
    assert.equal(await fs.readFile(configFile, 'utf8'), edited);
    assert.equal(await fs.readFile(path.join(folder, '.gitignore'), 'utf8'), gitignore);

    const merged = await vscode.commands.executeCommand<InitWorkspaceResult | undefined>(
      'fleetai.initWorkspace',
      {
        profiles: ['gemini'],
        gitignore: false,
      },
    );
    assert.ok(merged);
    assert.deepEqual(
      merged.written.map((w) => [w.relative, w.action]),
      [['.fleetai/orchestrator.json', 'merge']],
    );
    const text = await fs.readFile(configFile, 'utf8');
    assert.ok(text.includes('"stall_timeout_seconds": 240, // edited in the test'), text);
    const config = await readConfig(configFile);
    assert.deepEqual(
      config.panes.map((p) => p.id),
      ['codex', 'claude', 'gemini'],
    );
  });
});
