// The pane runtime's performance figures, measured for real: a real pty (node-pty), real child processes, the
// real SupervisedPane -> headless xterm -> StateTracker path with the shipped Codex profile (agents-config/codex.json
// through loadProfiles + toRuntimeProfile). Nothing is mocked.
//   1. approval detection latency: a scripted agent works (Codex-like redraws), then draws the Codex approval prompt;
//      from the moment it writes the prompt bytes to the `pane.state` -> awaiting_approval event. p50 / p95.
//   2. ingestion throughput: the same recorded-like Codex output (>= 20 MB) parsed by a bare @xterm/headless
//      Terminal vs sent through the full path (`cat` on a pty -> Pane -> screen -> tracker). MB/s and the ratio.
//   3. a fleet: 20 panes, each streaming 100 KiB/s for 10 s with a full 10,000-line scrollback: CPU share of one
//      core used by this process (children excluded), memory per pane, and detection latency under that load.
// Node 20 cannot import TypeScript, so the pane modules are bundled with esbuild first (node-pty stays external).
// Each part runs in its own `node --expose-gc` process, so one part's garbage does not weigh on the next.
//   node test/bench/panes.mjs      -> prints a table, writes test-results/bench-panes.json (about a minute)
// test/bench/run.mjs runs it too and adds its rows to the main table. For work on this file:
// BENCH_PANES_PARTS=latency,ingest (a subset: prints its JSON, no table) and BENCH_PANES_KEEP=1 (keep the temp dir).
// Figures on a shared 2-core machine move with the load of other processes (the load average is printed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { COLS, ROWS, CodexStream, codexSession, fixtureFrame, loadCodexScreens } from './panesData.mjs';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), '../..');
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));

const SCROLLBACK = 10_000;
const LATENCY_ROUNDS = 200;
const LATENCY_WARMUP = 10;
const INGEST_BYTES = 24e6;
const INGEST_RUNS = 5;
const FLEET_PANES = 20;
const FLEET_RATE = 100 * 1024; // bytes per second per pane
const FLEET_SECONDS = 10;
const FLEET_FILL_BYTES = 3.5e6; // ~12,800 scrolled lines of this stream: more than the 10,000-line scrollback
const LOADED_LATENCY_ROUNDS = 100;

const log = (message) => process.stderr.write(`bench-panes: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => process.hrtime.bigint();
const msBetween = (t0, t1) => Number(t1 - t0) / 1e6;
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const median = (xs) => percentile(xs, 50);
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Scripted agents (real processes on the pty). Both run behind `stty raw -echo`, as a TUI in raw mode does, so the
// bytes they write reach the pane unchanged (no "\n" -> "\r\n" translation).

/** Works when told ("w": back to the working screen; "a": a few working frames, then the approval prompt). */
const LATENCY_AGENT = `
const fs = require('node:fs');
const [framesFile, stampFile] = process.argv.slice(2);
const frames = JSON.parse(fs.readFileSync(framesFile, 'utf8'));
const out = (s) => process.stdout.write(s); // synchronous on a tty: returns once the bytes are in the pty
let tick = 0;
let round = 0;
const next = () => frames.ticks[tick++ % frames.ticks.length];
out(frames.reset);
process.stdin.on('data', (d) => {
  for (const ch of d.toString()) {
    if (ch === 'w') out(frames.reset + next());
    else if (ch === 'a') {
      const r = ++round;
      let left = 2 + Math.floor(Math.random() * 5);
      const step = () => {
        if (left-- > 0) {
          out(next());
          setTimeout(step, 2 + Math.random() * 8);
          return;
        }
        // The clock is CLOCK_MONOTONIC, shared by all processes of the machine: comparable with the bench's.
        const t0 = process.hrtime.bigint();
        out(frames.approval);
        fs.writeFileSync(stampFile, r + ' ' + t0);
      };
      step();
    } else if (ch === 'q') process.exit(0);
  }
});
`;

/** Writes `fill` bytes of the session at once, then streams it at `rate` bytes/s after "s" ("p" pauses). */
const STREAM_AGENT = `
const fs = require('node:fs');
const [file, offsetArg, fillArg, rateArg] = process.argv.slice(2);
const data = fs.readFileSync(file);
const rate = Number(rateArg);
let pos = Math.max(0, data.indexOf('\\u001b[?25l', Number(offsetArg) % data.length)); // a frame start
const take = (n) => {
  const parts = [];
  while (n > 0) {
    const end = Math.min(data.length, pos + n);
    parts.push(data.subarray(pos, end));
    n -= end - pos;
    pos = end % data.length;
  }
  return Buffer.concat(parts);
};
const out = (b) => process.stdout.write(b);
out(take(Number(fillArg)));
out('\\u001b]777;fleetbench-filled\\u0007');
let timer;
process.stdin.on('data', (d) => {
  for (const ch of d.toString()) {
    if (ch === 's' && !timer) {
      const t0 = performance.now();
      let sent = 0;
      timer = setInterval(() => {
        const due = Math.floor((rate * (performance.now() - t0)) / 1000);
        if (due > sent) out(take(due - sent));
        sent = Math.max(sent, due);
      }, 20);
    } else if (ch === 'p') {
      clearInterval(timer);
      timer = undefined;
    } else if (ch === 'q') process.exit(0);
  }
});
`;

/** `sh -c 'stty raw -echo; exec "$0" "$@"' program args...` */
const rawPty = (program, args) => ({
  command: '/bin/sh',
  args: ['-c', 'stty raw -echo; exec "$0" "$@"', program, ...args],
});

// ---------------------------------------------------------------------------------------------------------------
// The orchestrator: bundle, generate the bytes, run each part in its own process, print and save the figures.

async function main() {
  const started = Date.now();
  const machineBefore = machineInfo();
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-panes-'));
  try {
    const { build } = await import('esbuild');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const nodePty = requireFromRepo.resolve('node-pty');
    // The same options as extension/build/bundle.mjs, but not minified, so that the CPU profiles name functions.
    await build({
      stdin: {
        contents: [
          "export { SupervisedPane } from './extension/core/panes/supervisedPane';",
          "export { nodePtyHost } from './extension/core/panes/ptyHost';",
          "export { HeadlessScreen } from './extension/core/panes/headlessScreen';",
          "export { loadProfiles } from './extension/core/agents/profiles';",
          "export { toRuntimeProfile } from './extension/core/agents/runtimeProfile';",
          "export { createMemoryLog } from './extension/core/observability/appLog';",
          "export { Terminal } from '@xterm/headless';",
        ].join('\n'),
        resolveDir: repoRoot,
        loader: 'ts',
        sourcefile: 'bench-panes-entry.ts',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: path.join(dir, 'core.cjs'),
      mainFields: ['module', 'main'],
      define: { FLEETAI_VERSION: JSON.stringify(pkg.version) },
      logLevel: 'warning',
      plugins: [
        {
          // node-pty is native and stays external; point at the repository's copy, the bundle lives in a temp dir.
          name: 'node-pty-external',
          setup(b) {
            b.onResolve({ filter: /^node-pty$/ }, () => ({ path: nodePty, external: true }));
          },
        },
      ],
    });

    const screens = loadCodexScreens(repoRoot);
    const session = codexSession(screens, INGEST_BYTES);
    writeFileSync(path.join(dir, 'session.txt'), session);
    const gen = new CodexStream({ seed: 3, screens });
    writeFileSync(
      path.join(dir, 'frames.json'),
      JSON.stringify({
        reset: gen.layout(),
        ticks: Array.from({ length: 200 }, () => gen.tick()),
        approval: fixtureFrame(screens.approval),
        approvalCommand: screens.approval.lines.map((l) => /^\s*\$ (.+)$/.exec(l)?.[1]).find(Boolean),
      }),
    );
    writeFileSync(path.join(dir, 'latency-agent.cjs'), LATENCY_AGENT);
    writeFileSync(path.join(dir, 'stream-agent.cjs'), STREAM_AGENT);
    log(
      `bundled the pane runtime and generated ${(Buffer.byteLength(session) / 1e6).toFixed(1)} MB of Codex output`,
    );

    const results = {};
    for (const phase of (process.env.BENCH_PANES_PARTS ?? 'latency,ingest,fleet').split(',')) {
      const r = spawnSync(process.execPath, ['--expose-gc', thisFile, `--phase=${phase}`, `--dir=${dir}`], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (r.status !== 0)
        throw new Error(`bench-panes: part "${phase}" failed (exit ${r.status ?? r.signal})`);
      results[phase] = JSON.parse(readFileSync(path.join(dir, `${phase}.json`), 'utf8'));
    }
    if (results.latency && results.ingest && results.fleet)
      report(results, (Date.now() - started) / 1000, machineBefore);
    else console.log(JSON.stringify(results, (k, v) => (k === 'samples' ? undefined : v), 2));
  } finally {
    if (process.env.BENCH_PANES_KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function machineInfo() {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${process.platform}-${process.arch} ${release()}, load average ${load}`;
}

function report({ latency, ingest, fleet }, seconds, machineBefore) {
  const xtermVersion = JSON.parse(
    readFileSync(
      path.join(path.dirname(requireFromRepo.resolve('@xterm/headless')), '../package.json'),
      'utf8',
    ),
  ).version;
  const ms = (x) => `${x.toFixed(1)} ms`;
  const mib = (x) => `${(x / MiB).toFixed(1)} MiB`;
  const mbps = (x) => `${x.mbps.toFixed(1)} MB/s`;
  const perPane = fleet.memoryPerPane;
  const loaded = fleet.loadedLatency;
  const rows = [
    [
      `approval detection, Codex rules, real pty: p50 (${latency.samples.length} runs)`,
      ms(latency.p50),
      '',
      true,
    ],
    ['  p95', ms(latency.p95), '< 50 ms', latency.p95 < 50],
    ['  max', ms(latency.max), '', true],
    [
      `  with ${FLEET_PANES} panes streaming: p50 / p95 (${loaded.samples.length} runs)`,
      `${ms(loaded.p50)} / ${ms(loaded.p95)}`,
      '',
      true,
    ],
    [
      `ingestion ${(ingest.bytes / 1e6).toFixed(0)} MB, bare @xterm/headless ${xtermVersion} (median of ${INGEST_RUNS})`,
      mbps(ingest.bare),
      '',
      true,
    ],
    ['  pty -> bare xterm, no FleetAI code (transport alone)', mbps(ingest.ptyBare), '', true],
    [
      '  full path: pty -> Pane -> screen -> tracker',
      `${mbps(ingest.full)} (${ingest.full.evaluations} evaluations)`,
      '',
      true,
    ],
    [
      '  ratio full / bare (medians; fastest runs in brackets)',
      `${ingest.ratio.toFixed(2)} (${ingest.ratioBest.toFixed(2)})`,
      '>= 0.8',
      ingest.ratio >= 0.8,
    ],
    [
      '  ratio full / (pty -> bare xterm), FleetAI code alone',
      `${ingest.ratioToPty.toFixed(2)} (${ingest.ratioToPtyBest.toFixed(2)})`,
      '',
      true,
    ],
    ['  full path + transcript (informative)', mbps(ingest.withTranscript), '', true],
    [
      `${FLEET_PANES} panes x ${FLEET_RATE / 1024} KiB/s, ${fleet.seconds.toFixed(0)} s: CPU of one core (this process)`,
      `${fleet.cpuPercent.toFixed(1)} %`,
      '< 25 %',
      fleet.cpuPercent < 25,
    ],
    [
      '  tracker evaluations / pty chunks per second (all panes)',
      `${fleet.evaluationsPerSecond.toFixed(0)} / ${fleet.ptyChunksPerSecond.toFixed(0)}`,
      '',
      true,
    ],
    [
      '  evaluations that saw an unchanged screen',
      `${(fleet.unchangedScreenEvaluations * 100).toFixed(0)} %`,
      '',
      true,
    ],
    ['  event loop delay p99', ms(fleet.eventLoopDelayP99), '', true],
    [
      `memory per pane, full ${SCROLLBACK}-line scrollback, ${COLS}x${ROWS} (heap + external)`,
      mib(perPane.live),
      '< 10 MB',
      perPane.live < 10e6,
    ],
    ['  of which xterm cell arrays (ArrayBuffers)', mib(perPane.arrayBuffers), '', true],
    ['  RSS delta per pane', mib(perPane.rss), '', true],
  ];
  const machine = machineInfo();
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nFleetAI pane runtime benchmark — ${machine}; took ${seconds.toFixed(0)} s\n`);
  console.log(`${'figure'.padEnd(w)}  ${'measured'.padEnd(26)}  target`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(26)}  ------`);
  for (const [name, value, target, ok] of rows) {
    console.log(
      `${name.padEnd(w)}  ${value.padEnd(26)}  ${target}${target ? (ok ? '  ok' : '  MISSED') : ''}`,
    );
  }
  const where = (title, p) =>
    `  ${title}: ${p.busyMs.toFixed(0)} ms busy of ${p.wallMs.toFixed(0)} ms on the main thread — ${p.parts
      .filter((x) => x.percent >= 1)
      .map((x) => `${x.category} ${x.percent.toFixed(0)}%`)
      .join(', ')}`;
  console.log('\nwhere the main thread goes (CPU profile, by the FleetAI frame on the stack)');
  console.log(where('full-path ingestion run', ingest.profile));
  console.log(where(`${FLEET_PANES} panes streaming, 3 s`, fleet.profile));
  mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  writeFileSync(
    path.join(repoRoot, 'test-results/bench-panes.json'),
    `${JSON.stringify({ machine, machineBefore, xtermVersion, seconds, rows, latency, ingest, fleet }, null, 2)}\n`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The parts, each in its own process.

function loadCore(dir) {
  return createRequire(thisFile)(path.join(dir, 'core.cjs'));
}

async function codexProfile(core) {
  const { profiles, problems } = await core.loadProfiles({
    builtinDir: path.join(repoRoot, 'agents-config'),
  });
  const codex = profiles.get('codex');
  if (!codex) throw new Error(`no codex profile: ${JSON.stringify(problems)}`);
  return core.toRuntimeProfile(codex);
}

function supervised(core, profile, dir, id, agent, extra = {}) {
  return new core.SupervisedPane({
    id,
    ...agent,
    cwd: dir,
    cols: COLS,
    rows: ROWS,
    scrollback: SCROLLBACK,
    profile,
    ptyHost: core.nodePtyHost(),
    log: core.createMemoryLog(),
    ...extra,
  });
}

function screenText(sp) {
  return `state ${sp.state.name}\n${sp.pane
    .snapshot()
    .lines.filter((l) => l.trim())
    .join('\n')}`;
}

/** Waits for the next transition of `sp` into `to`; resolves with the hrtime at which the event fired. */
function nextState(sp, to, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(
        new Error(`pane ${sp.id}: no transition to ${to} within ${timeoutMs} ms; screen:\n${screenText(sp)}`),
      );
    }, timeoutMs);
    const sub = sp.onState((event) => {
      const t = now();
      if (event.to !== to) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(t);
    });
  });
}

async function readStamp(file, round) {
  for (let i = 0; i < 5000; i++) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    const [r, t] = text.split(' ');
    if (Number(r) === round) return BigInt(t);
    await sleep(1);
  }
  throw new Error(`no timestamp for round ${round} in ${file}`);
}

/** Rounds of: back to working, then a few working frames and the approval prompt; the prompt-to-event times. */
async function approvalRounds(core, profile, dir, id, rounds, warmup) {
  const stampFile = path.join(dir, `${id}.stamp`);
  const sp = supervised(
    core,
    profile,
    dir,
    id,
    rawPty(process.execPath, [path.join(dir, 'latency-agent.cjs'), path.join(dir, 'frames.json'), stampFile]),
  );
  const samples = [];
  try {
    for (let round = 1; round <= warmup + rounds; round++) {
      const working = nextState(sp, 'working');
      sp.pane.write('w');
      await working;
      const approval = nextState(sp, 'awaiting_approval');
      sp.pane.write('a');
      const t1 = await approval;
      const t0 = await readStamp(stampFile, round);
      if (round > warmup) samples.push(msBetween(t0, t1));
    }
    const { approvalCommand } = JSON.parse(readFileSync(path.join(dir, 'frames.json'), 'utf8'));
    if (sp.state.approval?.kind !== 'command' || sp.state.approval.command !== approvalCommand)
      throw new Error(`the approval was not parsed: ${JSON.stringify(sp.state)}`);
  } finally {
    await sp.dispose();
  }
  return {
    samples: samples.map((x) => Math.round(x * 1000) / 1000),
    p50: median(samples),
    p95: percentile(samples, 95),
    max: Math.max(...samples),
  };
}

async function phaseLatency(dir) {
  const core = loadCore(dir);
  const profile = await codexProfile(core);
  const result = await approvalRounds(core, profile, dir, 'latency', LATENCY_ROUNDS, LATENCY_WARMUP);
  log(
    `detection latency: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms over ${result.samples.length} runs`,
  );
  return result;
}

/**
 * Where the CPU time of a profile went, by what each sample was doing for FleetAI: its stack is walked from the
 * leaf up and the first telling frame names it (bundle modules are told apart by esbuild's "// path" markers).
 */
function categorize(profile, bundleFile) {
  const starts = [];
  readFileSync(bundleFile, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(line);
      if (m) starts.push([i, m[1]]);
    });
  const moduleAt = (line) => {
    let name = '';
    for (const [start, file] of starts) {
      if (start > line) break;
      name = file;
    }
    return name;
  };
  const frameKind = ({ url, functionName, lineNumber }) => {
    if (!url) return functionName;
    if (url.includes('node-pty')) return 'pty';
    if (url.startsWith('node:')) return 'node';
    if (!url.endsWith('core.cjs')) return 'bench';
    const m = moduleAt(lineNumber);
    if (m.includes('@xterm/headless')) return 'xterm';
    if (m.endsWith('headlessScreen.ts') && (functionName === 'snapshot' || functionName === 'tail'))
      return 'snapshot';
    if (m.endsWith('stateTracker.ts')) return 'tracker';
    return 'fleetai';
  };
  const LABELS = {
    snapshot: 'screen snapshot for the tracker (translateToString)',
    tracker: 'state tracker (rules, progress key)',
    xterm: 'xterm parse + buffer (incl. scrolling)',
    pty: 'pty read + UTF-8 decode (node-pty, Node streams)',
    node: 'pty read + UTF-8 decode (node-pty, Node streams)',
    fleetai: 'Pane / SupervisedPane / emitters',
    bench: 'bench bookkeeping',
    '(garbage collector)': 'V8 garbage collector',
    '(program)': 'V8/native (program)',
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map();
  const classify = (id) => {
    if (cache.has(id)) return cache.get(id);
    let label = 'other';
    // Tracker and snapshot outrank the xterm code they call; xterm outranks the node stream code around it.
    const kinds = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur))
      kinds.push(frameKind(byId.get(cur).callFrame));
    const leaf = kinds[0];
    if (leaf === '(idle)') label = 'idle';
    else if (leaf === '(garbage collector)' || leaf === '(program)') label = LABELS[leaf];
    else {
      const first = ['snapshot', 'tracker', 'xterm', 'fleetai', 'pty', 'node', 'bench'].find((k) =>
        kinds.includes(k),
      );
      label = first ? LABELS[first] : 'other';
    }
    cache.set(id, label);
    return label;
  };
  const totals = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the gap to the next one.
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    const label = classify(samples[i]);
    totals.set(label, (totals.get(label) ?? 0) + ms);
  }
  const busy = [...totals.entries()].filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy,
    idleMs: totals.get('idle') ?? 0,
    parts: [...totals.entries()]
      .filter(([k]) => k !== 'idle')
      .map(([category, ms]) => ({ category, ms, percent: (100 * ms) / busy }))
      .sort((a, b) => b.ms - a.ms),
  };
}

async function withProfile(fn) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  let failure;
  try {
    await fn();
  } catch (error) {
    failure = error;
  }
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  if (failure) throw failure;
  return profile;
}

async function phaseIngest(dir) {
  const core = loadCore(dir);
  const profile = await codexProfile(core);
  const file = path.join(dir, 'session.txt');
  const text = readFileSync(file, 'utf8');
  const bytes = Buffer.byteLength(text);
  const terminalOptions = { cols: COLS, rows: ROWS, scrollback: SCROLLBACK, allowProposedApi: true };
  // `cat` stays out of the exit path: node-pty on Linux drops the last pty buffers of a process that exits right
  // after a burst (~8-13 KB here), so the shell keeps the terminal open until the pane is disposed.
  const catOnPty = { command: '/bin/sh', args: ['-c', 'stty raw -echo; cat "$0"; exec sleep 600', file] };
  let chunkSizes = [];

  // What both paths must agree on: the page, and the last 500 logical lines (soft-wrapped rows joined).
  // FleetAI keeps older lines as text outside xterm (HeadlessScreen's history), so xterm's own row counts differ.
  const COMPARED_LINES = 500;
  const screenOf = (terminal) => {
    const b = terminal.buffer.active;
    const lines = [];
    let current;
    for (let y = b.length - 1; y >= 0 && lines.length < COMPARED_LINES + 1; y--) {
      const row = b.getLine(y);
      current = current === undefined ? row.translateToString(false) : row.translateToString(false) + current;
      if (!row.isWrapped) {
        lines.push(current.replace(/ +$/, ''));
        current = undefined;
      }
    }
    while (lines.length && lines[0] === '') lines.shift();
    const page = [];
    for (let r = 0; r < ROWS; r++)
      page.push((b.getLine(b.baseY + r)?.translateToString(true) ?? '').replace(/ +$/, ''));
    return JSON.stringify({ tail: lines.slice(0, COMPARED_LINES).reverse(), page });
  };
  const paneScreenOf = (screen) =>
    JSON.stringify({ tail: screen.tail(COMPARED_LINES), page: screen.snapshot().lines });

  // (a) a bare terminal, fed from memory: the same writes as the pty delivered in the warm-up run.
  const bare = async () => {
    const terminal = new core.Terminal(terminalOptions);
    const t0 = now();
    let offset = 0;
    for (const size of chunkSizes) {
      terminal.write(text.slice(offset, offset + size));
      offset += size;
    }
    await new Promise((resolve) => terminal.write('', resolve));
    const ms = msBetween(t0, now());
    const screen = screenOf(terminal);
    terminal.dispose();
    return { ms, screen };
  };

  // (c) the transport alone: the same pty, straight into a bare terminal, no FleetAI code in between.
  const ptyBare = () =>
    new Promise((resolve) => {
      const terminal = new core.Terminal(terminalOptions);
      const child = core.nodePtyHost().spawn(catOnPty.command, catOnPty.args, {
        cwd: dir,
        env: process.env,
        cols: COLS,
        rows: ROWS,
        name: 'xterm-256color',
      });
      let received = 0;
      let t0;
      child.onData((data) => {
        t0 ??= now();
        terminal.write(data);
        received += data.length;
        if (received < text.length) return;
        terminal.write('', () => {
          const ms = msBetween(t0, now());
          child.kill();
          terminal.dispose();
          resolve({ ms });
        });
      });
    });

  // (b) the full path: `cat` on a real pty -> Pane -> HeadlessScreen -> StateTracker (Codex rules) via SupervisedPane.
  const full = async (transcriptDir) => {
    const sizes = [];
    let received = 0;
    let t0;
    let lastByte;
    const done = new Promise((resolve) => (lastByte = resolve));
    const sp = supervised(core, profile, dir, 'ingest', catOnPty, transcriptDir ? { transcriptDir } : {});
    const transitions = [];
    sp.onState((e) => transitions.push(e.to));
    let evaluations = 0;
    const observe = sp.tracker.observe.bind(sp.tracker);
    sp.tracker.observe = (snapshot) => {
      evaluations++;
      observe(snapshot);
    };
    sp.pane.onData((data) => {
      t0 ??= now();
      sizes.push(data.length);
      received += data.length;
      if (received >= text.length) lastByte();
    });
    await done;
    // The last write callback, then the tracker's evaluation of the last screen (scheduled before or just after).
    await sp.pane.whenParsed();
    await sp.pane.whenParsed();
    const t1 = now();
    const screen = paneScreenOf(sp.pane.screen);
    await sp.dispose();
    const t2 = now();
    return {
      ms: msBetween(t0, t1),
      msUntilClosed: msBetween(t0, t2),
      received,
      sizes,
      transitions,
      evaluations,
      screen,
    };
  };

  log('ingestion: warm-up run through the full path');
  const warm = await full();
  if (warm.received !== text.length)
    throw new Error(`the pty delivered ${warm.received} of ${text.length} chars`);
  chunkSizes = warm.sizes;
  const runs = { bare: [], ptyBare: [], full: [] };
  for (let i = 0; i < INGEST_RUNS; i++) {
    runs.bare.push(await bare());
    runs.ptyBare.push(await ptyBare());
    runs.full.push(await full());
    log(
      `ingestion run ${i + 1}/${INGEST_RUNS}: bare ${runs.bare[i].ms.toFixed(0)} ms, pty + bare ${runs.ptyBare[i].ms.toFixed(0)} ms, full ${runs.full[i].ms.toFixed(0)} ms`,
    );
  }
  // Same bytes, same size: both must end on the same page and the same recent lines.
  if (runs.bare[0].screen !== runs.full[0].screen)
    throw new Error(
      `bare and full path ended on different buffers:\n${runs.bare[0].screen}\n---\n${runs.full[0].screen}`,
    );

  const withTranscript = await full(path.join(dir, 'transcripts'));
  let profiled;
  const cpuProfile = await withProfile(async () => {
    profiled = await full();
  });
  const mbps = (ms) => bytes / 1e6 / (ms / 1000);
  const summary = (list) => {
    const ms = median(list.map((r) => r.ms));
    const best = Math.min(...list.map((r) => r.ms));
    return {
      runsMs: list.map((r) => r.ms),
      medianMs: ms,
      mbps: mbps(ms),
      bestMs: best,
      bestMbps: mbps(best),
    };
  };
  const result = {
    bytes,
    chars: text.length,
    chunks: {
      count: chunkSizes.length,
      meanChars: text.length / chunkSizes.length,
      maxChars: Math.max(...chunkSizes),
    },
    bare: summary(runs.bare),
    ptyBare: summary(runs.ptyBare),
    full: {
      ...summary(runs.full),
      evaluations: median(runs.full.map((r) => r.evaluations)),
      transitions: runs.full[0].transitions.length,
    },
    withTranscript: {
      ms: withTranscript.ms,
      msUntilClosed: withTranscript.msUntilClosed,
      mbps: mbps(withTranscript.ms),
    },
    profiledRunMs: profiled.ms,
    profile: categorize(cpuProfile, path.join(dir, 'core.cjs')),
  };
  result.ratio = result.full.mbps / result.bare.mbps;
  result.ratioToPty = result.full.mbps / result.ptyBare.mbps;
  // The fastest run of each: what the machine does when nothing else (another process, a GC) gets in the way.
  result.ratioBest = result.full.bestMbps / result.bare.bestMbps;
  result.ratioToPtyBest = result.full.bestMbps / result.ptyBare.bestMbps;
  log(
    `ingestion: bare ${result.bare.mbps.toFixed(1)} MB/s, pty + bare ${result.ptyBare.mbps.toFixed(1)} MB/s, full ${result.full.mbps.toFixed(1)} MB/s, ratio ${result.ratio.toFixed(2)}`,
  );
  return result;
}

async function memory() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await sleep(50);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function phaseFleet(dir) {
  const core = loadCore(dir);
  const profile = await codexProfile(core);
  const session = path.join(dir, 'session.txt');
  const sessionBytes = readFileSync(session).length;
  const agent = (i, fill) =>
    rawPty(process.execPath, [
      path.join(dir, 'stream-agent.cjs'),
      session,
      String(Math.floor((i * sessionBytes) / FLEET_PANES)),
      String(fill),
      String(FLEET_RATE),
    ]);
  const filled = (sp) =>
    new Promise((resolve) => {
      let tail = '';
      const sub = sp.pane.onData((data) => {
        const seen = tail + data;
        if (seen.includes('fleetbench-filled')) {
          sub.dispose();
          resolve();
        }
        tail = seen.slice(-32);
      });
    });

  // Warm-up: node-pty loaded, code compiled, so that the baseline holds everything but the panes.
  const warm = supervised(core, profile, dir, 'warm', agent(0, 200_000));
  await filled(warm);
  await warm.pane.whenParsed();
  await warm.dispose();
  const base = await memory();

  log(`fleet: ${FLEET_PANES} panes filling their ${SCROLLBACK}-line scrollback`);
  const panes = [];
  const ready = [];
  for (let i = 0; i < FLEET_PANES; i++) {
    const sp = supervised(core, profile, dir, `pane-${i + 1}`, agent(i, FLEET_FILL_BYTES));
    panes.push(sp);
    ready.push(filled(sp).then(() => sp.pane.whenParsed()));
  }
  let received = 0;
  let chunks = 0;
  let evaluations = 0;
  // During the profiled window only: how many evaluations see the very screen the previous one saw.
  let countRepeats = false;
  let repeats = 0;
  let repeatsOf = 0;
  for (const sp of panes) {
    sp.pane.onData((data) => {
      received += data.length;
      chunks++;
    });
    const observe = sp.tracker.observe.bind(sp.tracker);
    let previous;
    sp.tracker.observe = (snapshot) => {
      evaluations++;
      if (countRepeats) {
        repeatsOf++;
        const same =
          previous !== undefined &&
          previous.title === snapshot.title &&
          previous.cursorRow === snapshot.cursorRow &&
          previous.lines.every((line, i) => line === snapshot.lines[i]);
        if (same) repeats++;
        previous = snapshot;
      }
      observe(snapshot);
    };
  }
  await Promise.all(ready);
  const bufferRows = panes.map((sp) => sp.pane.screen.tail(SCROLLBACK + ROWS).length);
  if (bufferRows.some((n) => n < SCROLLBACK))
    throw new Error(`scrollback not full: ${bufferRows.join(', ')}`);
  const afterFill = await memory();

  log(`fleet: streaming ${FLEET_RATE / 1024} KiB/s into each of ${FLEET_PANES} panes for ${FLEET_SECONDS} s`);
  for (const sp of panes) sp.pane.write('s');
  await sleep(1000);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const r0 = received;
  const k0 = chunks;
  const e0 = evaluations;
  const c0 = process.cpuUsage();
  const w0 = now();
  await sleep(FLEET_SECONDS * 1000);
  const cpu = process.cpuUsage(c0);
  const wallMs = msBetween(w0, now());
  const streamed = received - r0;
  const evaluated = evaluations - e0;
  const chunked = chunks - k0;
  loop.disable();
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  log(
    `fleet: ${cpuPercent.toFixed(1)} % of one core, ${(((streamed / wallMs) * 1000) / MiB).toFixed(2)} MiB/s received`,
  );

  log(`fleet: approval detection latency while the ${FLEET_PANES} panes stream`);
  const loadedLatency = await approvalRounds(core, profile, dir, 'loaded', LOADED_LATENCY_ROUNDS, 5);
  countRepeats = true;
  const cpuProfile = await withProfile(() => sleep(3000));
  countRepeats = false;
  const states = panes.map((sp) => sp.state.name);

  for (const sp of panes) sp.pane.write('p');
  await sleep(200);
  await Promise.all(panes.map((sp) => sp.pane.whenParsed()));
  const afterStreaming = await memory();
  const perPane = (m) => ({
    live: (m.heapUsed + m.external - base.heapUsed - base.external) / FLEET_PANES,
    heapUsed: (m.heapUsed - base.heapUsed) / FLEET_PANES,
    external: (m.external - base.external) / FLEET_PANES,
    arrayBuffers: (m.arrayBuffers - base.arrayBuffers) / FLEET_PANES,
    rss: (m.rss - base.rss) / FLEET_PANES,
  });
  await Promise.all(panes.map((sp) => sp.dispose()));
  const result = {
    panes: FLEET_PANES,
    rateBytesPerSecond: FLEET_RATE,
    seconds: wallMs / 1000,
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
    cpuPercent,
    receivedMiBPerSecond: ((streamed / wallMs) * 1000) / MiB,
    evaluationsPerSecond: (evaluated / wallMs) * 1000,
    ptyChunksPerSecond: (chunked / wallMs) * 1000,
    unchangedScreenEvaluations: repeats / repeatsOf,
    eventLoopDelayP99: loop.percentile(99) / 1e6,
    eventLoopDelayMax: loop.max / 1e6,
    bufferRows,
    states,
    memory: { base, afterFill, afterStreaming },
    memoryPerPaneAfterFill: perPane(afterFill),
    memoryPerPane: perPane(afterStreaming),
    loadedLatency,
    profile: categorize(cpuProfile, path.join(dir, 'core.cjs')),
  };
  log(
    `fleet: memory per pane ${(result.memoryPerPane.live / MiB).toFixed(1)} MiB (heap + external), RSS ${(result.memoryPerPane.rss / MiB).toFixed(1)} MiB; loaded latency p95 ${loadedLatency.p95.toFixed(1)} ms`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------------------------

const phaseArg = process.argv.find((a) => a.startsWith('--phase='))?.slice('--phase='.length);
const dirArg = process.argv.find((a) => a.startsWith('--dir='))?.slice('--dir='.length);
if (phaseArg && dirArg) {
  if (typeof globalThis.gc !== 'function') throw new Error('run the parts with node --expose-gc');
  const phases = { latency: phaseLatency, ingest: phaseIngest, fleet: phaseFleet };
  const result = await phases[phaseArg](dirArg);
  writeFileSync(path.join(dirArg, `${phaseArg}.json`), JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
