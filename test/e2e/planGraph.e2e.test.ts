import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as harness from '../vscode/codeServer.mjs';
import { artefacts, vsix } from './approvalScenario';
import { runPaletteCommand, webviewFrame } from './workbench';

// The plan graph from end to end, as a person lives it: `fleet run:auto` of the example plan
// config/plans/auto.plan.json runs in a terminal (here: a background process of the test, the repository's own
// built CLI) up to its human approval; the packaged FleetAI in a real VS Code (code-server) driven by chromium
// opens the graph from the palette, shows the waiting node, and its Approve button lets the run finish, which the
// graph follows live. Nothing is mocked.
const POLL = { timeout: 30_000, interval: 500 };

interface RunRecordFile {
  status: string;
  thread: string;
  waits: { node: string; requestId: string }[];
}

describe('The plan graph follows a fleet run:auto and approves its node', () => {
  let sandbox: harness.Sandbox;
  let server: harness.RunningCodeServer;
  let browser: Browser;
  let page: Page;
  let workspace: string;
  let run: ChildProcess;
  let output = '';
  let exitCode: number | null | undefined;
  let graph: Frame;

  const runRecord = (): RunRecordFile | undefined => {
    const dir = path.join(workspace, '.fleetai/state/plans/auto/runs');
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
    return file ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RunRecordFile) : undefined;
  };
  const nodeState = (id: string): Promise<string | null> =>
    graph.locator(`[data-testid="plan-node"][data-node-id="${id}"]`).getAttribute('data-state');

  beforeAll(async () => {
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    const cs = harness.ensureCodeServer();
    sandbox = harness.makeSandbox('e2e-plan-graph');
    const installed = harness.installVsix(cs, sandbox, vsix);
    if (!/was successfully installed/.test(installed)) throw new Error(`installing ${vsix}: ${installed}`);
    workspace = path.join(sandbox.root, 'workspace');
    cpSync(path.join(harness.repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });
    mkdirSync(path.join(workspace, 'plans'), { recursive: true });
    copyFileSync(
      path.join(harness.repoRoot, 'config/plans/auto.plan.json'),
      path.join(workspace, 'plans/auto.plan.json'),
    );

    // As in a terminal of the workspace: it waits for the decision, then finishes the run by itself.
    run = spawn(
      process.execPath,
      [path.join(harness.repoRoot, 'dist/cli.js'), 'run:auto', 'plans/auto.plan.json'],
      {
        cwd: workspace,
        env: { ...process.env, LANG: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.on('exit', (code) => (exitCode = code));
    // (expect.poll works only inside a test.)
    for (let waited = 0; runRecord()?.status !== 'waiting_approval'; waited += 250) {
      if (waited > 60_000 || run.exitCode !== null)
        throw new Error(`fleet run:auto did not reach its approval:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    server = await harness.startCodeServer(cs, sandbox, workspace);
    browser = await harness.launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.workbenchUrl(server, workspace));
    await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    if (run && run.exitCode === null) run.kill('SIGTERM');
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (sandbox) {
      const log = path.join(workspace, '.fleetai/logs/app.jsonl');
      if (existsSync(log)) copyFileSync(log, path.join(artefacts, 'e2e-plan-graph-app.jsonl'));
      rmSync(sandbox.root, { recursive: true, force: true });
    }
  });

  it('"FleetAI: Show Plan Graph" opens the graph of the run, with its approval node waiting', async () => {
    await runPaletteCommand(page, 'FleetAI: Show Plan Graph');
    graph = await webviewFrame(page, 'plan');
    await graph.locator('main[data-testid="plan"][data-rendered="true"]').waitFor({ timeout: 30_000 });
    await graph.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
    expect(await graph.locator('[data-testid="plan-title"]').textContent()).toContain('Auto-run example');
    // Every node of the plan and the parallel block's join.
    await expect.poll(() => graph.locator('[data-testid="plan-node"]').count(), POLL).toBe(14);
    expect(await nodeState('approve')).toBe('waiting_approval');
    expect(await nodeState('publish')).toBe('pending');
    expect(await nodeState('node-version')).toBe('done');
    expect(await nodeState('checks:join')).toBe('done');

    await graph.locator('[data-testid="plan-node"][data-node-id="approve"]').click();
    const panel = graph.locator('[data-testid="plan-panel"][data-node-id="approve"]');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-testid="plan-panel-state"]').getAttribute('data-state')).toBe(
      'waiting_approval',
    );
    await page.screenshot({ path: path.join(artefacts, 'plan-graph-waiting.png') });
  }, 120_000);

  it('Approve in the graph answers the request once; the run finishes and the graph shows every step done', async () => {
    const requestId = runRecord()?.waits[0]?.requestId;
    expect(requestId).toBeTruthy();
    await graph.locator('[data-testid="plan-approve"]').click();
    // The `fleet run:auto` process sees the decision and runs the rest of the plan.
    await expect
      .poll(() => exitCode, { timeout: 60_000, interval: 500 })
      .toBe(0)
      .catch((error: unknown) => {
        throw new Error(`fleet run:auto did not finish: ${String(error)}\n${output}`);
      });
    expect(runRecord()?.status).toBe('done');
    // Live: the graph follows the run's record without a reload.
    await expect.poll(() => nodeState('publish'), POLL).toBe('done');
    for (const id of [
      'main',
      'prepare',
      'checks',
      'checks:join',
      'poll',
      'tick',
      'choose',
      'summary',
      'approve',
    ])
      expect(await nodeState(id), id).toBe('done');
    expect(existsSync(path.join(workspace, 'auto-output/published.txt'))).toBe(true);
    const completed = JSON.parse(
      readFileSync(path.join(workspace, '.fleetai/state/approvals/completed.json'), 'utf8'),
    ) as { approvals: { id: string; decision: string; decidedBy: string }[] };
    expect(completed.approvals.filter((a) => a.id === requestId)).toEqual([
      expect.objectContaining({ decision: 'approve', decidedBy: 'vscode' }),
    ]);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(artefacts, 'plan-graph.png') });
  }, 120_000);
});
