import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FleetAiApi } from '../../extension/vscode/api';
import type { ReviewCommandResult } from '../../extension/vscode/reviewCommand';
import { until } from './until';

// FleetAI: Review Project in the real VS Code window, on a workspace whose task board has a chain of
// dependencies: the review the rules give (no model configured) opens as Markdown, with the chain as a
// bottleneck and ranked next steps that carry fleet commands, and is remembered as the next review's baseline.
const EXTENSION_ID = 'fleetai.fleetai';

const config = {
  metrics_port: 0,
  portal: { port: 0 },
  tasks: [
    { id: 'schema', title: 'Design the schema' },
    { id: 'api', title: 'Build the API', depends_on: ['schema'] },
    { id: 'ui', title: 'Build the UI', depends_on: ['api'] },
    { id: 'docs', title: 'Write the docs', depends_on: ['api'] },
  ],
};

describe('FleetAI: Review Project in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let configFile: string;
  let previousConfig: string | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
    assert.ok(api);
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    configFile = path.join(folder, '.fleetai/orchestrator.json');
    // Other test files share the workspace: its config is put back as it was.
    previousConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
    await fs.mkdir(path.join(folder, '.fleetai'), { recursive: true });
    await fs.writeFile(configFile, JSON.stringify(config, null, 2));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (previousConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, previousConfig);
  });

  it('opens the review as Markdown: progress, the dependency chain as a bottleneck, next steps with commands', async () => {
    const result = await vscode.commands.executeCommand<ReviewCommandResult | undefined>(
      'fleetai.reviewProject',
    );
    assert.ok(result, 'the command returned nothing (see the app log: review.failed)');
    assert.equal(result.source, 'rules');
    for (const id of ['schema', 'api', 'ui', 'docs']) assert.ok(result.markdown.includes(id), id);
    for (const heading of ['## Progress', '## Bottlenecks', '## Next steps'])
      assert.ok(result.markdown.includes(heading), `${heading} in\n${result.markdown}`);
    assert.ok(result.bottlenecks >= 1, result.markdown);
    assert.ok(result.recommendations >= 1, result.markdown);
    assert.match(result.markdown, /`fleet [a-z:]+/, 'no fleet command among the next steps');

    const shown = await until(
      () =>
        vscode.workspace.textDocuments.find(
          (d) => d.languageId === 'markdown' && d.getText() === result.markdown,
        ),
      () => 'the review as an open Markdown document',
    );
    assert.equal(shown.isUntitled, true);
    // Remembered: the next review says what changed since this one.
    assert.ok(existsSync(path.join(folder, '.fleetai/state/review/last.json')), 'no review baseline written');
  });
});
