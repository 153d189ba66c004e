// Plan graph bench: how fast the built plan graph app (media/webview/plan.js) shows a plan, in chromium.
//   1. navigation start -> `main[data-testid="plan"][data-rendered="true"]` (first snapshot from the host laid out
//      and its nodes measured by React Flow) -> the next painted frame, for a plan of 100 graph nodes (target
//      < 3 s) and of 1,000 (target < 1 s); median and p95 of BENCH_RUNS runs (default 5), each in a fresh
//      browser context
//   2. screenshots test-results/webview/plan-100.png and plan-100-zh-cn.png, and checks on the built app: nodes
//      carry their state, Approve sends `plan.approve` and the node's new state is drawn, the selection survives
//      a reload, no CSP violation or console error
// The page is a standalone HTML file with the host's CSP (extension/vscode/webviewHtml.ts) and a fake
// acquireVsCodeApi (test/bench/plangraph/fake-host.mjs), as in test/bench/webview-render.mjs; the plan data comes
// from test/bench/plangraph/data.mjs (edges by the rules of planFlow()).
// Run: node test/bench/plan-graph.mjs (builds media/webview/ first when plan.js is missing); --serve only serves
// the harness page and prints its address.
/* global window, document, MutationObserver, requestAnimationFrame -- functions run in the page */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import * as path from 'node:path';
import { launchChromium, repoRoot } from '../vscode/codeServer.mjs';
import { planSnapshot } from './plangraph/data.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const TARGETS = { 100: 3000, 1000: 1000 };
const out = path.join(repoRoot, 'test-results/webview');
const media = path.join(repoRoot, 'media/webview');
const harness = path.join(repoRoot, 'test/bench/plangraph');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function ensureBuilt() {
  if (['plan.js', 'plan.css', 'codicon.css'].every((f) => existsSync(path.join(media, f)))) return;
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', 'webview/vite.config.mts'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('vite build failed');
}

const dataCache = new Map();
function benchData(params) {
  const key = params.toString();
  if (!dataCache.has(key)) {
    const plan = planSnapshot({
      size: Number(params.get('nodes') ?? 100),
      now: Date.parse('2026-11-21T10:00:00Z'),
    });
    const data = { version, lang: params.get('lang') ?? 'en', plan };
    dataCache.set(key, JSON.stringify(data).replace(/</g, '\\u003c'));
  }
  return dataCache.get(key);
}

function page(params, nonce) {
  const lang = params.get('lang') ?? 'en';
  const theme = params.get('theme') === 'dark' ? 'dark' : 'light';
  const csp = [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/bench/theme-${theme}.css">
<link rel="stylesheet" href="/media/webview/plan.css">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="/media/webview/codicon.css">
<link rel="modulepreload" nonce="${nonce}" href="/media/webview/chunks/vendor.js">
<link rel="modulepreload" nonce="${nonce}" href="/media/webview/chunks/plan-vendor.js">
<link rel="modulepreload" nonce="${nonce}" href="/media/webview/chunks/shared.js">
<title>FleetAI plan bench</title>
</head>
<body class="vscode-${theme}">
<div id="root" data-app="plan"></div>
<script type="application/json" id="fleet-bench-data">${benchData(params)}</script>
<script nonce="${nonce}" src="/bench/fake-host.mjs"></script>
<script nonce="${nonce}" type="module" src="/media/webview/plan.js"></script>
</body>
</html>`;
}

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

function startServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');
    if (url.pathname === '/bench/page.html')
      return send(200, 'text/html', page(url.searchParams, randomBytes(16).toString('base64')));
    const [root, rel] = url.pathname.startsWith('/media/webview/')
      ? [media, url.pathname.slice('/media/webview/'.length)]
      : url.pathname.startsWith('/bench/')
        ? [harness, url.pathname.slice('/bench/'.length)]
        : [undefined, ''];
    // The theme files are the other webview bench's (test/bench/webview/theme-*.css).
    const dir = /^theme-(dark|light)\.css$/.test(rel) ? path.join(repoRoot, 'test/bench/webview') : root;
    const file = dir && path.resolve(dir, rel);
    if (!file || !file.startsWith(dir + path.sep) || !existsSync(file))
      return send(404, 'text/plain', 'not found');
    return send(200, types[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs in the page before anything else: the moment `data-rendered` turns true, and any CSP violation. */
function instrument() {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__csp.push(
      `${e.violatedDirective} ${e.blockedURI || '(inline)'} ${e.sourceFile ?? ''}:${e.lineNumber ?? ''}`,
    ),
  );
  const observer = new MutationObserver(() => {
    if (window.__renderedAt !== undefined || !document.querySelector('main[data-rendered="true"]')) return;
    window.__renderedAt = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (window.__paintedAt = performance.now()), 0));
  });
  observer.observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-rendered'],
  });
}

async function openApp(browser, base, query, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const pg = await context.newPage();
  const problems = [];
  pg.on('console', (m) => {
    if (
      m.type() === 'error' ||
      (m.type() === 'warning' && /FleetAI|protocol|Content Security|React Flow/i.test(m.text()))
    )
      problems.push(`console.${m.type()}: ${m.text()}`);
  });
  pg.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await pg.addInitScript(instrument);
  await pg.goto(`${base}/bench/page.html?${new URLSearchParams(query)}`);
  await pg.waitForFunction(() => window.__paintedAt !== undefined, null, { timeout: 60_000 });
  const timing = await pg.evaluate(() => ({
    rendered: window.__renderedAt,
    painted: window.__paintedAt,
    csp: window.__csp,
    start: performance.getEntriesByName('fleetai:start')[0]?.startTime,
    answered: performance.getEntriesByName('fleetai:answered')[0]?.startTime,
    nodesInDom: document.querySelectorAll('[data-testid="plan-node"]').length,
  }));
  problems.push(...timing.csp.map((c) => `CSP: ${c}`));
  return { context, pg, timing, problems };
}

async function measure(browser, base, nodes) {
  const rendered = [];
  const painted = [];
  const parts = [];
  const problems = [];
  for (let i = 0; i < runs; i++) {
    const app = await openApp(browser, base, { nodes: String(nodes) });
    rendered.push(app.timing.rendered);
    painted.push(app.timing.painted);
    parts.push({ start: app.timing.start, answered: app.timing.answered, nodesInDom: app.timing.nodesInDom });
    problems.push(...app.problems);
    await app.context.close();
  }
  const round = (x) => Math.round(x);
  return {
    nodes,
    runs,
    targetMs: TARGETS[nodes],
    renderedMs: { median: round(median(rendered)), p95: round(quantile(rendered, 0.95)) },
    paintedMs: { median: round(median(painted)), p95: round(quantile(painted, 0.95)) },
    moduleStartMs: round(median(parts.map((p) => p.start))),
    hostAnsweredMs: round(median(parts.map((p) => p.answered))),
    nodesInDom: parts[0].nodesInDom,
    problems,
  };
}

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

async function checks(browser, base) {
  mkdirSync(out, { recursive: true });
  for (const lang of ['en', 'zh-cn']) {
    const app = await openApp(browser, base, { nodes: '100', lang });
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
      const edges = await pg.evaluate(() => ({
        dashed: document.querySelectorAll('.react-flow__edge.cycle').length,
        labelled: document.querySelectorAll('.react-flow__edge-text').length,
      }));
      check(
        edges.dashed > 0 && edges.labelled > 0,
        `repeat edges dashed (${edges.dashed}), then/else labelled (${edges.labelled})`,
      );
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

ensureBuilt();
const server = await startServer();
const base = `http://127.0.0.1:${server.address().port}`;
if (process.argv.includes('--serve')) {
  console.log(`${base}/bench/page.html?nodes=100  (and ?nodes=1000, &lang=zh-cn, &theme=dark)`);
  await new Promise(() => undefined);
}
const browser = await launchChromium();
try {
  const results = [];
  for (const nodes of [100, 1000]) {
    const r = await measure(browser, base, nodes);
    results.push(r);
    console.log(
      `plan ${nodes} nodes: data-rendered median ${r.renderedMs.median} ms p95 ${r.renderedMs.p95} ms; painted median ${r.paintedMs.median} ms p95 ${r.paintedMs.p95} ms (target < ${r.targetMs} ms; module start ${r.moduleStartMs} ms, host answered ${r.hostAnsweredMs} ms, ${r.nodesInDom} nodes in the DOM)`,
    );
    check(
      r.problems.length === 0,
      `${nodes} nodes: no CSP violation or console error ${r.problems.slice(0, 3).join(' | ')}`,
    );
    check(r.paintedMs.median < r.targetMs, `${nodes} nodes: painted median under ${r.targetMs} ms`);
  }
  await checks(browser, base);
  const machine = {
    cpus: `${cpus().length} x ${cpus()[0]?.model}`,
    memGB: Math.round(totalmem() / 2 ** 30),
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
  console.log(`machine: ${machine.cpus}, ${machine.memGB} GB, load ${machine.load}`);
  writeFileSync(
    path.join(out, 'plan-graph-bench.json'),
    JSON.stringify({ machine, results, failures }, null, 2),
  );
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exitCode = 1;
}
