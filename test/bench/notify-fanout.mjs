// `node test/bench/notify-fanout.mjs`: notification fan-out latency (issue 8, "notification fan-out latency to
// three channels"). One Notifier with three remote channels — WeCom robot (markdown), Slack incoming webhook and a
// signed generic JSON webhook — against the local fake endpoints of test/fakes/notifyEndpoints.mjs (real HTTP over
// 127.0.0.1, in this process). For each approval event: from `notifier.notify()` to the moment the LAST of the
// three fakes has the whole request (the fan-out), and per channel. Sequential events (one in flight at a time), so
// the figure is latency, not throughput. Rate limit and de-duplication are set out of the way (each event is new).
// The notifier is bundled from extension/core with esbuild into a temp dir (Node 20 cannot import TypeScript).
// Figures: test-results/bench/notify-fanout.json, with the machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startFakeSlack, startFakeWebhook, startFakeWecom } from '../fakes/notifyEndpoints.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/notify-fanout.json');
const EVENTS = Number(process.env.BENCH_NOTIFY_EVENTS ?? 300);
const WARMUP = 20;
/** A person reads a phone in seconds; the fan-out itself should be a small part of that. */
const TARGET_P95_MS = 50;

const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { Notifier, wecomChannel, slackChannel, webhookChannel } from './extension/core/notify';",
        "export { createMemoryLog } from './extension/core/observability/appLog';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-notify-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'notify.cjs'),
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(path.join(dir, 'notify.cjs'));
}

/** Wraps a fake so each accepted request stamps the moment it was complete. */
function stamped(endpoint) {
  const arrivals = [];
  const push = endpoint.received.push.bind(endpoint.received);
  endpoint.received.push = (...items) => {
    for (let i = 0; i < items.length; i++) arrivals.push(performance.now());
    return push(...items);
  };
  return arrivals;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-notify-'));
  const endpoints = [];
  try {
    const core = await bundle(dir);
    const wecom = await startFakeWecom({ perMinute: Number.MAX_SAFE_INTEGER });
    const slack = await startFakeSlack();
    const hook = await startFakeWebhook();
    endpoints.push(wecom, slack, hook);
    const arrivals = { wecom: stamped(wecom), slack: stamped(slack), webhook: stamped(hook) };
    const log = core.createMemoryLog();
    const fixed = (url) => ({ describe: 'BENCH', read: () => url });
    const notifier = new core.Notifier({
      log,
      settings: {
        minLevel: 'critical',
        dedupeMs: 0,
        perMinute: 1e9,
        burst: 1e9,
        timeoutMs: 10_000,
        retryMinMs: 5_000,
        retryMaxMs: 60_000,
        dropSummaryMs: 60_000,
      },
      remote: [
        core.wecomChannel({ url: fixed(wecom.url()), msgtype: 'markdown' }),
        core.slackChannel({ url: fixed(slack.url()) }),
        core.webhookChannel({ url: fixed(hook.url()), secret: fixed('bench-secret') }),
      ],
      approvalFacts: (id) => Promise.resolve({ id, command: 'npm install left-pad@1.3.0', risk: 'medium' }),
    });
    await notifier.start();
    const fanout = [];
    const per = { wecom: [], slack: [], webhook: [] };
    for (let i = 0; i < WARMUP + EVENTS; i++) {
      const t0 = performance.now();
      notifier.notify({
        severity: 'warning',
        title: 'Approval needed (medium)',
        message: `bench wants to run: npm install left-pad@1.3.${i}`,
        pane: 'bench',
        approvalId: `b${i}`,
        requires_confirmation: true,
      });
      await Promise.all([wecom.waitFor(i + 1), slack.waitFor(i + 1), hook.waitFor(i + 1)]);
      await notifier.idle();
      if (i < WARMUP) continue;
      const at = { wecom: arrivals.wecom[i], slack: arrivals.slack[i], webhook: arrivals.webhook[i] };
      for (const k of Object.keys(per)) per[k].push(at[k] - t0);
      fanout.push(Math.max(at.wecom, at.slack, at.webhook) - t0);
    }
    notifier.close();
    const summary = (xs) => ({ median: median(xs), p95: quantile(xs, 0.95), max: Math.max(...xs) });
    const result = {
      machine: machine(),
      events: EVENTS,
      fanoutMs: summary(fanout),
      perChannelMs: Object.fromEntries(Object.entries(per).map(([k, xs]) => [k, summary(xs)])),
      targetP95Ms: TARGET_P95_MS,
      met: quantile(fanout, 0.95) < TARGET_P95_MS,
      degradedLines: log.lines.filter((l) => l.event === 'notify.channel.degraded').length,
    };
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`notification fan-out to 3 channels (${EVENTS} events) — ${result.machine}`);
    console.log(
      `  event -> all three received: median ${result.fanoutMs.median.toFixed(2)} ms, p95 ${result.fanoutMs.p95.toFixed(2)} ms, max ${result.fanoutMs.max.toFixed(2)} ms`,
    );
    for (const [k, s] of Object.entries(result.perChannelMs)) {
      console.log(`  ${k.padEnd(8)} median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms`);
    }
  } finally {
    await Promise.all(endpoints.map((e) => e.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For test/bench/run.mjs: runs this bench in a child and returns its table rows [name, value, target, ok]. */
export function benchRows() {
  process.stderr.write('bench: notification fan-out (test/bench/notify-fanout.mjs)\n');
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`test/bench/notify-fanout.mjs exited ${run.status ?? run.signal}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  return [
    [
      'notification fan-out to WeCom + Slack + webhook fakes (p95)',
      `${r.fanoutMs.p95.toFixed(2)} ms (median ${r.fanoutMs.median.toFixed(2)} ms)`,
      `< ${TARGET_P95_MS} ms`,
      r.met,
    ],
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
