// Webview bench: how fast the built Dashboard and Approvals apps (media/webview/) show a large fleet, in chromium.
//   1. navigation start -> `data-rendered="true"` (first snapshot from the host rendered), dashboard with 100 panes
//      (each with blockers, queued commands, next and recent actions) and approvals with 500 requests (each with
//      a transcript excerpt); median and p95 of BENCH_RUNS runs (default 5), each in a fresh browser context
//   2. re-render of the dashboard when one pane's state changes (a whole new `dashboard.snapshot` event), and of
//      the approvals list when one request is answered: from the event to the changed DOM, median and p95
//   3. screenshots of both apps in English and Chinese (and the dashboard without a host) in test-results/webview/,
//      and checks on the built app: disabled actions while the host is gone, Retry, restore after a reload
// The page is the host's HTML with its CSP (extension/vscode/webviewHtml.ts) and a fake acquireVsCodeApi
// (test/bench/webview/fake-host.mjs) standing in for the VS Code host, which only relays postMessage; CSP
// violations and console errors fail the run. Target: < 500 ms for each first render. The page harness (build,
// server, timing) is shared with test/bench/plan-graph.mjs: test/bench/lib/webviewPage.mjs.
// Run: node test/bench/webview-render.mjs (builds the current source into a temporary folder; BENCH_MEDIA=<folder>
// uses an existing build); --serve only serves the harness pages and prints their addresses.
/* global window, document, MutationObserver, requestAnimationFrame -- functions run in the page */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium, repoRoot } from '../vscode/codeServer.mjs';
import {
  machine as machineOf,
  median,
  openApp,
  pageHtml,
  quantile,
  startServer,
  version,
  webviewBuild,
} from './lib/webviewPage.mjs';
import { approvalsSnapshot, dashboardSnapshot } from './webview/data.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const rerenders = Number(process.env.BENCH_RERENDERS ?? 20);
const TARGET_MS = 500;
const out = path.join(repoRoot, 'test-results/webview');

/** Page data per query: the app, the language and the size of the fleet. */
const dataCache = new Map();
function benchData(params) {
  const key = params.toString();
  if (!dataCache.has(key)) {
    const now = Date.now();
    // Only the app's own data is big: the other one is not asked for, and its size would only slow the page.
    const app = params.get('app') === 'approvals' ? 'approvals' : 'dashboard';
    const panes = app === 'dashboard' ? Number(params.get('panes') ?? 100) : 1;
    const approvals = app === 'approvals' ? Number(params.get('approvals') ?? 500) : 1;
    const dashboard = dashboardSnapshot({
      panes,
      tasks: Number(params.get('tasks') ?? 30),
      events: Number(params.get('events') ?? 50),
      now,
    });
    const queue = approvalsSnapshot({ approvals, now });
    dataCache.set(key, {
      version,
      lang: params.get('lang') ?? 'en',
      dashboard,
      approvals: queue,
      // A decision on these is refused as "answered elsewhere first", as the host answers then.
      refuse: queue.pending.filter((_, i) => i % 5 === 1).map((a) => a.id),
    });
  }
  return dataCache.get(key);
}

function page(params) {
  return pageHtml({
    app: params.get('app') === 'approvals' ? 'approvals' : 'dashboard',
    lang: params.get('lang') ?? 'en',
    theme: params.get('theme'),
    nonce: randomBytes(16).toString('base64'),
    data: benchData(params),
  });
}

/** One pane's state changes `n` times; each time the whole snapshot is pushed, as the host does. */
async function dashboardRerender(pg, n) {
  return pg.evaluate(async (count) => {
    const host = window.__benchHost;
    const states = ['working', 'stalled', 'error', 'awaiting_input', 'awaiting_approval'];
    const samples = [];
    for (let i = 0; i < count; i++) {
      const index = (i * 37) % host.dashboard.panes.length;
      const pane = host.dashboard.panes[index];
      const next = states.find((s) => s !== pane.state) ?? 'working';
      const panes = host.dashboard.panes.slice();
      panes[index] = { ...pane, state: next, stateSince: new Date().toISOString() };
      host.dashboard = { ...host.dashboard, panes, updatedAt: new Date().toISOString() };
      const cell = document.querySelector(`[data-pane-id="${pane.id}"] [data-testid="pane-state"]`);
      const changed = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (cell.getAttribute('data-state') === next) {
            mo.disconnect();
            resolve(performance.now());
          }
        });
        mo.observe(cell, { attributes: true });
      });
      const t0 = performance.now();
      host.emit('dashboard.snapshot', host.dashboard);
      samples.push((await changed) - t0);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    return samples;
  }, n);
}

/** One request after another leaves the queue (answered elsewhere): the whole snapshot, one fewer each time. */
async function approvalsRerender(pg, n) {
  return pg.evaluate(async (count) => {
    const host = window.__benchHost;
    const samples = [];
    for (let i = 0; i < count; i++) {
      const gone = host.approvals.pending[3];
      host.approvals = {
        ...host.approvals,
        pending: host.approvals.pending.filter((a) => a.id !== gone.id),
        updatedAt: new Date().toISOString(),
      };
      const row = document.querySelector(`[data-approval-id="${gone.id}"]`);
      const removed = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (!row.isConnected) {
            mo.disconnect();
            resolve(performance.now());
          }
        });
        mo.observe(row.parentNode, { childList: true });
      });
      const t0 = performance.now();
      host.emit('approvals.snapshot', host.approvals);
      samples.push((await removed) - t0);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    return samples;
  }, n);
}

/** Scrolls to the end until every row is rendered: the cost of the pages rendered after the first. */
async function scrollToEnd(pg, total) {
  return pg.evaluate(async (expected) => {
    const t0 = performance.now();
    while (document.querySelectorAll('[data-testid="approval-row"]').length < expected) {
      if (performance.now() - t0 > 30_000) throw new Error('rows never all rendered');
      window.scrollTo(0, document.documentElement.scrollHeight);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    const ms = performance.now() - t0;
    window.scrollTo(0, 0);
    return ms;
  }, total);
}

/**
 * A screenshot of the whole page. Rows use `content-visibility: auto`, which a full-page capture of a short
 * window leaves unpainted, so the window is made as tall as the page first.
 */
async function shoot(pg, file) {
  const height = await pg.evaluate(() => document.documentElement.scrollHeight);
  await pg.setViewportSize({ width: 1280, height: Math.min(6000, height) });
  await pg.waitForTimeout(100);
  await pg.screenshot({ path: file });
}

/**
 * What the e2e tests rely on, checked on the built app: while the host does not answer, Approve is disabled for
 * Playwright (which then waits instead of clicking) and even a forced click sends nothing; Retry reconnects.
 */
async function checkDisabledWhileDisconnected(pg) {
  const requests = () =>
    pg.evaluate(() => window.__benchHost.requests.filter((r) => r.method === 'approvals.decide').length);
  const row = pg.locator('[data-testid="approval-row"]').nth(4);
  const approve = row.locator('[data-testid="approve"]');
  if (await approve.isDisabled()) throw new Error('Approve is disabled while connected');
  await pg.evaluate(() => (window.__benchHost.alive = false));
  await pg.locator('[data-testid="connection"][data-state="disconnected"]').waitFor({ timeout: 20_000 });
  if (!(await approve.isDisabled())) throw new Error('Approve is not disabled while disconnected');
  const before = await requests();
  await approve.click({ force: true });
  const refused = await approve.click({ timeout: 500 }).then(
    () => false,
    () => true,
  );
  if (!refused) throw new Error('Playwright clicked a disabled Approve');
  if ((await requests()) !== before) throw new Error('a disabled Approve sent approvals.decide');
  // The host answers again and Retry is pressed in the same task, before any automatic attempt can run.
  const retried = await pg.evaluate(() => {
    window.__benchHost.alive = true;
    document.querySelector('[data-testid="retry"]').click();
    return performance.now();
  });
  await pg.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 5000 });
  const reconnectMs = (await pg.evaluate(() => performance.now())) - retried;
  if (reconnectMs > 1000) throw new Error(`Retry took ${Math.round(reconnectMs)} ms to reconnect`);
  if (await approve.isDisabled()) throw new Error('Approve stays disabled after Retry reconnected');
}

/**
 * Restore after a reload: the note being typed, the open excerpt and the scroll position come back, and the
 * last snapshot paints at once, marked stale, before the (slow) host has answered.
 */
async function checkRestore(browser, base) {
  const run = await openApp(browser, base, { app: 'approvals', lang: 'en', approvals: 8 });
  const { pg } = run;
  const rows = pg.locator('[data-testid="approval-row"]');
  await rows.nth(1).locator('[data-testid="approval-note"]').fill('half-typed note');
  await rows.nth(2).locator('[data-testid="approval-excerpt-toggle"]').click();
  await pg.evaluate(() => window.scrollTo(0, 300));
  await pg.waitForTimeout(800); // saveState is coalesced over 500 ms
  await pg.goto(`${pg.url()}&delay=2000`);
  await pg.locator('[data-testid="approval-row"]').first().waitFor({ timeout: 1500 });
  const early = await pg.evaluate(() => ({
    rendered: document.querySelector('main')?.getAttribute('data-rendered'),
    stale: document.querySelector('main')?.classList.contains('stale'),
    state: document.querySelector('[data-testid="connection"]')?.getAttribute('data-state'),
    note: document.querySelectorAll('[data-testid="approval-note"]')[1]?.value,
    excerpt:
      document
        .querySelectorAll('[data-testid="approval-row"]')[2]
        ?.querySelector('[data-testid="approval-excerpt"]') !== null,
    scrollY: window.scrollY,
  }));
  const expected = {
    rendered: null,
    stale: true,
    state: 'connecting',
    note: 'half-typed note',
    excerpt: true,
  };
  for (const [key, value] of Object.entries(expected)) {
    if (early[key] !== value) throw new Error(`restore: ${key} is ${early[key]}, expected ${value}`);
  }
  // Rows above the window lay out at their real height after the restore (content-visibility), and scroll
  // anchoring keeps the same rows in view, so the offset may move by a few pixels.
  if (Math.abs(early.scrollY - 300) > 60)
    throw new Error(`restore: scrollY ${early.scrollY}, expected about 300`);
  await pg.locator('main[data-rendered="true"]').waitFor({ timeout: 10_000 });
  if (await pg.locator('main.stale').count()) throw new Error('restore: still marked stale once connected');
  if (run.problems.length) throw new Error(`restore: ${run.problems.join('\n')}`);
  await run.context.close();
}

async function screenshots(browser, base) {
  mkdirSync(out, { recursive: true });
  const shots = [];
  for (const lang of ['en', 'zh-cn']) {
    const dash = await openApp(browser, base, { app: 'dashboard', lang, panes: 9, tasks: 6, events: 8 });
    await dash.pg.locator('[data-testid="pane-details-toggle"]').first().click();
    const dashFile = path.join(out, `dashboard-${lang}.png`);
    await shoot(dash.pg, dashFile);
    shots.push(dashFile);
    if (lang === 'en') {
      // The host stops answering: the next ping fails, the badge says so and the actions are disabled.
      await dash.pg.evaluate(() => (window.__benchHost.alive = false));
      await dash.pg
        .locator('[data-testid="connection"][data-state="disconnected"]')
        .waitFor({ timeout: 20_000 });
      const offFile = path.join(out, 'dashboard-disconnected-en.png');
      await dash.pg.setViewportSize({ width: 1280, height: 500 });
      await dash.pg.screenshot({ path: offFile });
      shots.push(offFile);
    }
    if (dash.problems.length) throw new Error(`dashboard ${lang}: ${dash.problems.join('\n')}`);
    await dash.context.close();

    if (lang === 'en') {
      const dark = await openApp(browser, base, {
        app: 'dashboard',
        lang,
        panes: 9,
        tasks: 6,
        events: 8,
        theme: 'dark',
      });
      const darkFile = path.join(out, 'dashboard-dark-en.png');
      await shoot(dark.pg, darkFile);
      shots.push(darkFile);
      if (dark.problems.length) throw new Error(`dashboard dark: ${dark.problems.join('\n')}`);
      await dark.context.close();
    }

    const appr = await openApp(browser, base, { app: 'approvals', lang, approvals: 6 });
    const rows = appr.pg.locator('[data-testid="approval-row"]');
    await rows.nth(0).locator('[data-testid="approve"]').click();
    await rows.nth(0).locator('[data-testid="approval-outcome"]').waitFor();
    await rows
      .nth(1)
      .locator('[data-testid="approval-note"]')
      .fill(lang === 'en' ? 'not on main, please' : '请不要在 main 上执行');
    await rows.nth(1).locator('[data-testid="deny"]').click();
    await rows.nth(1).locator('[data-testid="approval-outcome"]').waitFor();
    await rows.nth(2).locator('[data-testid="approval-excerpt-toggle"]').click();
    await rows
      .nth(3)
      .locator('[data-testid="approval-note"]')
      .fill(lang === 'en' ? 'draft note' : '草稿备注');
    const apprFile = path.join(out, `approvals-${lang}.png`);
    await shoot(appr.pg, apprFile);
    shots.push(apprFile);
    if (lang === 'en') await checkDisabledWhileDisconnected(appr.pg);
    if (appr.problems.length) throw new Error(`approvals ${lang}: ${appr.problems.join('\n')}`);
    await appr.context.close();
  }
  return shots;
}

async function main() {
  const build = webviewBuild();
  const server = await startServer({
    media: build.dir,
    harness: path.join(repoRoot, 'test/bench/webview'),
    page,
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  if (process.argv.includes('--serve')) {
    // For a person (or a profiler): the harness pages, until Ctrl-C.
    console.log(`${base}/bench/page.html?app=dashboard&lang=en&panes=100`);
    console.log(`${base}/bench/page.html?app=approvals&lang=zh-cn&approvals=500`);
    return;
  }
  const browser = await launchChromium();
  const machine = machineOf(browser);
  const first = { dashboard: [], approvals: [] };
  const painted = { dashboard: [], approvals: [] };
  const ownTime = { dashboard: [], approvals: [] };
  const startAt = { dashboard: [], approvals: [] };
  let dashRerender = [];
  let apprRerender = [];
  const scrollAll = [];
  const problems = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const app of ['dashboard', 'approvals']) {
        const run = await openApp(browser, base, { app, lang: 'en', panes: 100, approvals: 500 });
        if (app === 'dashboard') {
          const rows = await run.pg.locator('[data-testid="pane-row"]').count();
          if (rows !== 100) problems.push(`dashboard: ${rows} rows rendered, expected 100`);
        } else {
          // The approvals list renders a first page and the rest as the person scrolls (useIncremental.ts).
          const count = await run.pg.locator('[data-testid="pending-count"]').textContent();
          const rows = await run.pg.locator('[data-testid="approval-row"]').count();
          if (count?.trim() !== '500' || rows < 20)
            problems.push(`approvals: count ${count}, ${rows} rows rendered`);
          if (i === 0) scrollAll.push(await scrollToEnd(run.pg, 500));
        }
        first[app].push(run.timing.rendered);
        painted[app].push(run.timing.painted);
        startAt[app].push(run.timing.start);
        ownTime[app].push(run.timing.rendered - run.timing.start);
        if (i === 0 && app === 'dashboard') dashRerender = await dashboardRerender(run.pg, rerenders);
        if (i === 0 && app === 'approvals') apprRerender = await approvalsRerender(run.pg, rerenders);
        problems.push(...run.problems.map((p) => `${app}: ${p}`));
        await run.context.close();
      }
    }
    var shots = await screenshots(browser, base);
    await checkRestore(browser, base);
  } finally {
    await browser.close();
    server.close();
    build.dispose();
  }

  const row = (name, xs) => ({ name, median: median(xs), p95: quantile(xs, 0.95), n: xs.length });
  const results = [
    row('dashboard, 100 panes: navigation -> data-rendered', first.dashboard),
    row('dashboard, 100 panes: navigation -> next frame', painted.dashboard),
    row('dashboard, 100 panes: navigation -> app modules evaluated', startAt.dashboard),
    row('dashboard, 100 panes: app modules evaluated -> data-rendered', ownTime.dashboard),
    row('approvals, 500 requests: navigation -> data-rendered', first.approvals),
    row('approvals, 500 requests: navigation -> next frame', painted.approvals),
    row('approvals, 500 requests: navigation -> app modules evaluated', startAt.approvals),
    row('approvals, 500 requests: app modules evaluated -> data-rendered', ownTime.approvals),
    row('approvals, 500 requests: scrolled to the end, all rows rendered', scrollAll),
    row('dashboard re-render, one pane changes state (event -> DOM)', dashRerender),
    row('approvals re-render, one request leaves the queue (event -> DOM)', apprRerender),
  ];
  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1).padStart(8) : '     n/a');
  console.log(
    `\nFleetAI webview bench (${runs} runs, ${rerenders} re-renders) on ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadavg.join(' ')}, ${machine.chromium}`,
  );
  console.log(`${'measure'.padEnd(68)} ${'median ms'.padStart(9)} ${'p95 ms'.padStart(8)}   n`);
  for (const r of results)
    console.log(`${r.name.padEnd(68)} ${fmt(r.median)} ${fmt(r.p95)} ${String(r.n).padStart(3)}`);
  const met = {
    dashboard: median(first.dashboard) < TARGET_MS,
    approvals: median(first.approvals) < TARGET_MS,
  };
  console.log(
    `target < ${TARGET_MS} ms to data-rendered: dashboard ${met.dashboard ? 'met' : 'MISSED'}, approvals ${met.approvals ? 'met' : 'MISSED'}`,
  );
  console.log(`screenshots: ${shots.map((s) => path.relative(repoRoot, s)).join(', ')}`);
  const json = {
    machine,
    runs,
    rerenders,
    targetMs: TARGET_MS,
    met,
    results,
    samples: { first, painted, startAt, ownTime, scrollAll, dashRerender, apprRerender },
    problems,
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'bench.json'), JSON.stringify(json, null, 2));
  console.log(JSON.stringify({ machine, met, results }));
  if (problems.length) {
    console.error(`problems:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
