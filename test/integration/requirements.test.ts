import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FleetAiApi } from '../../extension/vscode/api';
import { until } from './until';

// Requirements -> tasks in the real VS Code window: `FleetAI: Decompose Requirements…` on a Markdown document
// of the workspace writes the draft and opens it; an edit made in that editor (unsaved) is part of what
// `FleetAI: Apply Task Draft` applies. The apply's modal cannot be clicked from a test, so the test API's
// applyTaskDraft runs the same command with the modal answered "Apply" (the diff editor still opens).
const EXTENSION_ID = 'fleetai.fleetai';

const doc = `# 天气机器人

## 1. Fetch forecasts
### Acceptance
- forecasts for 3 cities are cached

## 2. 发送消息
- [ ] 消息送达测试群
`;
const config = '{\n  // kept by the apply\n  "stall_timeout_seconds": 120\n}\n';

describe('Requirements to tasks in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let configFile: string;
  let previousConfig: string | undefined;
  const created: string[] = [];

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    configFile = path.join(folder, '.fleetai/orchestrator.json');
    // Other test files share the workspace: its config is put back as it was.
    previousConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
    await fs.mkdir(path.join(folder, '.fleetai'), { recursive: true });
    await fs.writeFile(configFile, config);
    await fs.mkdir(path.join(folder, 'docs'), { recursive: true });
    await fs.writeFile(path.join(folder, 'docs/weather-requirements.md'), doc);
    created.push(path.join(folder, 'docs/weather-requirements.md'), path.join(folder, '.fleetai/drafts'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const file of created) await fs.rm(file, { recursive: true, force: true });
    if (previousConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, previousConfig);
  });

  it('decomposes the document into a draft that opens for editing, then applies the edited draft', async () => {
    const docUri = vscode.Uri.file(path.join(folder, 'docs/weather-requirements.md'));
    const draftFile = await vscode.commands.executeCommand<string | undefined>(
      'fleetai.decomposeRequirements',
      docUri,
    );
    assert.equal(draftFile, path.join(folder, '.fleetai/drafts/weather-requirements.tasks.json'));
    const editor = await until(
      () =>
        vscode.window.activeTextEditor?.document.uri.fsPath === draftFile && vscode.window.activeTextEditor,
      () =>
        `the draft did not open; active: ${vscode.window.activeTextEditor?.document.uri.fsPath ?? 'none'}`,
    );
    const draft = JSON.parse(editor.document.getText()) as {
      source: { doc: string; decomposed_by: string };
      tasks: { id: string; title: string; depends_on: string[] }[];
    };
    assert.equal(draft.source.doc, 'docs/weather-requirements.md');
    assert.equal(draft.source.decomposed_by, 'rules');
    assert.deepEqual(
      draft.tasks.map((t) => [t.id, t.title, t.depends_on]),
      [
        ['fetch-forecasts', 'Fetch forecasts', []],
        ['t2', '发送消息', ['fetch-forecasts']],
      ],
    );

    // The user renames t2 in the editor and does not save.
    const text = editor.document.getText();
    const start = text.indexOf('"t2"');
    assert.ok(start > 0);
    const edited = await editor.edit((edit) =>
      edit.replace(
        new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + 4)),
        '"send"',
      ),
    );
    assert.ok(edited);
    assert.ok(editor.document.isDirty);

    const result = await api.applyTaskDraft(draftFile);
    assert.deepEqual(result, { file: configFile, added: ['fetch-forecasts', 'send'], replaced: [] });
    // The diff editor showed orchestrator.json against the proposed text.
    const diffTab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find(
        (t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'fleetai-proposed',
      );
    assert.ok(diffTab, 'no diff editor of the proposed orchestrator.json');

    const after = await fs.readFile(configFile, 'utf8');
    assert.ok(after.startsWith('{\n  // kept by the apply\n  "stall_timeout_seconds": 120,'), after);
    assert.match(after, /"id": "send"/);
    assert.match(after, /"checklist": \[\s*"forecasts for 3 cities are cached"\s*\]/);

    // Applying again: the ids exist now, so the test API (which never replaces unasked) refuses and writes nothing.
    const again = await api.applyTaskDraft(draftFile);
    assert.equal(again, undefined);
    assert.equal(await fs.readFile(configFile, 'utf8'), after);
  });
});
