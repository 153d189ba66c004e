// What `npm run demo` starts, as a module: test/vscode/demo.mjs prints its address and waits for Ctrl-C, and
// test/e2e/demo.e2e.test.ts opens it in chromium, so the test runs exactly what the README's first command runs.
//
// startDemo() starts the fake model server (test/fixtures/fake-model) in this process, gives the real Codex CLI a
// home that points at it, copies test/fixtures/demo-workspace to a fresh folder, writes that workspace's
// .fleetai/orchestrator.json (test/fixtures/demo-agents/demoConfig.mjs), installs the packaged FleetAI into a
// sandboxed code-server and starts it. The window starts the supervisor and the panes by itself once a browser
// opens the address. `stop()` ends every process the demo started, Codex's background daemon included.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { prepareCodex, stopStarted } from '../fixtures/agents-env/index.mjs';
import { demoConfig, STALL_TIMEOUT_SECONDS } from '../fixtures/demo-agents/demoConfig.mjs';
import { startFakeModel } from '../fixtures/fake-model/server.mjs';
import {
  ensureCodeServer,
  freePort,
  installVsix,
  makeSandbox,
  repoRoot,
  startCodeServer,
  workbenchUrl,
} from './codeServer.mjs';

export const DEFAULT_DEMO_HOME = path.join(homedir(), '.cache/fleetai-demo');
export const DEFAULT_VSIX = path.join(repoRoot, 'dist/fleetai.vsix');
export { STALL_TIMEOUT_SECONDS };

/**
 * Starts the demo. On any failure it stops what it had started and throws.
 * @param {import('./demoSetup.d.mts').DemoOptions} [options]
 * @returns {Promise<import('./demoSetup.d.mts').RunningDemo>}
 */
export async function startDemo(options = {}) {
  const home = options.home ?? DEFAULT_DEMO_HOME;
  const vsix = options.vsix ?? DEFAULT_VSIX;
  const stallTimeoutSeconds = options.stallTimeoutSeconds ?? STALL_TIMEOUT_SECONDS;
  if (!existsSync(vsix))
    throw new Error(`${vsix} is missing; run "npm run package" (npm run demo does it for you).`);

  /** @type {(() => Promise<void>)[]} undo steps, last first */
  const undo = [];
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
    })());

  try {
    const cs = ensureCodeServer();
    const sandbox = makeSandbox(options.label ?? 'demo');
    undo.push(async () => rmSync(sandbox.root, { recursive: true, force: true }));
    const installed = installVsix(cs, sandbox, vsix);
    if (!/successfully installed/.test(installed))
      throw new Error(`installing ${vsix} failed:\n${installed}`);

    // Everything the demo writes lives outside the clone, and starts afresh each time: a task left DONE or a file
    // left behind by the last run would hide what the demo is there to show.
    const workspace = path.join(home, 'workspace');
    // Codex's home goes in a fresh folder under this one, not under /tmp, where Codex warns. The demo's own
    // folder is emptied first; a caller's (shared with other runs) is not.
    const agentsRoot = options.codexRoot ?? path.join(home, 'agents');
    rmSync(workspace, { recursive: true, force: true });
    if (!options.codexRoot) rmSync(agentsRoot, { recursive: true, force: true });
    mkdirSync(agentsRoot, { recursive: true });
    cpSync(path.join(repoRoot, 'test/fixtures/demo-workspace'), workspace, { recursive: true });

    const modelLog = path.join(home, 'fake-model.log');
    writeFileSync(modelLog, '');
    // Codex's task prompt carries `fake:approval`: the model asks to run `touch approved.txt`, then answers plainly.
    const model = await startFakeModel({
      log: (line) => appendFileSync(modelLog, `${new Date().toISOString()} ${line}\n`),
    });
    undo.push(() => model.close());
    const codex = prepareCodex({ baseUrl: model.url, workdir: workspace, root: agentsRoot });
    // The panes run in the window's terminals and Codex's daemon outlives its TUI: the marker finds them all.
    // Pushed before code-server starts, so it runs after code-server stops (undo runs last first).
    undo.push(async () => void (await stopStarted(codex)));
    const configFile = path.join(workspace, '.fleetai/orchestrator.json');
    const config = demoConfig({ codex, node: process.execPath, stallTimeoutSeconds });
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);

    const server = await startCodeServer(cs, sandbox, workspace, { port: await usablePort(options.port) });
    undo.push(() => server.stop());
    const url = workbenchUrl(server, workspace);
    const page = await fetch(url);
    if (!page.ok) throw new Error(`VS Code answered ${page.status} on ${url}; see ${server.logFile}`);

    return {
      url,
      home,
      workspace,
      configFile,
      appLog: path.join(workspace, '.fleetai/logs/app.jsonl'),
      vsix,
      model,
      modelLog,
      codex,
      server,
      stallTimeoutSeconds,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `port` when it is given and nothing answers there yet, otherwise a free one. */
async function usablePort(port) {
  if (port === undefined) return freePort();
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return freePort(); // something already answers on that port
  } catch {
    return port;
  }
}

/**
 * What `npm run demo -- --check` verifies besides the page: the fake model answers a streamed turn as Codex asks
 * for it, Codex runs with the demo's home, and `fleet doctor` finds the workspace config valid. Each entry is
 * `[what, result]`; a failed check throws with what failed.
 * @param {import('./demoSetup.d.mts').RunningDemo} demo
 * @returns {Promise<[string, string][]>}
 */
export async function checkDemo(demo) {
  const results = [];
  for (const [what, run] of [
    ['the fake model', () => checkModel(demo.model.url)],
    ['Codex', () => checkCodex(demo.codex)],
    ['the workspace config', () => checkConfig(demo.workspace)],
  ]) {
    try {
      results.push([what, await run()]);
    } catch (error) {
      throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
}

/** One streamed Responses turn, as Codex asks for it, with the tool it would offer. */
async function checkModel(base) {
  const res = await fetch(`${base}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer fake-key' },
    body: JSON.stringify({
      model: 'demo-check',
      stream: true,
      input: [{ role: 'user', content: 'fake:plain demo check' }],
      tools: [{ type: 'function', name: 'exec_command' }],
    }),
  });
  const body = await res.text();
  if (!res.ok || !body.includes('response.completed')) {
    throw new Error(`POST /v1/responses answered ${res.status}: ${body.slice(0, 200)}`);
  }
  return `answers on ${base}/v1/responses`;
}

function checkCodex(spec) {
  const out = execFileSync(spec.command, ['--version'], { env: spec.env, encoding: 'utf8', timeout: 30_000 });
  return `${out.trim()} (${spec.command}, CODEX_HOME=${spec.codexHome})`;
}

/** `fleet doctor` reads the config the window will read, and names the line of any mistake in it. */
function checkConfig(dir) {
  const cli = path.join(repoRoot, 'dist/cli.js');
  let out;
  try {
    out = execFileSync(process.execPath, [cli, 'doctor', '--json', '-w', dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  } catch (error) {
    out = String(error.stdout ?? '');
  }
  const report = JSON.parse(out);
  const problems = (report.checks ?? []).filter(
    (c) => c.status === 'fail' && /config|orchestrator/i.test(c.id),
  );
  if (problems.length) throw new Error(JSON.stringify(problems));
  return `valid (${(report.checks ?? []).length} doctor checks looked at it)`;
}
