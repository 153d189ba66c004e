// Loaded by VS Code as `extensionTestsPath`: measures, inside the real extension host, how long FleetAI takes to
// activate from cold (loading the bundle from disk plus running `activate`), then reports through the console,
// which the smoke-test driver forwards to the benchmark.
const vscode = require('vscode');

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('fleetai.fleetai');
  if (!ext) throw new Error('fleetai.fleetai is not loaded');
  if (ext.isActive) throw new Error('FleetAI was already active; the benchmark needs a cold start');
  // Activation usually happens when a user opens the FleetAI view, after the window has started; measuring
  // in the middle of the workbench's own startup would mostly measure CPU contention on a 2-core machine.
  // The benchmark writes bench-settle.json into each workspace: 0 measures activation during window startup.
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const settle = folder
    ? JSON.parse(require('node:fs').readFileSync(`${folder}/bench-settle.json`, 'utf8')).settleMs
    : 3000;
  await new Promise((resolve) => setTimeout(resolve, settle));
  const t0 = performance.now();
  const api = await ext.activate();
  const total = performance.now() - t0;
  console.log(
    `FLEETAI_BENCH ${JSON.stringify({ activationMs: total, activateCallMs: api.activateMs, moduleLoadMs: api.moduleLoadMs })}`,
  );
};
