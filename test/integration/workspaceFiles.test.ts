import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

// The manifest's jsonValidation and configurationDefaults, as the real VS Code applies them: the .fleetai files
// open in the right language and its JSON language server checks them against FleetAI's schemas.

/** Waits for the JSON language server's diagnostics on a document (it validates after opening, asynchronously). */
async function diagnosticsOf(uri: vscode.Uri, timeoutMs = 60_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = vscode.languages.getDiagnostics(uri);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('The .fleetai workspace files in a real VS Code', () => {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const created: string[] = [];

  async function write(relative: string, text: string): Promise<vscode.Uri> {
    assert.ok(folder, 'the integration workspace has a folder');
    const file = path.join(folder, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    created.push(file);
    return vscode.Uri.file(file);
  }

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const file of created) await fs.rm(file, { force: true });
  });

  it('opens orchestrator.json as JSON with comments and checks it against the orchestrator schema', async () => {
    const uri = await write(
      '.fleetai/orchestrator.json',
      '{\n  // comments are fine here: the loader reads JSONC\n  "stall_timeout_seconds": "soon"\n}\n',
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'jsonc');
    const diagnostics = await diagnosticsOf(uri);
    const messages = diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
    // Only the wrong type is reported (line 2), not the comment on line 1.
    assert.ok(
      diagnostics.some((d) => d.range.start.line === 2),
      `no schema problem reported on stall_timeout_seconds: ${JSON.stringify(messages)}`,
    );
    assert.ok(
      diagnostics.every((d) => d.range.start.line !== 1),
      `the comment is reported: ${JSON.stringify(messages)}`,
    );
  });

  it('checks .fleetai/agents/*.json against the agent profile override schema, as plain JSON', async () => {
    const uri = await write(
      '.fleetai/agents/mine.json',
      '{\n  "schemaVersion": 1,\n  "kind": "Not A Kind!"\n}\n',
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'json');
    const diagnostics = await diagnosticsOf(uri);
    assert.ok(
      diagnostics.some((d) => d.range.start.line === 2),
      `no schema problem reported on kind: ${JSON.stringify(diagnostics.map((d) => d.message))}`,
    );
  });
});
