// Plan graph bench: how fast the plan graph app (webview/plan/, built from the current source) shows a plan, in
// chromium, and checks on what it shows.
//   1. For a plan of 100 graph nodes (target < 3 s) and of 1,000 (target < 1 s), BENCH_RUNS runs (default 5),
//      each a fresh browser context at 1280 x 900, runs of the two sizes interleaved so that both see the same
//      machine load; median and p95 of:
//        navigation start -> `main[data-testid="plan"][data-rendered="true"]`: the host's first snapshot laid out,
//          the first viewport placed, the nodes in view (and their edges) in the DOM;
//        navigation start -> the frame after it (an animation frame callback and a task after it: the browser
//          has styled, laid out and painted the graph). This is THE figure compared with the target.
//      Also where the time goes: the app's modules evaluated, the host's answer in.
//      The machine's 1-minute load average is printed with each size's figures. A missed target fails the run
//      (exit 1) only when the load stayed under 2 (others share this 2-core machine); above, the figure is
//      printed as indicative and the run does not fail on it.
//   2. Screenshots test-results/webview/plan-100.png (a node waiting for approval selected, its panel open),
//      plan-100-zh-cn.png and plan-1000.png (the first view of the 1,000-node plan, as opened), and checks on the
//      built app: nodes carry their state; the 1,000-node plan opens readable (zoom >= 0.6) on the node waiting
//      for approval with only the nodes in view in the DOM; handles are where the app told React Flow they are;
//      Approve sends `plan.approve` and the node's new state is drawn; the selection survives a reload; repeat
//      edges dashed, then/else labelled; no CSP violation or console error.
// The page is the host's HTML with its CSP and a fake plan source (test/bench/plangraph/fake-host.mjs); the
// plan data comes from test/bench/plangraph/data.mjs (edges by the rules of planFlow()). The harness is shared
// with test/bench/webview-render.mjs (test/bench/lib/webviewPage.mjs).
// Run: node test/bench/plan-graph.mjs [--serve] (--serve only serves the page and prints its address);
// BENCH_MEDIA=<build folder> measures an existing build instead of building the current source.
/* global window, document, getComputedStyle -- functions run in the page */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium, repoRoot } from '../vscode/codeServer.mjs';
import {
  load1,
  machine,
  median,
  openApp,
  pageHtml,
  quantile,
  startServer,
  version,
  watchPage,
  webviewBuild,
} from './lib/webviewPage.mjs';
import { planSnapshot } from './plangraph/data.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const TARGETS = { 100: 3000, 1000: 1000 };
/** Above this 1-minute load average a missed target is reported as indicative, not as a failure. */
const QUIET_LOAD = 2;
/** webview/plan/layout.ts READABLE_ZOOM. */
const READABLE_ZOOM = 0.6;
const out = path.join(repoRoot, 'test-results/webview');
const WARNINGS = /FleetAI|protocol|Content Security|React Flow/i;

const dataCache = new Map();
function page(params) {
  const key = `${params.get('nodes')}|${params.get('lang')}`;
  if (!dataCache.has(key)) {
    const plan = planSnapshot({
      size: Number(params.get('nodes') ?? 100),
      now: Date.parse('2026-11-21T10:00:00Z'),
    });
    dataCache.set(key, { version, lang: params.get('lang') ?? 'en', plan });
  }
  return pageHtml({
    app: 'plan',
    lang: params.get('lang') ?? 'en',
    theme: params.get('theme'),
    nonce: randomBytes(16).toString('base64'),
    data: dataCache.get(key),
  });
}

const round = (x) => Math.round(x);
const summary = (xs) => ({ median: round(median(xs)), p95: round(quantile(xs, 0.95)) });

async function measure(browser, base) {
  const sizes = [100, 1000];
  const samples = Object.fromEntries(
    sizes.map((n) => [n, { rendered: [], painted: [], start: [], answered: [], nodesInDom: [], load: [] }]),
  );
  const problems = [];
  for (let i = 0; i < runs; i++) {
    for (const nodes of sizes) {
      const s = samples[nodes];
      s.load.push(load1());
      const app = await openApp(browser, base, { nodes: String(nodes) }, { warnings: WARNINGS });
      s.rendered.push(app.timing.rendered);
      s.painted.push(app.timing.painted);
      s.start.push(app.timing.start);
      s.answered.push(app.timing.answered);
      // The nodes in the DOM at the moment timed as rendered: the figure must include the graph drawn.
      s.nodesInDom.push(app.timing.renderedPlanNodes);
      problems.push(...app.problems.map((p) => `${nodes} nodes: ${p}`));
      await app.context.close();
    }
  }
  return {
    problems,
    results: sizes.map((nodes) => {
      const s = samples[nodes];
      return {
        nodes,
        runs,
        targetMs: TARGETS[nodes],
        renderedMs: summary(s.rendered),
        paintedMs: summary(s.painted),
        moduleStartMs: round(median(s.start)),
        hostAnsweredMs: round(median(s.answered)),
        nodesInDom: { min: Math.min(...s.nodesInDom), max: Math.max(...s.nodesInDom) },
        load1: { min: Math.min(...s.load), max: Math.max(...s.load, load1()) },
        samples: { painted: s.painted.map(round), rendered: s.rendered.map(round) },
      };
    }),
  };
}

const failures = [];
const warnings = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

/** Where React Flow drew the handles of a node in view, against the node's box (zoom taken out). */
async function handleOffsets(pg) {
  return pg.evaluate(() => {
    const node = document.querySelector('.react-flow__node-plan:has(.plan-node)');
    const zoom = Number(
      /scale\(([\d.]+)\)/.exec(document.querySelector('.react-flow__viewport').style.transform)[1],
    );
    const box = node.getBoundingClientRect();
    const centre = (el) => {
      const r = el.getBoundingClientRect();
      return { x: (r.left + r.width / 2 - box.left) / zoom, y: (r.top + r.height / 2 - box.top) / zoom };
    };
    return {
      width: box.width / zoom,
      height: box.height / zoom,
      top: centre(node.querySelector('.react-flow__handle-top')),
      bottom: centre(node.querySelector('.react-flow__handle-bottom')),
    };
  });
}

async function checks(browser, base) {
  mkdirSync(out, { recursive: true });
  // The 1,000-node plan as it opens: readable, on the node waiting for approval, only the nodes in view drawn.
  {
    const app = await openApp(browser, base, { nodes: '1000' }, { warnings: WARNINGS });
    const { pg } = app;
    const file = path.join(out, 'plan-1000.png');
    await pg.screenshot({ path: file });
    console.log(`screenshot ${path.relative(repoRoot, file)}`);
    const seen = await pg.evaluate(() => {
      const canvas = document.querySelector('.react-flow').getBoundingClientRect();
      const waiting = document.querySelector('[data-testid="plan-node"][data-state="waiting_approval"]');
      const r = waiting?.getBoundingClientRect();
      return {
        zoom: Number(
          /scale\(([\d.]+)\)/.exec(document.querySelector('.react-flow__viewport').style.transform)[1],
        ),
        nodes: document.querySelectorAll('[data-testid="plan-node"]').length,
        edges: document.querySelectorAll('.react-flow__edge').length,
        waitingInView:
          !!r &&
          r.left >= canvas.left &&
          r.right <= canvas.right &&
          r.top >= canvas.top &&
          r.bottom <= canvas.bottom,
        minimap: document.querySelectorAll('[data-testid="plan-minimap"] .react-flow__minimap-node').length,
      };
    });
    check(seen.zoom >= READABLE_ZOOM && seen.zoom <= 1, `1000 nodes: opens readable (zoom ${seen.zoom})`);
    check(seen.waitingInView, '1000 nodes: the node waiting for approval is in view');
    check(
      seen.nodes > 0 && seen.nodes < 100 && seen.edges > 0,
      `1000 nodes: only the nodes in view are in the DOM (${seen.nodes} nodes, ${seen.edges} edges)`,
    );
    check(seen.minimap > 0, `1000 nodes: the minimap draws the plan (${seen.minimap} state paths)`);
    const h = await handleOffsets(pg);
    const near = (a, b) => Math.abs(a - b) <= 1;
    check(
      near(h.top.x, h.width / 2) &&
        near(h.top.y, 0) &&
        near(h.bottom.x, h.width / 2) &&
        near(h.bottom.y, h.height),
      `handles where the app says they are (layout.ts nodeHandles): top ${JSON.stringify(h.top)}, bottom ${JSON.stringify(h.bottom)} on ${h.width} x ${h.height}`,
    );
    // The fit button shows the whole plan: every node is then inside the canvas (drawn or not).
    await pg.locator('.react-flow__controls-fitview').click();
    await pg.waitForTimeout(300);
    const fitted = await pg.evaluate(() =>
      Number(/scale\(([\d.]+)\)/.exec(document.querySelector('.react-flow__viewport').style.transform)[1]),
    );
    check(fitted < seen.zoom, `the fit button zooms out to the whole plan (zoom ${fitted})`);
    check(
      app.problems.length === 0,
      `1000 nodes: no CSP violation or console error ${app.problems.join(' | ')}`,
    );
    await app.context.close();
  }
  // A panel opened in the background: the page has no size when the snapshot comes, and draws once it has one.
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pg = await context.newPage();
    const problems = [];
    watchPage(pg, problems, WARNINGS);
    await pg.addInitScript(() =>
      document.addEventListener('readystatechange', () => {
        if (document.readyState === 'interactive') document.body.style.display = 'none';
      }),
    );
    await pg.goto(`${base}/bench/page.html?nodes=1000`);
    await pg.waitForFunction(() => window.__benchHost.requests.length > 0);
    await pg.waitForTimeout(300);
    const early = await pg.evaluate(() => document.querySelectorAll('[data-testid="plan-node"]').length);
    await pg.evaluate(() => (document.body.style.display = ''));
    const drawn = await pg
      .locator('main[data-testid="plan"][data-rendered="true"]')
      .waitFor({ timeout: 10_000 })
      .then(
        () => true,
        () => false,
      );
    const later = await pg.evaluate(() => document.querySelectorAll('[data-testid="plan-node"]').length);
    check(
      drawn && early === 0 && later > 0 && problems.length === 0,
      `a page shown only after the snapshot came draws the graph then (${early} nodes hidden, ${later} shown) ${problems.join(' | ')}`,
    );
    await context.close();
  }
  for (const lang of ['en', 'zh-cn']) {
    const app = await openApp(browser, base, { nodes: '100', lang }, { warnings: WARNINGS });
    const { pg } = app;
    // A node that waits for approval, selected: the panel with its Approve button shows in the screenshot.
    const waiting = pg.locator('[data-testid="plan-node"][data-state="waiting_approval"]').first();
    check((await waiting.count()) === 1, `${lang}: a node waits for approval`);
    await waiting.click();
    await pg.locator('[data-testid="plan-approve"]').waitFor();
    const file = path.join(out, lang === 'en' ? 'plan-100.png' : 'plan-100-zh-cn.png');
    await pg.screenshot({ path: file });
    console.log(`screenshot ${path.relative(repoRoot, file)}`);
    if (lang === 'zh-cn') {
      check(
        (await pg.locator('[data-testid="plan-title"]').innerText()).includes('计划'),
        'zh-cn: title in Chinese',
      );
    } else {
      const id = await waiting.getAttribute('data-node-id');
      await pg.locator('[data-testid="plan-approve"]').click();
      const sent = await pg.evaluate(() =>
        window.__benchHost.requests.filter((r) => r.method === 'plan.approve'),
      );
      check(sent.length === 1 && sent[0].params.nodeId === id, 'Approve sends plan.approve {runId, nodeId}');
      await pg
        .locator(`[data-testid="plan-node"][data-node-id="${id}"][data-state="running"]`)
        .waitFor({ timeout: 5000 });
      check(true, 'the approved node is drawn running after the host pushes plan.snapshot');
      // Reload: the selection and the viewport come back.
      await pg.waitForTimeout(700); // saveState is coalesced (500 ms)
      await pg.reload();
      await pg.locator('main[data-testid="plan"][data-rendered="true"]').waitFor();
      const panel = await pg.locator('[data-testid="plan-panel"]').getAttribute('data-node-id');
      check(panel === id, 'the selected node is restored after a reload');
      // Only what is in view is drawn, so the whole 100-node plan is opened in a window tall enough to show it
      // at a readable zoom: every repeat edge dashed, every then/else edge labelled, the labels shown.
      const tall = await openApp(
        browser,
        base,
        { nodes: '100' },
        { warnings: WARNINGS, viewport: { width: 1280, height: 7000 } },
      );
      const edges = await tall.pg.evaluate(() => ({
        zoom: Number(
          /scale\(([\d.]+)\)/.exec(document.querySelector('.react-flow__viewport').style.transform)[1],
        ),
        nodes: document.querySelectorAll('[data-testid="plan-node"]').length,
        repeat: window.__benchHost.plan.edges.filter((e) => e.kind === 'repeat').length,
        branches: window.__benchHost.plan.edges.filter((e) => e.kind === 'then' || e.kind === 'else').length,
        dashed: document.querySelectorAll('.react-flow__edge.cycle').length,
        labelled: [
          ...document.querySelectorAll('.react-flow__edge.conditional .react-flow__edge-textwrapper'),
        ].filter((el) => getComputedStyle(el).display !== 'none' && el.textContent).length,
      }));
      check(
        edges.nodes === 100 &&
          edges.zoom >= READABLE_ZOOM &&
          edges.dashed === edges.repeat &&
          edges.labelled === edges.branches &&
          edges.repeat > 0 &&
          edges.branches > 0,
        `whole 100-node plan in a tall window (zoom ${edges.zoom}, ${edges.nodes} nodes): repeat edges dashed (${edges.dashed} of ${edges.repeat}), then/else labelled (${edges.labelled} of ${edges.branches})`,
      );
      await tall.context.close();
      const styleTags = await pg.evaluate(() => document.querySelectorAll('style').length);
      check(styleTags === 0, `no <style> element on the page (${styleTags})`);
    }
    check(
      app.problems.length === 0,
      `${lang}: no CSP violation or console error ${app.problems.join(' | ')}`,
    );
    await app.context.close();
  }
}

const build = webviewBuild();
const server = await startServer({
  media: build.dir,
  harness: path.join(repoRoot, 'test/bench/plangraph'),
  page,
});
const base = `http://127.0.0.1:${server.address().port}`;
if (process.argv.includes('--serve')) {
  console.log(`${base}/bench/page.html?nodes=100  (and ?nodes=1000, &lang=zh-cn, &theme=dark)`);
  await new Promise(() => undefined);
}
const browser = await launchChromium();
try {
  const { results, problems } = await measure(browser, base);
  for (const r of results) {
    const quiet = r.load1.max < QUIET_LOAD;
    const met = r.paintedMs.median < r.targetMs;
    console.log(
      `plan ${r.nodes} nodes: navigation -> graph painted median ${r.paintedMs.median} ms p95 ${r.paintedMs.p95} ms (target < ${r.targetMs} ms: ${met ? 'met' : 'MISSED'}); -> data-rendered median ${r.renderedMs.median} ms p95 ${r.renderedMs.p95} ms; modules evaluated ${r.moduleStartMs} ms, host answered ${r.hostAnsweredMs} ms; ${r.nodesInDom.min}-${r.nodesInDom.max} nodes in the DOM when rendered; load ${r.load1.min.toFixed(2)}-${r.load1.max.toFixed(2)}${quiet ? '' : ' (busy machine: indicative)'}`,
    );
    if (!met && !quiet) {
      warnings.push(`${r.nodes} nodes: target missed at load ${r.load1.max.toFixed(2)} (indicative)`);
      console.log(`WARN ${warnings.at(-1)}`);
    } else check(met, `${r.nodes} nodes: painted median under ${r.targetMs} ms`);
  }
  for (const r of results)
    check(
      r.nodesInDom.min > 0,
      `${r.nodes} nodes: every timed run had nodes drawn at data-rendered (${r.nodesInDom.min}-${r.nodesInDom.max})`,
    );
  check(
    problems.length === 0,
    `timed runs: no CSP violation or console error ${problems.slice(0, 3).join(' | ')}`,
  );
  await checks(browser, base);
  const where = machine(browser);
  console.log(
    `machine: ${where.cpus} x ${where.cpuModel}, ${where.memGiB} GiB, load ${where.loadavg.join(' ')}, ${where.chromium}`,
  );
  writeFileSync(
    path.join(out, 'plan-graph-bench.json'),
    JSON.stringify({ machine: where, quietLoad: QUIET_LOAD, results, warnings, failures }, null, 2),
  );
} finally {
  await browser.close();
  server.close();
  build.dispose();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exitCode = 1;
}
