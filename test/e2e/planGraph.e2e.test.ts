import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as harness from '../vscode/codeServer.mjs';
import { artefacts, vsix } from './approvalScenario';
import { openFleetContainer, runPaletteCommand, webviewFrame } from './workbench';

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

/**
 * One code-server with the packaged FleetAI on a workspace where `fleet run:auto plans/auto.plan.json` (the
 * repository's built CLI, as in a terminal of the workspace) already waits at the plan's approval; chromium on
 * the workbench.
 */
class PlanScenario {
  sandbox!: harness.Sandbox;
  server!: harness.RunningCodeServer;
  browser!: Browser;
  page!: Page;
  workspace!: string;
  run!: ChildProcess;
  output = '';
  exitCode: number | null | undefined;
  graph!: Frame;

  static async start(label: string, locale?: 'zh-cn'): Promise<PlanScenario> {
    const s = new PlanScenario();
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    const cs = harness.ensureCodeServer();
    s.sandbox = harness.makeSandbox(label);
    if (locale === 'zh-cn') harness.installTestLanguagePack(cs, s.sandbox);
    const installed = harness.installVsix(cs, s.sandbox, vsix);
    if (!/was successfully installed/.test(installed)) throw new Error(`installing ${vsix}: ${installed}`);
    s.workspace = path.join(s.sandbox.root, 'workspace');
    cpSync(path.join(harness.repoRoot, 'test/fixtures/workspace'), s.workspace, { recursive: true });
    mkdirSync(path.join(s.workspace, 'plans'), { recursive: true });
    copyFileSync(
      path.join(harness.repoRoot, 'config/plans/auto.plan.json'),
      path.join(s.workspace, 'plans/auto.plan.json'),
    );
    // It waits for the decision, then finishes the run by itself.
    s.run = spawn(
      process.execPath,
      [path.join(harness.repoRoot, 'dist/cli.js'), 'run:auto', 'plans/auto.plan.json'],
      { cwd: s.workspace, env: { ...process.env, LANG: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    s.run.stdout?.on('data', (chunk: Buffer) => (s.output += chunk.toString()));
    s.run.stderr?.on('data', (chunk: Buffer) => (s.output += chunk.toString()));
    s.run.on('exit', (code) => (s.exitCode = code));
    // (expect.poll works only inside a test.)
    for (let waited = 0; s.runRecord()?.status !== 'waiting_approval'; waited += 250) {
      if (waited > 60_000 || s.run.exitCode !== null)
        throw new Error(`fleet run:auto did not reach its approval:\n${s.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    s.server = await harness.startCodeServer(cs, s.sandbox, s.workspace, {
      ...(locale ? { extraArgs: ['--locale', locale] } : {}),
    });
    s.browser = await harness.launchChromium();
    s.page = await s.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await s.page.goto(harness.workbenchUrl(s.server, s.workspace));
    await s.page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await s.page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
    return s;
  }

  runRecord(): RunRecordFile | undefined {
    const dir = path.join(this.workspace, '.fleetai/state/plans/auto/runs');
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
    return file ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RunRecordFile) : undefined;
  }

  nodeState(id: string): Promise<string | null> {
    return this.graph.locator(`[data-testid="plan-node"][data-node-id="${id}"]`).getAttribute('data-state');
  }

  /** The graph webview, once it has drawn a snapshot from a connected host. */
  async openedGraph(): Promise<Frame> {
    this.graph = await webviewFrame(this.page, 'plan');
    await this.graph.locator('main[data-testid="plan"][data-rendered="true"]').waitFor({ timeout: 30_000 });
    await this.graph
      .locator('[data-testid="connection"][data-state="connected"]')
      .waitFor({ timeout: 30_000 });
    return this.graph;
  }

  async stop(label: string): Promise<void> {
    if (this.run && this.run.exitCode === null) this.run.kill('SIGTERM');
    await this.browser?.close().catch(() => undefined);
    await this.server?.stop();
    if (this.sandbox) {
      const log = path.join(this.workspace, '.fleetai/logs/app.jsonl');
      if (existsSync(log)) copyFileSync(log, path.join(artefacts, `${label}-app.jsonl`));
      rmSync(this.sandbox.root, { recursive: true, force: true });
    }
  }
}

describe('The plan graph follows a fleet run:auto and approves its node', () => {
  let s: PlanScenario;
  let graph: Frame;
  let page: Page;
  const nodeState = (id: string): Promise<string | null> => s.nodeState(id);
  const runRecord = (): RunRecordFile | undefined => s.runRecord();

  beforeAll(async () => {
    s = await PlanScenario.start('e2e-plan-graph');
    page = s.page;
  });

  afterAll(async () => {
    await s?.stop('e2e-plan-graph');
  });

  it('"FleetAI: Show Plan Graph" opens the graph of the run, with its approval node waiting', async () => {
    await runPaletteCommand(page, 'FleetAI: Show Plan Graph');
    graph = await s.openedGraph();
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
      .poll(() => s.exitCode, { timeout: 60_000, interval: 500 })
      .toBe(0)
      .catch((error: unknown) => {
        throw new Error(`fleet run:auto did not finish: ${String(error)}\n${s.output}`);
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
    expect(existsSync(path.join(s.workspace, 'auto-output/published.txt'))).toBe(true);
    const completed = JSON.parse(
      readFileSync(path.join(s.workspace, '.fleetai/state/approvals/completed.json'), 'utf8'),
    ) as { approvals: { id: string; decision: string; decidedBy: string }[] };
    expect(completed.approvals.filter((a) => a.id === requestId)).toEqual([
      expect.objectContaining({ decision: 'approve', decidedBy: 'vscode' }),
    ]);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(artefacts, 'plan-graph.png') });
  }, 120_000);
});

describe('The plan graph in Simplified Chinese, opened from the sidebar', () => {
  let s: PlanScenario;

  beforeAll(async () => {
    s = await PlanScenario.start('e2e-plan-graph-zh', 'zh-cn');
  });

  afterAll(async () => {
    await s?.stop('e2e-plan-graph-zh');
  });

  it('the Agents view title action 显示计划图 opens the graph in Chinese; 批准 lets the run finish', async () => {
    const { page } = s;
    await openFleetContainer(page);
    const header = page.locator('.sidebar .pane-header', {
      has: page.locator('h3.title', { hasText: '代理' }),
    });
    await header.first().hover();
    await header.first().locator('.action-label[aria-label^="显示计划图"]').click();
    const graph = await s.openedGraph();
    expect(await graph.locator('[data-testid="plan-title"]').textContent()).toContain('FleetAI 计划');
    expect(await s.nodeState('approve')).toBe('waiting_approval');
    await graph.locator('[data-testid="plan-node"][data-node-id="approve"]').click();
    const approve = graph.locator('[data-testid="plan-approve"]');
    expect(await approve.textContent()).toContain('批准');
    // Deny is offered next to it (not clicked here: the run must finish).
    expect(await graph.locator('[data-testid="plan-deny"]').textContent()).toContain('拒绝');
    await approve.click();
    await expect.poll(() => s.exitCode, { timeout: 60_000, interval: 500 }).toBe(0);
    await expect.poll(() => s.nodeState('publish'), POLL).toBe('done');
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(artefacts, 'plan-graph-zh-cn.png') });
  }, 120_000);
});
