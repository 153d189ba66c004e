// `npm run demo`: FleetAI supervising a small fleet in the real VS Code (code-server) on 127.0.0.1, with no API
// key and no external server. It starts the fake model server (test/fixtures/fake-model) in this process, gives
// the real Codex CLI a home that points at it, copies test/fixtures/demo-workspace to a fresh folder outside the
// clone, writes that workspace's .fleetai/orchestrator.json (test/fixtures/demo-agents/demoConfig.mjs), installs
// the freshly packaged FleetAI and prints the address. The window starts the supervisor and the panes by itself.
// Runs until Ctrl-C, then ends every process it started (Codex's background daemon included).
//   FLEETAI_DEMO_PORT=8080       port to listen on (default: 8080, or a free one if taken)
//   FLEETAI_DEMO_WORKSPACE=DIR   where the workspace copy and Codex's home go (default: ~/.cache/fleetai-demo)
//   --check                      start everything, check that it answers (the page, the fake model, Codex, the
//                                workspace config), then stop (for scripts)
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

const check = process.argv.includes('--check');
const vsix = path.join(repoRoot, 'dist/fleetai.vsix');
if (!existsSync(vsix)) {
  console.error(`demo: ${vsix} is missing; run "npm run package" (npm run demo does it for you).`);
  process.exit(1);
}

const fail = async (message, cleanup) => {
  console.error(`demo: ${message}`);
  await cleanup?.();
  process.exit(1);
};

const cs = ensureCodeServer();
const sandbox = makeSandbox('demo');
const installed = installVsix(cs, sandbox, vsix);
if (!/successfully installed/.test(installed)) await fail(`installing ${vsix} failed:\n${installed}`);

// Everything the demo writes lives outside the clone, and starts afresh each time: a task left DONE or a file
// left behind by the last run would hide what the demo is there to show.
const home = process.env.FLEETAI_DEMO_WORKSPACE ?? path.join(homedir(), '.cache/fleetai-demo');
const workspace = path.join(home, 'workspace');
const agentsRoot = path.join(home, 'agents'); // Codex's home; not under /tmp, where Codex warns
rmSync(workspace, { recursive: true, force: true });
rmSync(agentsRoot, { recursive: true, force: true });
mkdirSync(agentsRoot, { recursive: true });
cpSync(path.join(repoRoot, 'test/fixtures/demo-workspace'), workspace, { recursive: true });

const modelLog = path.join(home, 'fake-model.log');
writeFileSync(modelLog, '');
// Codex's task prompt carries `fake:approval`: the model asks to run `touch approved.txt`, then answers plainly.
const model = await startFakeModel({
  log: (line) => appendFileSync(modelLog, `${new Date().toISOString()} ${line}\n`),
});
const codex = prepareCodex({ baseUrl: model.url, workdir: workspace, root: agentsRoot });
const configFile = path.join(workspace, '.fleetai/orchestrator.json');
writeFileSync(configFile, `${JSON.stringify(demoConfig({ codex, node: process.execPath }), null, 2)}\n`);

let server;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server?.stop();
  // The panes run in the window's terminals; Codex's daemon outlives its TUI: the marker finds them all.
  await stopStarted(codex);
  await model.close();
  rmSync(sandbox.root, { recursive: true, force: true });
};

let port = Number(process.env.FLEETAI_DEMO_PORT ?? 8080);
try {
  await fetch(`http://127.0.0.1:${port}/`);
  port = await freePort(); // something already answers on that port
} catch {
  // the port is free
}
server = await startCodeServer(cs, sandbox, workspace, { port });
const url = workbenchUrl(server, workspace);
const page = await fetch(url);
if (!page.ok) await fail(`VS Code answered ${page.status} on ${url}; see ${server.logFile}`, stop);

if (check) {
  for (const [what, run] of [
    ['the fake model', () => checkModel(model.url)],
    ['Codex', () => checkCodex(codex)],
    ['the workspace config', () => checkConfig(workspace)],
  ]) {
    try {
      console.log(`demo --check: ${what}: ${await run()}`);
    } catch (error) {
      await fail(`--check: ${what}: ${error instanceof Error ? error.message : String(error)}`, stop);
    }
  }
}

console.log(`
FleetAI demo is running.

  Open:       ${url}
  Workspace:  ${workspace}  (a fresh copy of test/fixtures/demo-workspace)
  Config:     ${configFile}
  FleetAI:    ${vsix} (installed)
  Model:      fake model server on ${model.url} (log: ${modelLog}); no API key is used
  FleetAI log: ${path.join(workspace, '.fleetai/logs/app.jsonl')}
  VS Code log: ${server.logFile}

When the page opens, FleetAI starts its supervisor and three agents, each in a terminal of its own:

  codex     The real Codex CLI asks to run "touch approved.txt". No rule allows it, so it waits for you:
            a notification with Approve / Deny / Show, the FleetAI icon in the activity bar -> Approvals,
            and F1 "FleetAI: Show Approvals" (add a note, then Approve). Codex then creates approved.txt.
  refactor  A scripted agent that gets stuck after two steps. After ${STALL_TIMEOUT_SECONDS} s without progress FleetAI
            nudges it (Ctrl-C, then "continue") and it finishes: watch its terminal and the Agents view.
  docs      A scripted agent whose task waits for refactor's task, then runs.

Watch the status bar (FleetAI: ... working · ... approval) and F1 "FleetAI: Show Dashboard": the panes, the
tasks with their owners and dependency, the events. Press Ctrl-C here to stop.
`);

if (check) {
  await stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));

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
