// The harness both webview benches share (test/bench/webview-render.mjs, test/bench/plan-graph.mjs): the built
// apps, a standalone page per app with the host's CSP and HTML (extension/vscode/webviewHtml.ts) and a fake host
// script, a local server for it, and the timing of one page load in chromium.
//
// The apps are built from the current source into a temporary folder for each bench run (a second or two), so a
// figure never comes from a stale media/webview/ and the bench never rewrites the folder that other tests use.
// BENCH_MEDIA=<folder> uses an existing build instead (npm run bench passes the media/webview/ it has just built).
/* global window, document, MutationObserver, requestAnimationFrame -- functions run in the page */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../vscode/codeServer.mjs';

export const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The built webview apps: BENCH_MEDIA, or a fresh build of the current source; `dispose` removes a fresh one. */
export function webviewBuild() {
  if (process.env.BENCH_MEDIA) {
    const dir = path.resolve(process.env.BENCH_MEDIA);
    if (!existsSync(path.join(dir, 'chunks/vendor.js')))
      throw new Error(`BENCH_MEDIA=${dir} holds no webview build (chunks/vendor.js missing)`);
    return { dir, dispose: () => undefined };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-webview-bench-'));
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      'webview/vite.config.mts',
      '--outDir',
      dir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('vite build of the webviews failed');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A bench page as the host writes it (webviewHtml.ts): its CSP with the page's own origin as the webview's
 * cspSource, the app's stylesheet and codicons, the shared chunks preloaded, then a fake host script (the
 * bench's `acquireVsCodeApi`) and the app. `data` goes inline as a JSON data block, parsed by the fake host when
 * first asked: a script literal of this size took longer to compile than the app itself, which the real host
 * (its data already in memory) does not cost; `<` is escaped so that no text in the data can end the block.
 */
export function pageHtml({ app, lang, theme, nonce, data }) {
  const csp = [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const preload = ['vendor', 'shared', ...(app === 'plan' ? ['plan-vendor'] : [])]
    .map((c) => `<link rel="modulepreload" nonce="${nonce}" href="/media/webview/chunks/${c}.js">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/theme/theme-${theme === 'dark' ? 'dark' : 'light'}.css">
<link rel="stylesheet" href="/media/webview/${app}.css">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="/media/webview/codicon.css">
${preload}
<title>FleetAI ${app} bench</title>
</head>
<body class="vscode-${theme === 'dark' ? 'dark' : 'light'}">
<div id="root" data-app="${app}"></div>
<script type="application/json" id="fleet-bench-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script nonce="${nonce}" src="/bench/fake-host.mjs"></script>
<script nonce="${nonce}" type="module" src="/media/webview/${app}.js"></script>
</body>
</html>`;
}

const types = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
};

/**
 * Serves `/bench/page.html?...` (from `page(searchParams)`), the build under `/media/webview/`, the bench's own
 * files (its fake host) under `/bench/` and the VS Code theme variables under `/theme/`.
 */
export function startServer({ media, harness, page }) {
  const roots = {
    '/media/webview/': media,
    '/bench/': harness,
    '/theme/': path.join(repoRoot, 'test/bench/webview'),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');
    if (url.pathname === '/bench/page.html') return send(200, 'text/html', page(url.searchParams));
    const prefix = Object.keys(roots).find((p) => url.pathname.startsWith(p));
    const root = prefix && roots[prefix];
    const file = root && path.resolve(root, url.pathname.slice(prefix.length));
    if (!file || !file.startsWith(root + path.sep) || !existsSync(file))
      return send(404, 'text/plain', 'not found');
    return send(200, types[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Runs in the page before anything else. `__renderedAt`: the moment `main[data-rendered="true"]` appears (the
 * app sets it once the host's first snapshot is drawn in the DOM). `__paintedAt`: the next animation frame's
 * callback and a task after it, i.e. after the browser has produced the frame that contains that DOM (style,
 * layout and paint of it included). Also collects CSP violations.
 */
export function instrument() {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__csp.push(
      `${e.violatedDirective} ${e.blockedURI || '(inline)'} ${e.sourceFile ?? ''}:${e.lineNumber ?? ''}`,
    ),
  );
  // The root may be inserted with the attribute already set (the snapshot came before React's first render),
  // or get it later: both are mutations of the document.
  const observer = new MutationObserver(() => {
    if (window.__renderedAt !== undefined || !document.querySelector('main[data-rendered="true"]')) return;
    window.__renderedAt = performance.now();
    // What was drawn at that moment (the plan graph's nodes; none in the other apps).
    window.__renderedPlanNodes = document.querySelectorAll('[data-testid="plan-node"]').length;
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

/** Console errors, page errors, and warnings matching `warnings`, collected into `problems`. */
export function watchPage(pg, problems, warnings = /FleetAI|protocol|Content Security/i) {
  pg.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && warnings.test(m.text())))
      problems.push(`console.${m.type()}: ${m.text()}`);
  });
  pg.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
}

/**
 * Opens the bench page in a fresh browser context and waits for its first painted frame. Times are from the
 * navigation start (performance.timeOrigin): `rendered`, `painted` (see instrument), and the app's own marks
 * `fleetai:start` (its modules evaluated) and `fleetai:answered` (the host's first answer in).
 */
export async function openApp(browser, base, query, options = {}) {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const pg = await context.newPage();
  const problems = [];
  watchPage(pg, problems, options.warnings);
  await pg.addInitScript(instrument);
  await pg.goto(`${base}/bench/page.html?${new URLSearchParams(query)}`);
  await pg.waitForFunction(() => window.__paintedAt !== undefined, null, { timeout: 60_000 });
  const timing = await pg.evaluate(() => ({
    rendered: window.__renderedAt,
    painted: window.__paintedAt,
    renderedPlanNodes: window.__renderedPlanNodes,
    csp: window.__csp,
    start: performance.getEntriesByName('fleetai:start')[0]?.startTime,
    answered: performance.getEntriesByName('fleetai:answered')[0]?.startTime,
    pageLoaded: performance.getEntriesByType('navigation')[0]?.responseEnd,
  }));
  problems.push(...timing.csp.map((c) => `CSP: ${c}`));
  return { context, pg, timing, problems };
}

/** The 1-minute load average now. */
export const load1 = () => loadavg()[0];

/** What the figures were measured on. */
export function machine(browser) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    ...(browser ? { chromium: browser.version() } : {}),
  };
}
