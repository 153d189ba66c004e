import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSnapshot, McpServersView } from '../../extension/protocol/messages';
import { launchChromium, repoRoot } from '../vscode/codeServer.mjs';

// The built dashboard app (media/webview/, made by `npm run package`) in Debian's chromium, its page as the host
// writes it (CSP included), with the webview bench's fake host (test/bench/webview/fake-host.mjs) answering and
// pushing snapshots in place of VS Code, which only relays postMessage. The MCP servers section must show each
// server and its state, count down to a reconnect attempt by itself, and follow a pushed state change.
// Screenshots (English and Chinese) in test-results/webview/.

// The bench's page harness has no type declarations: only the three functions used here, typed as used.
interface PageLib {
  pageHtml(options: { app: string; lang: string; theme?: string; nonce: string; data: unknown }): string;
  startServer(options: {
    media: string;
    harness: string;
    page: (params: URLSearchParams) => string;
  }): Promise<Server>;
  watchPage(page: Page, problems: string[]): void;
}
interface BenchData {
  dashboardSnapshot(options: {
    panes: number;
    tasks: number;
    events: number;
    now: number;
  }): DashboardSnapshot;
  approvalsSnapshot(options: { approvals: number; now: number }): unknown;
}
const lib = (file: string): Promise<unknown> => import(pathToFileURL(path.join(repoRoot, file)).href);

/** Polls every 100 ms for up to 10 s (generous: the countdown changes once a second). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting for the page to change');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const media = path.join(repoRoot, 'media/webview');
const out = path.join(repoRoot, 'test-results/webview');

describe('the dashboard shows the MCP servers (built app, chromium)', () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  let pageLib: PageLib;
  const retryAt = Date.now() + 45_000;

  const mcp: McpServersView = {
    servers: [
      { alias: 'everything', state: 'connected', transport: 'stdio', tools: 13, sessionDisabled: false },
      {
        alias: 'remote',
        state: 'reconnecting',
        transport: 'http',
        tools: 0,
        lastError: 'fetch failed: connect ECONNREFUSED 127.0.0.1:3001',
        nextRetryAt: new Date(retryAt).toISOString(),
        sessionDisabled: false,
      },
      {
        alias: 'typo',
        state: 'broken',
        tools: 0,
        problem: '.fleetai/mcp.servers.json: servers.typo.url: must be an http(s) URL',
        sessionDisabled: false,
      },
      { alias: 'quiet', state: 'disabled', transport: 'stdio', tools: 0, sessionDisabled: true },
    ],
    fileProblems: [],
  };

  beforeAll(async () => {
    expect(
      existsSync(path.join(media, 'dashboard.js')),
      `${media} is missing: run npm run package first`,
    ).toBe(true);
    mkdirSync(out, { recursive: true });
    const page = (await lib('test/bench/lib/webviewPage.mjs')) as PageLib;
    const data = (await lib('test/bench/webview/data.mjs')) as BenchData;
    const now = Date.now();
    const dashboard = { ...data.dashboardSnapshot({ panes: 3, tasks: 2, events: 3, now }), mcp };
    const approvals = data.approvalsSnapshot({ approvals: 1, now });
    server = await page.startServer({
      media,
      harness: path.join(repoRoot, 'test/bench/webview'),
      page: (params) =>
        page.pageHtml({
          app: 'dashboard',
          lang: params.get('lang') ?? 'en',
          nonce: randomBytes(16).toString('base64'),
          data: { version: 'test', lang: params.get('lang') ?? 'en', dashboard, approvals, refuse: [] },
        }),
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the page server has no address');
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
    pageLib = page;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function open(lang: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const problems: string[] = [];
    pageLib.watchPage(page, problems);
    await page.goto(`${base}/bench/page.html?lang=${lang}`);
    await page.locator('main[data-rendered="true"]').waitFor({ timeout: 60_000 });
    return { page, problems };
  }

  const row = (page: Page, alias: string) => page.locator(`[data-testid="mcp-row"][data-alias="${alias}"]`);

  it('lists each server with its state, transport, tools, error, countdown and problem, and follows a change', async () => {
    const { page, problems } = await open('en');
    await row(page, 'everything').waitFor({ timeout: 30_000 });
    expect(await row(page, 'everything').getAttribute('data-state')).toBe('connected');
    expect(await row(page, 'everything').locator('[data-testid="mcp-state"]').innerText()).toBe('connected');
    expect(await row(page, 'everything').locator('[data-testid="mcp-tools"]').innerText()).toBe('13');
    expect(await row(page, 'everything').innerText()).toContain('stdio');

    const remote = row(page, 'remote');
    expect(await remote.getAttribute('data-state')).toBe('reconnecting');
    expect(await remote.locator('[data-testid="mcp-error"]').innerText()).toContain('ECONNREFUSED');
    const first = await remote.locator('[data-testid="mcp-retry"]').innerText();
    expect(first).toMatch(/^next attempt in \d+s$/);
    // The page counts down by itself, without a new snapshot from the host.
    await until(async () => (await remote.locator('[data-testid="mcp-retry"]').innerText()) !== first);
    expect(await row(page, 'typo').getAttribute('data-state')).toBe('broken');
    expect(await row(page, 'typo').locator('[data-testid="mcp-error"]').innerText()).toContain(
      'servers.typo.url',
    );
    expect(await row(page, 'quiet').innerText()).toContain('turned off for this session');
    await page.screenshot({ path: path.join(out, 'dashboard-mcp-en.png'), fullPage: true });

    // The host pushes a whole snapshot on a state change: remote is back, with its tools.
    const back = { alias: 'remote', state: 'connected', transport: 'http', tools: 4, sessionDisabled: false };
    // A string: this project's types have no DOM, and the page's fake host is plain script anyway.
    await page.evaluate(`(() => {
      const host = window.__benchHost;
      const servers = host.dashboard.mcp.servers.map((s) => (s.alias === 'remote' ? ${JSON.stringify(back)} : s));
      host.dashboard = { ...host.dashboard, mcp: { ...host.dashboard.mcp, servers }, updatedAt: new Date().toISOString() };
      host.emit('dashboard.snapshot', host.dashboard);
    })()`);
    await page.locator('[data-testid="mcp-row"][data-alias="remote"][data-state="connected"]').waitFor({
      timeout: 10_000,
    });
    expect(await remote.locator('[data-testid="mcp-tools"]').innerText()).toBe('4');
    expect(await remote.locator('[data-testid="mcp-retry"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('speaks Simplified Chinese', async () => {
    const { page, problems } = await open('zh-cn');
    await row(page, 'everything').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="mcp-servers"] h2').innerText()).toBe('MCP 服务器');
    expect(await row(page, 'everything').locator('[data-testid="mcp-state"]').innerText()).toBe('已连接');
    expect(await row(page, 'remote').locator('[data-testid="mcp-state"]').innerText()).toBe('重新连接中');
    expect(await row(page, 'remote').locator('[data-testid="mcp-retry"]').innerText()).toMatch(/后再次尝试$/);
    expect(await row(page, 'typo').locator('[data-testid="mcp-state"]').innerText()).toBe('配置错误');
    await page.screenshot({ path: path.join(out, 'dashboard-mcp-zh-cn.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
