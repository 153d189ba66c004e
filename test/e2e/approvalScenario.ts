import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { prepareCodex, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { codexPane } from '../fixtures/demo-agents/codexPane.mjs';
import type { FakeModelServer } from '../fixtures/fake-model/server.mjs';
import * as harness from '../vscode/codeServer.mjs';

export const artefacts = path.join(harness.repoRoot, 'test-results/e2e');
export const vsix = path.join(harness.repoRoot, 'dist/fleetai.vsix');

/** The task's prompt: the fake model's `fake:approval` turn asks to run `touch approved.txt`. */
export const TASK_PROMPT = 'fake:approval Create the file approved.txt.';
export const COMMAND = 'touch approved.txt';

/**
 * One code-server with the packaged FleetAI, a workspace whose `.fleetai/orchestrator.json` names a real Codex
 * pane (autostart) with a task, and chromium on the workbench. The window starts the supervisor and the pane by
 * itself (fleetai.autoStart); the supervisor types the task's prompt once Codex waits for input.
 */
export class ApprovalScenario {
  codex!: AgentSpec;
  label!: string;
  sandbox!: harness.Sandbox;
  workspace!: string;
  server!: harness.RunningCodeServer;
  browser!: Browser;
  page!: Page;

  static async start(
    model: FakeModelServer,
    options: { label: string; locale?: 'zh-cn' },
  ): Promise<ApprovalScenario> {
    const s = new ApprovalScenario();
    mkdirSync(artefacts, { recursive: true });
    const cs = harness.ensureCodeServer();
    const sandbox = harness.makeSandbox(options.label);
    s.label = options.label;
    s.sandbox = sandbox;
    if (options.locale === 'zh-cn') harness.installTestLanguagePack(cs, sandbox);
    const installed = harness.installVsix(cs, sandbox, vsix);
    if (!/was successfully installed/.test(installed)) throw new Error(`installing ${vsix}: ${installed}`);
    s.workspace = path.join(sandbox.root, 'workspace');
    cpSync(path.join(harness.repoRoot, 'test/fixtures/workspace'), s.workspace, { recursive: true });
    // Codex's home goes under test-results/agents-env (the default): Codex warns about one under /tmp.
    s.codex = prepareCodex({ baseUrl: model.url, workdir: s.workspace });
    mkdirSync(path.join(s.workspace, '.fleetai'), { recursive: true });
    writeFileSync(
      path.join(s.workspace, '.fleetai/orchestrator.json'),
      JSON.stringify(
        {
          tick_seconds: 1,
          // The stall timeout is the default (120 s): the first prompt's Enter must reach Codex by itself (its
          // pane keeps input back until Codex's daemon is up), not be recovered by a nudge.
          heartbeat_seconds: 1,
          session_cooldown_seconds: 0,
          metrics_port: 0,
          panes: [codexPane(s.codex, { id: 'codex', task: 'approved-file' })],
          tasks: [
            {
              id: 'approved-file',
              title: 'Create approved.txt',
              pane: 'codex',
              owner: 'e2e',
              prompt: TASK_PROMPT,
              acceptance: { command: 'test -f approved.txt' },
            },
          ],
        },
        null,
        2,
      ),
    );
    s.server = await harness.startCodeServer(cs, sandbox, s.workspace, {
      ...(options.locale ? { extraArgs: ['--locale', options.locale] } : {}),
    });
    s.browser = await harness.launchChromium();
    s.page = await s.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await s.page.goto(harness.workbenchUrl(s.server, s.workspace));
    await s.page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await s.page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
    return s;
  }

  get approvedFile(): string {
    return path.join(this.workspace, 'approved.txt');
  }

  heartbeatItem() {
    return this.page.locator('.statusbar-item[id="fleetai.fleetai.fleetai.heartbeat"]');
  }

  /** The answered approvals of the workspace, from the store's own file. */
  completedApprovals(): { id: string; decision: string; decidedBy: string; message?: string }[] {
    const file = path.join(this.workspace, '.fleetai/state/approvals/completed.json');
    if (!existsSync(file)) return [];
    return (JSON.parse(readFileSync(file, 'utf8')) as { approvals: [] }).approvals;
  }

  /** The last lines of the FleetAI log of the workspace, for failure messages. */
  logTail(lines = 25): string {
    const file = path.join(this.workspace, '.fleetai/logs/app.jsonl');
    if (!existsSync(file)) return '(no app.jsonl)';
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(-lines)
      .map((l) => l.slice(0, 300))
      .join('\n');
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(artefacts, name);
    await this.page.screenshot({ path: file });
    return file;
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.server?.stop();
    if (this.codex) {
      // Codex's daemon outlives the window's terminal: every process carrying the pane's marker goes.
      await stopStarted(this.codex);
      this.codex.cleanup();
    }
    if (this.sandbox) {
      // The FleetAI log outlives the sandbox (the workspace included), for a look after a failure.
      const log = path.join(this.workspace, '.fleetai/logs/app.jsonl');
      if (existsSync(log)) copyFileSync(log, path.join(artefacts, `${this.label}-app.jsonl`));
      rmSync(this.sandbox.root, { recursive: true, force: true });
    }
  }
}
