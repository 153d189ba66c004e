// Runs test/integration/*.test.ts inside a real VS Code extension host (code-server 4.139.1 / VS Code 1.139.1),
// driven by Debian's chromium through playwright-core, as FIELD-NOTES.md measured. Exits with mocha's verdict.
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import {
  ensureCodeServer,
  launchChromium,
  makeSandbox,
  remoteUri,
  repoRoot,
  startCodeServer,
  workbenchUrl,
} from './codeServer.mjs';

const verbose = process.env.FLEETAI_TEST_VERBOSE === '1';
const outDir = path.join(repoRoot, 'dist/test/integration');
rmSync(outDir, { recursive: true, force: true });
// `node test/vscode/run-integration.mjs mcpCall panes` runs only the test files whose names start with those
// words (while working on one); with no words, every file. The helpers (index.ts, until.ts...) always go in.
const only = process.argv.slice(2);
if (only.length > 0 && process.env.CI === 'true') {
  console.error('run-integration: a file selection is for local runs; CI runs every integration test.');
  process.exit(2);
}
const entries = readdirSync(path.join(repoRoot, 'test/integration')).filter(
  (f) =>
    f.endsWith('.ts') && (!f.endsWith('.test.ts') || only.length === 0 || only.some((w) => f.startsWith(w))),
);
if (only.length > 0 && !entries.some((f) => f.endsWith('.test.ts'))) {
  console.error(`run-integration: no test file in test/integration starts with ${only.join(', ')}`);
  process.exit(2);
}
await build({
  entryPoints: entries.map((f) => path.join(repoRoot, 'test/integration', f)),
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

const cs = ensureCodeServer();
const sandbox = makeSandbox('integration');
const workspace = path.join(sandbox.root, 'workspace');
cpSync(path.join(repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });

const server = await startCodeServer(cs, sandbox, workspace);
const browser = await launchChromium();
let exitCode = 1;
try {
  const page = await browser.newPage();
  const finished = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
  });
  // The smoke-test driver forwards the workbench's log, including mocha's spec reporter running in the
  // extension host, as (level, [format, ...args]).
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const text = Array.isArray(args) ? format(...args) : String(args);
    if (level === 'error') process.stdout.write(`[vscode:error] ${text.split('\n')[0]}\n`);
    else if (verbose || /^\s+\S/.test(text)) process.stdout.write(`${text}\n`);
  });
  const url = workbenchUrl(server, workspace, [
    ['extensionDevelopmentPath', remoteUri(server, repoRoot)],
    ['extensionTestsPath', remoteUri(server, path.join(outDir, 'index.js'))],
    ['skipWelcome', 'true'],
  ]);
  console.log(`integration: VS Code at ${server.url}, workspace ${workspace}`);
  await page.goto(url);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 240_000));
  const result = await Promise.race([finished, timeout]);
  if (result === 'timeout') {
    console.error(`integration: no verdict from VS Code within 240 s; code-server log: ${server.logFile}`);
  } else {
    exitCode = result;
    console.log(`integration: VS Code reported exit code ${exitCode}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
if (exitCode === 0 && !process.env.FLEETAI_KEEP_SANDBOX)
  rmSync(sandbox.root, { recursive: true, force: true });
else console.log(`integration: sandbox kept at ${sandbox.root}`);
process.exit(exitCode);
