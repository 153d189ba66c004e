import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, repoRoot } from '../vscode/codeServer.mjs';
import { checkDemo, DEFAULT_VSIX, startDemo, type RunningDemo } from '../vscode/demoSetup.mjs';
import {
  activeTerminalName,
  openFleetContainer,
  runPaletteCommand,
  terminalNames,
  viewRowLabels,
  viewRows,
  webviewFrame,
} from './workbench';

// The README's first command, `npm run demo`, from end to end: the same setup module demo.mjs runs
// (test/vscode/demoSetup.mjs: the fake model, the real Codex CLI's home, a fresh copy of the demo workspace with
// its orchestrator.json, the packaged FleetAI in code-server), opened in chromium as a person would open the
// address it prints. Nothing is mocked but the model (the fake model server, as in the demo itself). The test
// checks what the demo's text promises: the window starts the fleet by itself, `refactor` stalls and FleetAI's
// nudge heals it, `docs` starts after refactor's task, and Codex waits on an approval nobody answers here.
// The demo's own stall timeout (15 s) is kept: the whole file takes about two minutes.

const artefacts = path.join(repoRoot, 'test-results/e2e');
const PANES = ['codex', 'refactor', 'docs'];
const COMMAND = 'touch approved.txt';
const TASK_PROMPT = 'fake:approval Create the file approved.txt.';
const POLL = { timeout: 30_000, interval: 500 };

interface LogLine {
  ts: string;
  category: string;
  event: string;
  context: Record<string, unknown>;
}

describe('npm run demo, opened in the browser', () => {
  let home: string;
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  /** The workspace's FleetAI log (audit trail included), line by line. */
  const appLog = (): LogLine[] =>
    existsSync(demo.appLog)
      ? readFileSync(demo.appLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const parsed = JSON.parse(line) as Partial<LogLine>;
            return { ts: '', category: '', event: '', ...parsed, context: parsed.context ?? {} };
          })
      : [];
  const logTail = (lines = 30): string =>
    appLog()
      .slice(-lines)
      .map((l) => `${l.ts} ${l.event} ${JSON.stringify(l.context).slice(0, 200)}`)
      .join('\n');
  /** Index of the first log line that matches, or -1. */
  const firstIndex = (match: (l: LogLine) => boolean): number => appLog().findIndex(match);
  const heartbeat = () => page.locator('.statusbar-item[id="fleetai.fleetai.fleetai.heartbeat"]');
  const screenshot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(artefacts, name) });
  };
  const withLog = (what: string) => (error: unknown) => {
    throw new Error(`${what}: ${String(error)}\n--- app.jsonl tail ---\n${logTail()}`);
  };

  beforeAll(async () => {
    expect(existsSync(DEFAULT_VSIX), `${DEFAULT_VSIX} is missing: run npm run package first`).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    // A scratch home, not the demo's ~/.cache/fleetai-demo (a person's running demo stays untouched); Codex's
    // home goes under test-results/agents-env as in the other agent tests, since Codex refuses parts of its
    // setup under /tmp.
    home = mkdtempSync(path.join(tmpdir(), 'fleetai-e2e-demo-'));
    demo = await startDemo({
      home,
      codexRoot: path.join(repoRoot, 'test-results/agents-env'),
      label: 'e2e-demo',
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await demo?.stop();
    demo?.codex.cleanup();
    // The FleetAI log outlives the scratch home, for a look after a failure.
    if (demo && existsSync(demo.appLog)) copyFileSync(demo.appLog, path.join(artefacts, 'demo-app.jsonl'));
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('passes the checks of `demo.mjs --check`: the fake model, Codex and the workspace config', async () => {
    const results = await checkDemo(demo);
    expect(results.map(([what]) => what)).toEqual(['the fake model', 'Codex', 'the workspace config']);
    expect(results[1]?.[1]).toMatch(/^codex-cli \d+\.\d+\.\d+/);
    expect(results[2]?.[1]).toMatch(/^valid/);
  }, 90_000);

  it('the window starts the supervisor and the three agents by itself', async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(demo.url);
    await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').waitFor({ timeout: 60_000 });
    await openFleetContainer(page);

    // Nobody clicks anything: the Agents view fills with the config's panes, named by their ids.
    await expect
      .poll(async () => (await viewRowLabels(page, 'Agents')).map((label) => label.split(',')[0]), {
        timeout: 90_000,
        interval: 500,
      })
      .toEqual(PANES)
      .catch(withLog('the Agents view did not list codex, refactor and docs'));
    const labels = await viewRowLabels(page, 'Agents');
    expect(labels[0]).toMatch(/^codex, codex · /);
    expect(labels[1]).toMatch(/^refactor, demo-agent · /);
    expect(labels[2]).toMatch(/^docs, demo-agent · /);
    expect(firstIndex((l) => l.event === 'supervisor.started')).toBeGreaterThanOrEqual(0);

    // The status bar counts every live agent once (working, waiting, stalled, error or approval).
    await expect
      .poll(async () => paneTotal((await heartbeat().textContent()) ?? ''), POLL)
      .toBe(PANES.length);

    // The Tasks view shows the config's three tasks with their owners and refactor's dependency.
    const tasks = await viewRowLabels(page, 'Tasks');
    expect(tasks).toHaveLength(3);
    expect(tasks[1]).toMatch(/^Split hello\.js into greet\(\) and main\(\) .*alice · refactor/);
    expect(tasks[2]).toMatch(/^Document how to run hello\.js .*after split-hello · bob · docs/);

    // Each pane runs in a terminal of its own, named after the pane.
    await expect.poll(() => terminalNames(page), POLL).toEqual(PANES.map((id) => `FleetAI: ${id}`));
  }, 180_000);

  it("refactor stalls, FleetAI's nudge heals it and its task is DONE; then docs' task starts", async () => {
    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const frame = await webviewFrame(page, 'dashboard');
    await frame.locator('main[data-testid="dashboard"][data-rendered="true"]').waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
    expect(await frame.locator('[data-testid="pane-row"]').count()).toBe(PANES.length);

    // The stall lasts well under a second (the nudge follows at once), so the dashboard's events list, which
    // keeps every state change, is where a person sees it afterwards.
    await expect
      .poll(() => paneEvents(frame, 'refactor'), {
        timeout: (demo.stallTimeoutSeconds + 60) * 1000,
        interval: 500,
      })
      .toContain('state.stalled')
      .catch(withLog('refactor was never shown stalled'));
    // FleetAI's nudge, then back to work (events are listed newest first).
    await expect
      .poll(async () => {
        const kinds = await paneEvents(frame, 'refactor');
        const after = kinds.slice(0, kinds.indexOf('state.stalled')).reverse();
        return after.slice(after.indexOf('nudge'));
      }, POLL)
      .toEqual(expect.arrayContaining(['nudge', 'state.working']));

    const refactorTask = frame.locator('[data-testid="task-row"][data-task-id="split-hello"]');
    await expect
      .poll(() => refactorTask.locator('td.phase').getAttribute('class'), POLL)
      .toContain('phase-DONE')
      .catch(withLog("refactor's task is not DONE"));
    await expect.poll(() => paneState(frame, 'refactor'), POLL).toBe('awaiting_input');
    expect(existsSync(path.join(demo.workspace, 'src/greet.js'))).toBe(true);

    // docs' task depends on refactor's: dispatched only now, and it runs to DONE.
    const docsTask = frame.locator('[data-testid="task-row"][data-task-id="usage-docs"]');
    expect(await docsTask.locator('.dep').getAttribute('class')).toContain('dep-done');
    await expect
      .poll(() => docsTask.locator('td.phase').getAttribute('class'), POLL)
      .toContain('phase-DONE')
      .catch(withLog("docs' task is not DONE"));
    expect(existsSync(path.join(demo.workspace, 'docs/usage.md'))).toBe(true);

    // The history the UI cannot show, from the audit trail: the stall, then FleetAI's nudge, then refactor at
    // work again, its task DONE, and only then docs' task dispatched.
    const stalled = firstIndex((l) => isState(l, 'refactor', 'stalled'));
    const nudge = firstIndex(
      (l) => l.event === 'recovery.nudge' && l.context.pane === 'refactor' && l.context.result === 'sent',
    );
    const resumed = appLog().findIndex((l, i) => i > nudge && isState(l, 'refactor', 'working'));
    const refactorDone = firstIndex((l) => l.event === 'task.done' && l.context.task === 'split-hello');
    const docsDispatched = firstIndex(
      (l) => l.event === 'task.dispatched' && l.context.task === 'usage-docs',
    );
    expect(stalled, logTail()).toBeGreaterThanOrEqual(0);
    expect(nudge).toBeGreaterThan(stalled);
    expect(resumed).toBeGreaterThan(nudge);
    expect(refactorDone).toBeGreaterThan(resumed);
    expect(docsDispatched).toBeGreaterThan(refactorDone);
    // The terminals' panel would hide the dashboard's tasks and events.
    await runPaletteCommand(page, 'View: Hide Panel');
    await frame
      .locator('[data-testid="event-row"]', { hasText: 'state.stalled' })
      .first()
      .scrollIntoViewIfNeeded();
    await screenshot('demo-dashboard.png');
  }, 180_000);

  it('codex waits on its approval: the Approvals view, the status bar, the dashboard and the approvals webview', async () => {
    // The demo leaves the answer to the person: nothing here approves or denies it.
    await openFleetContainer(page);
    await expect
      .poll(() => viewRowLabels(page, 'Approvals'), POLL)
      .toEqual([`${COMMAND}, medium risk · codex`])
      .catch(withLog('no approval in the Approvals view'));
    // refactor and docs are done and wait; codex waits on the approval.
    await expect
      .poll(async () => (await heartbeat().textContent())?.trim(), POLL)
      .toBe('FleetAI: 2 waiting · 1 approval');
    await expect
      .poll(
        async () => (await viewRowLabels(page, 'Agents')).map((label) => label.replace(/ · [^·]*$/, '')),
        POLL,
      )
      .toEqual(['codex, codex · EXECUTING', 'refactor, demo-agent · DONE', 'docs, demo-agent · DONE']);
    // A click on refactor's item shows its terminal: the stall, FleetAI's Ctrl-C and "continue", the work done
    // (xterm draws on a canvas here, so the screenshot shows the text and the test checks which terminal it is).
    await viewRows(page, 'Agents').filter({ hasText: 'refactor' }).click();
    await expect.poll(() => activeTerminalName(page), POLL).toBe('FleetAI: refactor');
    await page.mouse.move(850, 300);
    // The terminal's size overlay, shown as the panel opens, fades after a moment.
    await page.waitForTimeout(1500);
    await screenshot('demo-sidebar.png');

    await runPaletteCommand(page, 'FleetAI: Show Dashboard');
    const dashboard = await webviewFrame(page, 'dashboard');
    await dashboard
      .locator('[data-testid="connection"][data-state="connected"]')
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => paneState(dashboard, 'codex'), POLL).toBe('awaiting_approval');
    await expect
      .poll(
        async () => (await dashboard.locator('[data-testid="pending-count"]').first().textContent())?.trim(),
        POLL,
      )
      .toBe('1');

    await runPaletteCommand(page, 'FleetAI: Show Approvals');
    const approvals = await webviewFrame(page, 'approvals');
    await approvals
      .locator('main[data-testid="approvals"][data-rendered="true"]')
      .waitFor({ timeout: 30_000 });
    await approvals
      .locator('[data-testid="connection"][data-state="connected"]')
      .waitFor({ timeout: 30_000 });
    const row = approvals.locator('[data-testid="approval-row"]', { hasText: COMMAND });
    await row.waitFor({ timeout: 30_000 });
    expect(await approvals.locator('[data-testid="approval-row"]').count()).toBe(1);
    expect(await row.locator('[data-testid="approve"]').count()).toBe(1);
    await page.mouse.move(1300, 850); // no hover tooltip over the row
    await screenshot('demo-approvals.png');

    // Unanswered: Codex has not run the command, and the model saw the task prompt once (no stale "not finished"
    // text, no nudge typed into a Codex that waits on a person).
    expect(existsSync(path.join(demo.workspace, 'approved.txt'))).toBe(false);
    const prompts = demo.model.requests
      .filter(
        (r) =>
          r.api === 'openai' && r.model !== undefined && r.model !== 'demo-check' && !r.aux && !r.toolResult,
      )
      .map((r) => r.userText ?? '');
    expect(prompts, `prompts Codex sent to the model: ${JSON.stringify(prompts)}`).toEqual([TASK_PROMPT]);
    const recoveries = appLog()
      .filter((l) => l.event.startsWith('recovery.') && l.context.pane === 'codex')
      .map((l) => `${l.ts} ${l.event} ${JSON.stringify(l.context)}`);
    expect(recoveries, 'FleetAI typed a recovery (a "not finished yet" or a nudge) into Codex').toEqual([]);
  }, 120_000);
});

/** The number of agents the heartbeat counts: `FleetAI: 1 working · 1 waiting · 1 approval` is 3. */
function paneTotal(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+) (working|waiting|stalled|errors?|approvals?)\b/g))
    total += Number(m[1]);
  return total;
}

function isState(line: LogLine, pane: string, to: string): boolean {
  return line.event === 'pane.state' && line.context.pane === pane && line.context.to === to;
}

/** The `data-state` of a pane's row on the dashboard. */
async function paneState(frame: Frame, pane: string): Promise<string | null> {
  return frame
    .locator(`[data-testid="pane-row"][data-pane-id="${pane}"] [data-testid="pane-state"]`)
    .getAttribute('data-state');
}

/** The kinds of the dashboard's recent events of one pane (`state.stalled`...), newest first. */
async function paneEvents(frame: Frame, pane: string): Promise<string[]> {
  return frame.locator('[data-testid="event-row"]').evaluateAll(
    (rows: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }[], name: string) =>
      rows
        .map((row) => Array.from(row.querySelectorAll('td'), (td) => (td.textContent ?? '').trim()))
        .filter((cells) => cells[1] === name)
        .map((cells) => cells[2] ?? ''),
    pane,
  );
}
