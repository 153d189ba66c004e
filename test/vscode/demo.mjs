// `npm run demo`: FleetAI's main job on its embedded defaults. Starts the real VS Code (code-server) on
// 127.0.0.1 with the freshly packaged FleetAI installed and a demo workspace open, prints the address, and runs
// until Ctrl-C. No API key and no external server are needed.
//   FLEETAI_DEMO_PORT=8080   port to listen on (default: 8080, or a free one if taken)
//   --check                  start, verify FleetAI is installed and the page answers, then stop (for scripts)
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
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

const cs = ensureCodeServer();
const sandbox = makeSandbox('demo');
const installed = installVsix(cs, sandbox, vsix);
if (!/successfully installed/.test(installed)) {
  console.error(`demo: installing ${vsix} failed:\n${installed}`);
  process.exit(1);
}
// The demo workspace lives outside the clone so that what the demo writes never dirties the repository.
const workspace = path.join(
  process.env.FLEETAI_DEMO_WORKSPACE ?? path.join(homedir(), '.cache/fleetai-demo'),
  'workspace',
);
if (!existsSync(workspace)) {
  mkdirSync(path.dirname(workspace), { recursive: true });
  cpSync(path.join(repoRoot, 'test/fixtures/demo-workspace'), workspace, { recursive: true });
}

let port = Number(process.env.FLEETAI_DEMO_PORT ?? 8080);
try {
  await fetch(`http://127.0.0.1:${port}/`);
  port = await freePort(); // something already answers on that port
} catch {
  // the port is free
}
const server = await startCodeServer(cs, sandbox, workspace, { port });
const url = workbenchUrl(server, workspace);
const page = await fetch(url);
if (!page.ok) {
  console.error(`demo: VS Code answered ${page.status} on ${url}; see ${server.logFile}`);
  await server.stop();
  process.exit(1);
}

console.log(`
FleetAI demo is running.

  Open:       ${url}
  Workspace:  ${workspace}
  FleetAI:    ${vsix} (installed)
  Log:        ${path.join(workspace, '.fleetai/logs/app.jsonl')}
  VS Code:    ${server.logFile}

In VS Code: click the FleetAI icon in the activity bar, or press F1 and run "FleetAI: Show Dashboard".
Press Ctrl-C to stop.
`);

const stop = async () => {
  await server.stop();
  rmSync(sandbox.root, { recursive: true, force: true });
  process.exit(0);
};
if (check) await stop();
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
