import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../agents/harness';
import { OrchestratorRun } from '../agents/orchestratorRun';
import { freePort, launchChromium } from '../vscode/codeServer.mjs';
import { artefacts } from './approvalScenario';

// The approval portal from end to end, as a person away from the editor lives it: the built `fleet orchestrator`
// (headless, its own process) over a workspace whose config names a pane of the real Codex CLI (against the fake
// model server) with a task whose prompt makes Codex ask to run `touch approved.txt`; chromium with a phone's
// viewport opens the link `fleet portal` prints, sees the request, taps Approve, and Codex runs the command.
// Nothing is mocked but the model.
const TASK_PROMPT = 'fake:approval Create the file approved.txt.';
const COMMAND = 'touch approved.txt';
const INSTRUCTION = 'fake:plain Say hello from the portal.';
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe('The approval portal on a phone, over fleet orchestrator and a real Codex pane', () => {
  let run: OrchestratorRun;
  let browser: Browser;
  let link: string;
  let base: string;
  const contexts: BrowserContext[] = [];

  const phone = async (locale: string): Promise<Page> => {
    const context = await browser.newContext({ ...PHONE, locale });
    contexts.push(context);
    return context.newPage();
  };
  const completed = (): { id: string; decision: string; decidedBy: string }[] => {
    const file = path.join(run.workdir, '.fleetai/state/approvals/completed.json');
    if (!existsSync(file)) return [];
    return (JSON.parse(readFileSync(file, 'utf8')) as { approvals: [] }).approvals;
  };

  beforeAll(async () => {
    expect(existsSync(cli), `${cli} is missing: run npm run build:extension first`).toBe(true);
    const port = await freePort();
    run = await OrchestratorRun.start({
      portal: { port },
      panes: [{ id: 'codex', agent: 'codex', command: 'CODEX', task: 'approved-file' }],
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
    });
    await run.waitForLog((l) => l.event === 'portal.listening', 'the portal listening', 30_000);
    const printed = run.fleetJson<{ url: string; link: string; listening: boolean }>('portal');
    expect(printed.listening).toBe(true);
    expect(printed.url).toBe(`http://127.0.0.1:${port}`);
    base = printed.url;
    link = printed.link;
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{43}$`));
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await run?.stop();
  });

  it('a wrong token shows the 401 page and sets no cookie', async () => {
    const page = await phone('en-US');
    const response = await page.goto(`${base}/?token=not-the-token-at-all`);
    expect(response?.status()).toBe(401);
    await expect.poll(() => page.locator('#unauthorized').textContent()).toContain('401');
    expect(await page.context().cookies()).toEqual([]);
    const status = await page.goto(`${base}/api/status`);
    expect(status?.status()).toBe(401);
  });

  it('shows the pending approval Codex asked for; Approve on the phone lets Codex run it, decided by the portal', async () => {
    const page = await phone('en-US');
    await page.goto(link);
    // The token left the address bar: it is in an HttpOnly cookie now.
    expect(page.url()).toBe(`${base}/`);
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['fleetai_portal', true, 'Strict'],
    ]);
    await page.locator('h2', { hasText: 'Pending approvals' }).waitFor({ timeout: 10_000 });
    const card = page.locator('.card.approval', { hasText: COMMAND });
    // The supervisor types the task's prompt once Codex waits; Codex asks; the page refreshes by itself.
    await expect
      .poll(() => card.count(), { timeout: 150_000, interval: 1000 })
      .toBe(1)
      .catch((error: unknown) => {
        throw new Error(`no approval on the portal: ${String(error)}\n${run.stderr.slice(-2000)}`);
      });
    const id = (await card.getAttribute('data-id')) ?? '';
    expect(id).not.toBe('');
    expect(await card.locator('.badge').textContent()).toMatch(/medium|high|low|critical/);
    expect(await card.textContent()).toContain('codex');
    // Fits a 375 px wide phone: nothing to scroll sideways.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(artefacts, 'portal-en.png'), fullPage: true });

    // The same request in Simplified Chinese (the browser asks for zh-CN).
    const zh = await phone('zh-CN');
    await zh.goto(link);
    await zh.locator('h2', { hasText: '等待确认' }).waitFor({ timeout: 10_000 });
    await zh.locator('.card.approval', { hasText: COMMAND }).waitFor({ timeout: 15_000 });
    expect(await zh.locator('.card.approval button.approve').first().textContent()).toBe('批准');
    await zh.screenshot({ path: path.join(artefacts, 'portal-zh-cn.png'), fullPage: true });

    expect(existsSync(path.join(run.workdir, 'approved.txt'))).toBe(false);
    await card.locator('button.approve').tap();
    await expect.poll(() => card.locator('.msg').textContent(), { timeout: 15_000 }).toContain('Approved');
    await expect
      .poll(() => existsSync(path.join(run.workdir, 'approved.txt')), { timeout: 60_000, interval: 500 })
      .toBe(true);
    const records = completed().filter((r) => r.id === id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ decision: 'approve', decidedBy: 'portal' });
    // The request leaves the page.
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
    // The Chinese page, refreshed, says an answer came first.
    const zhCard = zh.locator('.card.approval', { hasText: COMMAND });
    if ((await zhCard.count()) > 0) {
      await zhCard.locator('button.deny').tap();
      await expect
        .poll(() => zhCard.locator('.msg.err').textContent(), { timeout: 10_000 })
        .toContain('already');
    }
    expect(completed().filter((r) => r.id === id)).toHaveLength(1);
  }, 240_000);

  it('the send box queues an instruction that the Codex pane receives', async () => {
    const page = await phone('en-US');
    await page.goto(link);
    await page.locator('#send-pane option[value="codex"]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.locator('#send-pane').selectOption('codex');
    await page.locator('#send-text').fill(INSTRUCTION);
    await page.locator('#send-button').tap();
    await expect
      .poll(() => page.locator('#send-msg').textContent(), { timeout: 15_000 })
      .toContain('Queued for codex');
    const queued = await run.waitForLog(
      (l) => l.event === 'command.queued' && l.context?.text === INSTRUCTION,
      'the instruction queued',
      30_000,
    );
    expect(queued.context).toMatchObject({ pane: 'codex', source: 'remote' });
    await run.waitForLog(
      (l) => l.event === 'command.dispatched' && l.context?.text === INSTRUCTION,
      'the instruction typed into the pane',
      120_000,
    );
    await expect
      .poll(() => run.transcript().includes('Say hello from the portal'), { timeout: 30_000, interval: 500 })
      .toBe(true);
  }, 180_000);
});
