import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as harness from '../vscode/codeServer.mjs';
import { runPaletteCommand } from './workbench';

// The packaged extension (dist/fleetai.vsix, made by `npm run package`) installed into code-server with
// --install-extension, exactly as a user installs it, and driven through the workbench UI by chromium.
const artefacts = path.join(harness.repoRoot, 'test-results/e2e');
const vsix = path.join(harness.repoRoot, 'dist/fleetai.vsix');
const { version } = JSON.parse(readFileSync(path.join(harness.repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};

describe('FleetAI in VS Code, driven through the browser', () => {
  let server: Awaited<ReturnType<typeof harness.startCodeServer>>;
  let browser: Browser;
  let page: Page;
  let workspace: string;

  beforeAll(async () => {
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    const cs = harness.ensureCodeServer();
    const sandbox = harness.makeSandbox('e2e');
    const installed = harness.installVsix(cs, sandbox, vsix);
    expect(installed).toMatch(/was successfully installed/);
    workspace = path.join(sandbox.root, 'workspace');
    cpSync(path.join(harness.repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });
    server = await harness.startCodeServer(cs, sandbox, workspace);
    browser = await harness.launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.workbenchUrl(server, workspace));
    await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    // The palette lists extension commands only once the extensions are scanned; the container icon shows that.
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens the FleetAI container with its four views and their welcome messages', async () => {
    const container = page.locator('.activitybar .action-label[aria-label^="FleetAI"]');
    await container.click();
    const titles = page.locator('.sidebar .pane-header h3.title');
    await expect
      .poll(() => titles.allTextContents(), { timeout: 30_000 })
      .toEqual(['Agents', 'Tasks', 'Approvals', 'MCP Servers']);
    const welcome = page.locator('.sidebar .welcome-view-content');
    // The welcome text shows once the extension has activated and its empty views have answered.
    await expect.poll(() => welcome.count(), { timeout: 30_000 }).toBe(4);
    await expect
      .poll(() => welcome.first().textContent(), { timeout: 30_000 })
      .toContain('No agents are running yet');
    await page.screenshot({ path: path.join(artefacts, 'sidebar.png') });
  });

  it('shows the heartbeat in the status bar once the extension runs', async () => {
    const item = page.locator('.statusbar-item[id="fleetai.fleetai.fleetai.heartbeat"]');
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await item.textContent()).toContain('FleetAI: idle');
  });

  it('runs "FleetAI: Show Dashboard" from the palette and renders the version fetched through the protocol', async () => {
    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const frame = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const versionCell = frame.locator('[data-testid="dashboard-version"]');
    await versionCell.waitFor({ state: 'visible', timeout: 30_000 });
    expect((await versionCell.textContent())?.trim()).toBe(`FleetAI ${version}`);
    expect(await frame.locator('[data-testid="dashboard-heartbeat"]').textContent()).toBe('idle');
    expect(await frame.locator('[data-testid="dashboard-error"]').count()).toBe(0);
    const shot = path.join(artefacts, 'dashboard.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('shows a configured MCP server and its state on the dashboard', async () => {
    // The real server-everything, started by the window's bridge with this machine's Node (absolute paths: the
    // bridge gives a stdio server a minimal environment). Written only now: the first test wants the MCP Servers
    // view empty, with its welcome text.
    const serverEverything = path.join(
      harness.repoRoot,
      'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
    );
    mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
    writeFileSync(
      path.join(workspace, '.fleetai', 'mcp.servers.json'),
      JSON.stringify({
        servers: { everything: { command: process.execPath, args: [serverEverything, 'stdio'] } },
      }),
    );
    await runPaletteCommand(page, 'FleetAI: Refresh MCP Servers');
    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const frame = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const row = frame.locator('[data-testid="mcp-row"][data-alias="everything"][data-state="connected"]');
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await row.locator('[data-testid="mcp-state"]').textContent()).toBe('connected');
    expect(Number(await row.locator('[data-testid="mcp-tools"]').textContent())).toBeGreaterThan(0);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artefacts, 'dashboard-mcp.png') });
  });

  it('runs "FleetAI: Run Doctor" and reports that node-pty works in the installed extension', async () => {
    await runPaletteCommand(page, 'FleetAI: Run Doctor');
    // Toasts may go straight to the notification centre (smoke-test mode, or while a progress toast shows),
    // so read the centre, where every notification ends up.
    const note = page.locator('.notifications-center .notification-list-item', { hasText: 'FleetAI doctor' });
    await expect
      .poll(
        async () => {
          if (!(await page.locator('.notifications-center.visible').count())) {
            await runPaletteCommand(page, 'Notifications: Show Notifications');
          }
          return note.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    expect(await note.first().textContent()).toMatch(/all \d+ checks passed/);
    await page.screenshot({ path: path.join(artefacts, 'doctor.png') });
  });
});

describe('FleetAI in Simplified Chinese', () => {
  let server: Awaited<ReturnType<typeof harness.startCodeServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const cs = harness.ensureCodeServer();
    const sandbox = harness.makeSandbox('e2e-zh');
    harness.installTestLanguagePack(cs, sandbox);
    harness.installVsix(cs, sandbox, vsix);
    const workspace = path.join(sandbox.root, 'workspace');
    cpSync(path.join(harness.repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });
    server = await harness.startCodeServer(cs, sandbox, workspace, { extraArgs: ['--locale', 'zh-cn'] });
    browser = await harness.launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.workbenchUrl(server, workspace));
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the views, welcome messages and heartbeat in Chinese', async () => {
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').click();
    const titles = page.locator('.sidebar .pane-header h3.title');
    await expect
      .poll(() => titles.allTextContents(), { timeout: 30_000 })
      .toEqual(['代理', '任务', '审批', 'MCP 服务器']);
    await expect
      .poll(() => page.locator('.sidebar .welcome-view-content').first().textContent(), { timeout: 30_000 })
      .toContain('还没有运行中的代理');
    const item = page.locator('.statusbar-item[id="fleetai.fleetai.fleetai.heartbeat"]');
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await item.textContent()).toContain('FleetAI：空闲');
    await page.screenshot({ path: path.join(artefacts, 'sidebar-zh-cn.png') });
  });

  it('opens the dashboard from the Chinese palette entry and renders it in Chinese', async () => {
    await runPaletteCommand(page, 'FleetAI: 显示仪表盘');
    const frame = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const title = frame.locator('[data-testid="dashboard-title"]');
    await title.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await title.textContent()).toBe('FleetAI 仪表盘');
    expect(await frame.locator('[data-testid="dashboard-heartbeat"]').textContent()).toBe('空闲');
    expect((await frame.locator('[data-testid="dashboard-version"]').textContent())?.trim()).toBe(
      `FleetAI ${version}`,
    );
    await page.screenshot({ path: path.join(artefacts, 'dashboard-zh-cn.png') });
  });
});
