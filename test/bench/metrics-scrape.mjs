// The Prometheus exporter (issue 8): time to answer GET /metrics with 100 panes on 50 branches, through the real
// code path — SupervisorMetrics over a supervisor state of 100 pane records (deep-copied per scrape as
// Orchestrator.snapshot() does), a real ApprovalStore holding 50 pending approvals on disk (read each scrape),
// 20 recent actions and 2 queued commands per pane, the process metrics, and the real node:http server, scraped
// with fetch over 127.0.0.1 like Prometheus does. Also the body size and the registry alone (no HTTP).
//   node test/bench/metrics-scrape.mjs   -> a table, and test-results/bench/metrics-scrape.json; exit 0
// `benchRows()` runs it in a child process for test/bench/run.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/metrics-scrape.json');
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 300);
const PANES = 100;
const BRANCHES = 50;
const PENDING = 50;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);
const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { SupervisorMetrics } from './extension/core/metrics';",
        "export { ApprovalStore } from './extension/core/approvals';",
        "export { emptySupervisorState, newPaneMeta } from './extension/core/supervisor/paneMetadata';",
        "export { createMemoryLog } from './extension/core/observability/appLog';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-metrics-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'metrics.cjs'),
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(path.join(dir, 'metrics.cjs'));
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-metrics-'));
  try {
    const m = await bundle(dir);
    const now = new Date().toISOString();
    const states = ['working', 'awaiting_input', 'awaiting_approval', 'stalled', 'error'];
    const panes = Array.from({ length: PANES }, (_, i) => ({
      id: `pane-${i}`,
      branch: `feature/branch-${i % BRANCHES}`,
      state: states[i % states.length],
    }));
    const state = m.emptySupervisorState();
    state.orchestrator_heartbeat = now;
    for (const pane of panes) {
      // Keyed by pane id here: two panes share each branch, and both must be counted.
      const meta = m.newPaneMeta({ id: pane.id, agent: 'codex', branch: pane.branch }, now);
      meta.failure_streak = Number(pane.id.slice(5)) % 4;
      meta.recent_actions = Array.from({ length: 20 }, (_, k) => ({
        ts: now,
        action: 'command',
        detail: `step ${k}`,
      }));
      meta.queued_commands = Array.from({ length: 2 }, (_, k) => ({
        id: `${pane.id}-q${k}`,
        pane: pane.id,
        text: 'run the tests and fix what fails',
        kind: 'prompt',
        risk: 'low',
        requires_confirmation: false,
        source: 'supervisor',
        queued_at: now,
      }));
      state.panes[pane.id] = meta;
    }
    const store = new m.ApprovalStore({ approvalsDir: path.join(dir, 'approvals') });
    for (let i = 0; i < PENDING; i++) {
      await store.request({
        pane: `pane-${i}`,
        branch: panes[i].branch,
        agent: 'codex',
        kind: 'command',
        command: `npm publish --tag next-${i}`,
        risk: 'high',
        reasons: ['publishes a package'],
        source: 'fleet',
      });
    }
    const metrics = new m.SupervisorMetrics(store, m.createMemoryLog());
    metrics.attach({
      panes: () => panes,
      snapshot: () => structuredClone(state),
      onStateChange: () => ({ dispose() {} }),
      onDecided: () => ({ dispose() {} }),
      mcp: { aliases: () => ['docs', 'github', 'db'], state: () => 'connected' },
      heartbeatStaleMs: 15_000,
    });
    const server = await metrics.listen('127.0.0.1', 0, 'bench');
    if (server instanceof Error) throw server;

    // Prometheus scrapes seconds apart, so each scrape pays for a fresh copy of the state: the copy the exporter
    // keeps for 250 ms (one scrape's gauges share it) is dropped before every measured scrape.
    const body = await (await fetch(`${server.url}/metrics`)).text();
    const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const http = [];
    const registry = [];
    for (let i = 0; i < 20; i++) await (await fetch(`${server.url}/metrics`)).text();
    for (let i = 0; i < SCRAPES; i++) {
      metrics.cached = undefined;
      let t = performance.now();
      await (await fetch(`${server.url}/metrics`)).text();
      http.push(performance.now() - t);
      metrics.cached = undefined;
      t = performance.now();
      await metrics.metrics.scrape();
      registry.push(performance.now() - t);
    }
    await metrics.close();
    const result = {
      machine: machine(),
      panes: PANES,
      branches: BRANCHES,
      pendingApprovals: PENDING,
      scrapes: SCRAPES,
      series,
      bodyKiB: Buffer.byteLength(body) / 1024,
      http: { medianMs: median(http), p95Ms: quantile(http, 0.95) },
      registry: { medianMs: median(registry), p95Ms: quantile(registry, 0.95) },
    };
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`metrics scrape — ${result.machine}`);
    console.log(
      `${PANES} panes, ${BRANCHES} branches, ${PENDING} pending approvals: ${series} series, ${result.bodyKiB.toFixed(1)} KiB`,
    );
    console.log(
      `GET /metrics     median ${result.http.medianMs.toFixed(2)} ms  p95 ${result.http.p95Ms.toFixed(2)} ms  (${SCRAPES} scrapes)`,
    );
    console.log(
      `registry alone   median ${result.registry.medianMs.toFixed(2)} ms  p95 ${result.registry.p95Ms.toFixed(2)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchRows() {
  process.stderr.write('bench: metrics scrape (test/bench/metrics-scrape.mjs)\n');
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`test/bench/metrics-scrape.mjs exited ${run.status ?? run.signal}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  return [
    [
      `GET /metrics, ${r.panes} panes / ${r.branches} branches / ${r.pendingApprovals} pending (median, p95)`,
      `${r.http.medianMs.toFixed(2)} ms, p95 ${r.http.p95Ms.toFixed(2)} ms`,
      '< 100 ms',
      r.http.p95Ms < 100,
    ],
    [
      `  ${r.series} series, ${r.bodyKiB.toFixed(1)} KiB; registry alone (median)`,
      `${r.registry.medianMs.toFixed(2)} ms`,
      '',
      true,
    ],
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
