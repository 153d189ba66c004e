import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { ApprovalScenario, COMMAND, TASK_PROMPT, vsix } from './approvalScenario';
import {
  fieldValue,
  fillField,
  hideNotifications,
  notificationButton,
  openFleetContainer,
  notificationsWith,
  runPaletteCommand,
  webviewFrame,
} from './workbench';

// The approval scenario from end to end, as a person lives it: the packaged FleetAI in a real VS Code
// (code-server) driven by chromium; a workspace whose .fleetai/orchestrator.json names a pane of the real Codex
// CLI 0.169.0 (node_modules/.bin/codex), which the window starts by itself; the fake model server
// (test/fixtures/fake-model) answering Codex's task prompt with a command that needs approval. Nothing is mocked
// but the model: Codex asks, the supervisor files the request, the person answers in the approvals webview, Codex
// runs the command.
const POLL = { timeout: 30_000, interval: 500 };

const NOTE = 'Checked: it only creates approved.txt in the workspace.';

describe('An approval asked by Codex, answered in the browser', () => {
  let model: FakeModelServer;
  let s: ApprovalScenario;
  let approvalId: string;

  beforeAll(async () => {
    expect(existsSync(vsix), `${vsix} is missing: run npm run package first`).toBe(true);
    model = await startFakeModel();
    s = await ApprovalScenario.start(model, { label: 'e2e-approval' });
  });

  afterAll(async () => {
    await s?.stop();
    await model?.close();
  });

  it('shows the request in the Approvals view, the status bar and a notification with Approve / Deny / Show', async () => {
    const { page } = s;
    await openFleetContainer(page);
    const row = page.locator('.sidebar .monaco-list-row', { hasText: COMMAND });
    // The window starts the supervisor and Codex, the supervisor types the task once Codex waits, Codex asks.
    await expect
      .poll(() => row.count(), { timeout: 150_000, interval: 1000 })
      .toBeGreaterThan(0)
      .catch((error: unknown) => {
        throw new Error(`no approval in the sidebar: ${String(error)}\n${s.logTail()}`);
      });
    expect(await row.first().textContent()).toMatch(/medium risk · codex/);
    await expect.poll(() => s.heartbeatItem().textContent(), POLL).toMatch(/1 approval/);
    await s.screenshot('approval-sidebar.png');

    const notes = await notificationsWith(page, COMMAND);
    await expect.poll(() => notes.count(), POLL).toBeGreaterThan(0);
    const note = notes.first();
    expect(await note.textContent()).toContain('Approval needed');
    for (const label of ['Approve', 'Deny', 'Show']) {
      expect(await notificationButton(note, label).count(), `button ${label}`).toBe(1);
    }
    await hideNotifications(page);
  }, 240_000);

  it('"FleetAI: Show Approvals" lists it; a note and Approve answer it, and Codex runs the command', async () => {
    const { page } = s;
    await runPaletteCommand(page, 'FleetAI: Show Approvals');
    const frame = await webviewFrame(page, 'approvals');
    await frame.locator('main[data-testid="approvals"][data-rendered="true"]').waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
    const row = frame.locator('[data-testid="approval-row"]', { hasText: COMMAND });
    await row.waitFor({ timeout: 30_000 });
    expect(await frame.locator('[data-testid="approval-row"]').count()).toBe(1);
    approvalId = (await row.getAttribute('data-approval-id')) ?? '';
    expect(approvalId).toMatch(/^[0-9a-f]{6,}$/);
    expect(existsSync(s.approvedFile)).toBe(false);

    const field = row.locator('[data-testid="approval-note"]');
    await fillField(field, NOTE);
    expect(await fieldValue(field)).toBe(NOTE);
    await s.screenshot('approval-webview.png');
    await row.locator('[data-testid="approve"]').click();

    // The answer reaches Codex over its app-server protocol (or as keys); Codex then runs `touch approved.txt`.
    await expect
      .poll(() => existsSync(s.approvedFile), { timeout: 60_000, interval: 500 })
      .toBe(true)
      .catch((error: unknown) => {
        throw new Error(`approved.txt was not created: ${String(error)}\n${s.logTail()}`);
      });
    await frame.locator('[data-testid="approvals-empty"]').waitFor({ timeout: 30_000 });
    const answered = s.completedApprovals().find((a) => a.id === approvalId);
    expect(answered).toMatchObject({ decision: 'approve', decidedBy: 'vscode', message: NOTE });
    await s.screenshot('approval-webview-answered.png');
  }, 120_000);

  it('the status bar and the dashboard show no pending approval and Codex working or waiting again', async () => {
    const { page } = s;
    await expect.poll(() => s.heartbeatItem().textContent(), POLL).toMatch(/FleetAI: 1 (working|waiting)$/);
    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const frame = await webviewFrame(page, 'dashboard');
    await frame.locator('main[data-testid="dashboard"][data-rendered="true"]').waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
    const pane = frame.locator('[data-testid="pane-row"][data-pane-id="codex"]');
    await pane.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => pane.locator('[data-testid="pane-state"]').getAttribute('data-state'), POLL)
      .toMatch(/^(working|awaiting_input)$/);
    await expect
      .poll(
        async () => (await frame.locator('[data-testid="pending-count"]').first().textContent())?.trim(),
        POLL,
      )
      .toMatch(/^0\b|\b0$/);
    const shot = await s.screenshot('approval-dashboard.png');
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  }, 90_000);

  it('types nothing more into Codex once the task is DONE: the model saw the task prompt only', async () => {
    // What a person would see as Codex being told "the task is not finished yet" after it finished.
    await s.page.waitForTimeout(3000);
    const prompts = model.requests
      .filter((r) => r.api === 'openai' && r.model !== undefined && !r.aux && !r.toolResult)
      .map((r) => r.userText ?? '');
    // Exactly the task's prompt: no nudge completed it ("...continue"), which would mean Codex dropped its Enter.
    expect(prompts, `prompts Codex sent to the model: ${JSON.stringify(prompts)}`).toEqual([TASK_PROMPT]);
  }, 30_000);

  it("the notification's Approve, pressed after the webview answered, says the request was answered already", async () => {
    const { page } = s;
    const notes = await notificationsWith(page, COMMAND);
    await expect.poll(() => notes.count(), POLL).toBeGreaterThan(0);
    await notificationButton(notes.first(), 'Approve').click();
    const refusal = await notificationsWith(page, `Approval ${approvalId} was already answered`);
    await expect.poll(() => refusal.count(), POLL).toBeGreaterThan(0);
    expect(await refusal.first().textContent()).toMatch(/before you: approved by someone in VS Code/);
    // Still one answer on record: the webview's.
    expect(s.completedApprovals().filter((a) => a.id === approvalId)).toHaveLength(1);
    await s.screenshot('approval-answered-once.png');
    await hideNotifications(page);
  }, 60_000);
});

describe('The same approval in Simplified Chinese', () => {
  let model: FakeModelServer;
  let s: ApprovalScenario;

  beforeAll(async () => {
    model = await startFakeModel();
    s = await ApprovalScenario.start(model, { label: 'e2e-approval-zh', locale: 'zh-cn' });
  });

  afterAll(async () => {
    await s?.stop();
    await model?.close();
  });

  it('shows the request in the 审批 view and the approvals webview in Chinese, approves it there, and the dashboard follows', async () => {
    const { page } = s;
    await openFleetContainer(page);
    const titles = page.locator('.sidebar .pane-header h3.title');
    await expect.poll(() => titles.allTextContents(), POLL).toContain('审批');
    const row = page.locator('.sidebar .monaco-list-row', { hasText: COMMAND });
    await expect
      .poll(() => row.count(), { timeout: 150_000, interval: 1000 })
      .toBeGreaterThan(0)
      .catch((error: unknown) => {
        throw new Error(`no approval in the sidebar: ${String(error)}\n${s.logTail()}`);
      });
    await expect.poll(() => s.heartbeatItem().textContent(), POLL).toMatch(/1 个待审批/);
    await s.screenshot('approval-sidebar-zh-cn.png');

    const notes = await notificationsWith(page, COMMAND);
    await expect.poll(() => notes.count(), POLL).toBeGreaterThan(0);
    for (const label of ['批准', '拒绝', '显示']) {
      expect(await notificationButton(notes.first(), label).count(), `button ${label}`).toBe(1);
    }
    await hideNotifications(page);

    await runPaletteCommand(page, 'FleetAI: 显示审批队列');
    const approvals = await webviewFrame(page, 'approvals');
    await approvals
      .locator('main[data-testid="approvals"][data-rendered="true"]')
      .waitFor({ timeout: 30_000 });
    const item = approvals.locator('[data-testid="approval-row"]', { hasText: COMMAND });
    await item.waitFor({ timeout: 30_000 });
    await fillField(item.locator('[data-testid="approval-note"]'), '已确认：只在工作区里创建 approved.txt。');
    await s.screenshot('approval-webview-zh-cn.png');
    await item.locator('[data-testid="approve"]').click();
    await expect.poll(() => existsSync(s.approvedFile), { timeout: 60_000, interval: 500 }).toBe(true);
    await approvals.locator('[data-testid="approvals-empty"]').waitFor({ timeout: 30_000 });

    await runPaletteCommand(page, 'FleetAI: 显示仪表盘');
    const dashboard = await webviewFrame(page, 'dashboard');
    await dashboard
      .locator('main[data-testid="dashboard"][data-rendered="true"]')
      .waitFor({ timeout: 30_000 });
    const pane = dashboard.locator('[data-testid="pane-row"][data-pane-id="codex"]');
    await expect
      .poll(() => pane.locator('[data-testid="pane-state"]').getAttribute('data-state'), POLL)
      .toMatch(/^(working|awaiting_input)$/);
    await expect.poll(() => s.heartbeatItem().textContent(), POLL).not.toMatch(/待审批/);
    await s.screenshot('approval-dashboard-zh-cn.png');
  }, 300_000);
});
