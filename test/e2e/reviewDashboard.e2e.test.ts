import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkspace } from '../unit/review/seedWorkspace';
import * as harness from '../vscode/codeServer.mjs';
import { artefacts, vsix } from './approvalScenario';
import { runPaletteCommand, webviewFrame } from './workbench';

// The project review in the dashboard, as a person uses it: a real VS Code (code-server) with the packaged
// FleetAI, driven by chromium, on the review's seeded workspace (eight tasks with dependencies and a history,
// approvals, plan runs, a git repository with branches: test/unit/review/seedWorkspace.ts). The dashboard opens
// from the palette, "Run review" (or "Run with tests") is clicked in the webview, and the section fills with the
// headline, progress, bottlenecks, forecast and ranked steps; a step's command is copied through the editor.
// Screenshots: test-results/e2e/review-dashboard-{en,zh-cn}.png. Nothing is faked (no model is configured).
const POLL = { timeout: 60_000, interval: 500 };

interface Session {
  sandbox: harness.Sandbox;
  server: harness.RunningCodeServer;
  browser: Browser;
  page: Page;
  workspace: string;
}

async function start(label: string, locale?: 'zh-cn'): Promise<Session> {
  const cs = harness.ensureCodeServer();
  // The seeded config names panes: the window must not start agents by itself.
  const sandbox = harness.makeSandbox(label, { 'fleetai.autoStart': false });
  if (locale === 'zh-cn') harness.installTestLanguagePack(cs, sandbox);
  const installed = harness.installVsix(cs, sandbox, vsix);
  if (!/was successfully installed/.test(installed)) throw new Error(`installing ${vsix}: ${installed}`);
  const workspace = path.join(sandbox.root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  await seedWorkspace(workspace);
  const server = await harness.startCodeServer(
    cs,
    sandbox,
    workspace,
    locale ? { extraArgs: ['--locale', locale] } : {},
  );
  const browser = await harness.launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  await page.goto(harness.workbenchUrl(server, workspace));
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
  return { sandbox, server, browser, page, workspace };
}

async function stop(s: Session | undefined): Promise<void> {
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await s.server.stop();
  rmSync(s.sandbox.root, { recursive: true, force: true });
}

/** Clicks a section button and waits for the review it asked for to be shown. */
async function runFromDashboard(frame: Frame, button: 'review-run' | 'review-run-tests'): Promise<void> {
  const section = frame.locator('[data-testid="review"]');
  const before = await frame
    .locator('[data-testid="review-body"]')
    .getAttribute('data-generated-at', { timeout: 1000 })
    .catch(() => null);
  await frame.locator(`[data-testid="${button}"][aria-disabled="false"]`).click();
  await expect
    .poll(async () => {
      const state = await section.getAttribute('data-state');
      const at = await frame
        .locator('[data-testid="review-body"]')
        .getAttribute('data-generated-at', { timeout: 1000 })
        .catch(() => null);
      return state === 'ready' && at !== null && at !== before;
    }, POLL)
    .toBe(true);
}

async function screenshotSection(page: Page, frame: Frame, file: string): Promise<void> {
  await frame.locator('[data-testid="review"] h2').scrollIntoViewIfNeeded();
  await page.mouse.move(5, 5);
  await page.screenshot({ path: path.join(artefacts, file) });
}

/** The bottlenecks, forecast and next steps, further down the section. */
async function screenshotPart(page: Page, frame: Frame, heading: string, file: string): Promise<void> {
  await frame.locator('[data-testid="review-body"] h3', { hasText: heading }).scrollIntoViewIfNeeded();
  await frame
    .locator('[data-testid="review-body"] h3', { hasText: heading })
    .evaluate((el: { scrollIntoView(o: unknown): void }) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.move(5, 5);
  await page.screenshot({ path: path.join(artefacts, file) });
}

describe('The project review in the dashboard of a real VS Code', () => {
  let s: Session | undefined;

  beforeAll(async () => {
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    s = await start('e2e-review-dashboard');
  }, 180_000);

  afterAll(async () => {
    await stop(s);
  });

  it('"Run review" fills the section: headline, progress, bottlenecks, forecast, ranked steps; a command is copied', async () => {
    const { page, workspace } = s!;
    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const frame = await webviewFrame(page, 'dashboard', 60_000);
    const section = frame.locator('[data-testid="review"]');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    // Nothing remembered yet: no review is made until asked for.
    expect(await section.getAttribute('data-state')).toBe('none');
    expect(existsSync(path.join(workspace, '.fleetai/state/review/last.json'))).toBe(false);

    await runFromDashboard(frame, 'review-run');
    const headline = (await frame.locator('[data-testid="review-headline"]').textContent()) ?? '';
    // The rules' review (no model is configured) of eight tasks, three done.
    expect(headline).toMatch(/^3 of 8 tasks done/);
    const { headline: remembered } = JSON.parse(
      readFileSync(path.join(workspace, '.fleetai/state/review/last.json'), 'utf8'),
    ) as { headline: string };
    // Its `quoted commands` are shown as code: the text is the same without the backticks.
    expect(headline).toBe(remembered.replace(/`/g, ''));
    expect(await frame.locator('[data-testid="review-headline"] code').count()).toBeGreaterThan(0);
    expect(await frame.locator('[data-testid="review-source"]').getAttribute('data-source')).toBe('rules');
    expect(await frame.locator('[data-testid="review-task"]').count()).toBe(8);
    const kinds = await frame
      .locator('[data-testid="review-bottleneck"]')
      .evaluateAll((els: { getAttribute(name: string): string | null }[]) =>
        els.map((e) => e.getAttribute('data-kind')),
      );
    expect(kinds).toContain('approval_wait');
    expect(kinds).toContain('blocked_task');
    expect(await frame.locator('[data-testid="review-forecast"]').getAttribute('data-enough-history')).toBe(
      'true',
    );
    const steps = frame.locator('[data-testid="review-step"]');
    expect(await steps.count()).toBeGreaterThan(1);
    expect(await steps.first().getAttribute('data-rank')).toBe('1');
    // The approval step can be done from here: it opens the approvals queue.
    const answer = frame.locator('[data-testid="review-step"][data-action="answer_approval"]').first();
    expect(await answer.locator('[data-testid="review-open-approvals"]').count()).toBe(1);
    const command = (await answer.locator('[data-testid="review-command"]').textContent()) ?? '';
    expect(command).toMatch(/^fleet approvals:approve [0-9a-f]+$/);

    await screenshotSection(page, frame, 'review-dashboard-en.png');
    await screenshotPart(page, frame, 'Bottlenecks', 'review-dashboard-steps-en.png');

    // Copy goes through the editor's clipboard (the host's `host.copyText`).
    await answer.locator('[data-testid="review-copy"]').click();
    await expect
      .poll(() => answer.locator('[data-testid="review-copy"]').getAttribute('aria-label'), POLL)
      .toBe('Copied');
    // A string: this project's types have no DOM.
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(command);
  }, 240_000);
});

describe('The project review in the dashboard, in Simplified Chinese', () => {
  let s: Session | undefined;

  beforeAll(async () => {
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    s = await start('e2e-review-dashboard-zh', 'zh-cn');
  }, 180_000);

  afterAll(async () => {
    await stop(s);
  });

  it('"评审并运行测试" runs the configured test command too, and the section reads in Chinese', async () => {
    const { page } = s!;
    await runPaletteCommand(page, 'FleetAI: 显示仪表盘');
    const frame = await webviewFrame(page, 'dashboard', 60_000);
    const section = frame.locator('[data-testid="review"]');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await section.locator('h2').textContent()).toBe('项目评审');
    expect((await frame.locator('[data-testid="review-run"]').textContent())?.trim()).toBe('运行评审');

    await runFromDashboard(frame, 'review-run-tests');
    const source = (await frame.locator('[data-testid="review-source"]').textContent()) ?? '';
    expect(source).toContain('建议来自规则');
    expect(source).toContain('已运行测试');
    const body = (await frame.locator('[data-testid="review-body"]').textContent()) ?? '';
    for (const heading of ['进度', '自上次评审以来', '瓶颈', '预测', '下一步'])
      expect(body).toContain(heading);
    await screenshotSection(page, frame, 'review-dashboard-zh-cn.png');
    await screenshotPart(page, frame, '瓶颈', 'review-dashboard-steps-zh-cn.png');
  }, 240_000);
});
