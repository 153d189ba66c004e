// The supervisor's performance figures, measured for real.
//   1. tick: the Orchestrator over a scripted in-memory FleetPort of 100 panes in a realistic mix of states
//      (working, awaiting_input, stalled, error retried by the agent or waiting out FleetAI's backoff,
//      awaiting_approval, exited), with an in-memory ApprovalsPort and state store: the supervisor's own CPU cost,
//      not the disk's. p50/p95/p99 of `orchestrator.tick()`, the cost of one state change handled (the
//      onPaneState path), a state save (snapshot + schema + JSON), and a tick that nudges a hung agent.
//   2. store: the workspace ApprovalStore on this disk (lock, read, fsync'd atomic writes), each step alone.
//   3. round trip: a real `fleet orchestrator` (dist/cli.js) in a temp workspace, one `aider` pane running the
//      scripted agent test/bench/approvalAgent.cjs, which asks `(Y)es/(N)o` and stamps the moment it asked and
//      the moment the key came. Per round: (a) prompt on screen -> request pending in
//      .fleetai/state/approvals/pending.json; (b) `fleet approvals:approve ID` started as a new process -> the
//      agent has the key; the same decision sent over the control socket from a running process (what (b) costs
//      without starting the CLI); `node dist/cli.js --version`, a bare `node -e ""` and the compile time of the
//      bundle for scale. Then the shipped aider profile as it is: an edit question (no command to read, so the
//      supervisor's 600 ms settle applies) and a "Run shell command?" whose command it cannot read.
// The core is bundled with esbuild into a temp dir (Node 20 cannot import TypeScript); part 3 runs the built CLI,
// so run `node extension/build/bundle.mjs` (or `npm run vscode:prepublish`) first.
//   node test/bench/supervisor.mjs   -> prints a table, writes test-results/bench/supervisor.json (about 2 min)
// BENCH_SUPERVISOR_PARTS=tick,store,roundtrip (a subset prints its JSON, no table), BENCH_SUPERVISOR_ROUNDS=N
// (default 30), BENCH_SUPERVISOR_KEEP=1 keeps the temp dir. On a shared 2-core machine the figures move with the
// load of other processes: the load average is printed before and after.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KINDS,
  countingLog,
  memoryApprovals,
  memoryStateStore,
  recordedStates,
  scriptedFleet,
} from './supervisorFleet.mjs';
import { writeApprovalAgentWorkspace } from './approvalAgentWorkspace.mjs';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), '../..');
const cli = path.join(repoRoot, 'dist/cli.js');
const resultFile = path.join(repoRoot, 'test-results/bench/supervisor.json');

const TICKS = Number(process.env.BENCH_SUPERVISOR_TICKS ?? 2000);
const TICK_WARMUP = 300;
const EVENTS = 2000;
const EVENT_WARMUP = 400;
const SAVES = 100;
const STORE_OPS = 30;
const ROUNDS = Number(process.env.BENCH_SUPERVISOR_ROUNDS ?? 30);
const ROUND_WARMUP = 2;
const EDIT_ROUNDS = 8;
/** A person reads the request before answering; the supervisor's own follow-up work (state save) is done by then. */
const THINK_MS = 400;

const log = (message) => process.stderr.write(`bench-supervisor: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));
const now = () => process.hrtime.bigint();
const msBetween = (t0, t1) => Number(t1 - t0) / 1e6;
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const stats = (xs) => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  min: Math.min(...xs),
  max: Math.max(...xs),
});
const median = (xs) => percentile(xs, 50);

function machineInfo() {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${process.platform}-${process.arch} ${release()}, load average ${load}`;
}

async function waitFor(check, what, timeoutMs = 10_000, everyMs = 2) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the tick and the state-change path, in memory.

/** How the 100 panes are spread over the states, and the recorded screen each one shows. */
// (Gemini CLI's recorded 429/500 screens read as working with the shipped profile, so the error panes are Codex
// and Claude Code ones.)
const MIX = [
  { role: 'working', count: 35, screens: ['slow-streaming', 'slow'] },
  { role: 'awaiting_input', count: 20, screens: ['plain', 'slow-done'] },
  { role: 'stalled', count: 10, screens: ['stall'] },
  { role: 'error, the agent retries', count: 8, screens: ['http429', 'http500'], kinds: ['codex', 'claude'] },
  {
    role: 'error, FleetAI backoff',
    count: 7,
    screens: ['http429-final', 'http500-final'],
    kinds: ['codex', 'claude'],
  },
  { role: 'awaiting_approval', count: 10, screens: ['approval'] },
  { role: 'exited (clean)', count: 5, screens: [] },
  { role: 'exited (crashing, restart breaker open)', count: 5, screens: [] },
];

async function partTick(dir) {
  const core = createRequire(thisFile)(path.join(dir, 'core.cjs'));
  const recorded = await recordedStates(core, repoRoot);
  for (const kind of KINDS) {
    const expect = {
      'slow-streaming': 'working',
      slow: 'working',
      plain: 'awaiting_input',
      stall: 'working',
      approval: 'awaiting_approval',
      'slow-done': 'awaiting_input',
      'approval-approved': 'awaiting_input',
      ...(kind === 'gemini'
        ? {}
        : { http429: 'error', http500: 'error', 'http429-final': 'error', 'http500-final': 'error' }),
    };
    for (const [screen, name] of Object.entries(expect)) {
      const got = recorded[kind][screen]?.state.name;
      if (got !== name) throw new Error(`${kind}/${screen}.txt reads as ${got}, expected ${name}`);
    }
  }
  const config = core.defaultOrchestratorConfig();
  // The bench calls tick() itself; the timers of start() would only add ticks and heartbeats in between.
  const settings = { ...core.settingsFromConfig(config), tickMs: 3_600_000, heartbeatMs: 3_600_000 };
  const fleet = scriptedFleet();
  const approvals = memoryApprovals();
  const store = memoryStateStore(core.supervisorStateSchema);
  const appLog = countingLog();
  const notifications = [];
  const workspaceRoot = path.join(dir, 'workspace');
  mkdirSync(workspaceRoot, { recursive: true });

  const panes = [];
  let n = 0;
  for (const group of MIX) {
    for (let i = 0; i < group.count; i++, n++) {
      const kinds = group.kinds ?? KINDS;
      const kind = kinds[n % kinds.length];
      const id = `${kind}-${String(n + 1).padStart(3, '0')}`;
      const pane = {
        id,
        kind,
        branch: `feat/task-${n + 1}`,
        cwd: path.join(workspaceRoot, `wt-${n + 1}`),
        group,
        screen: group.screens[i % Math.max(1, group.screens.length)],
      };
      panes.push(pane);
      fleet.add({
        id,
        kind,
        branch: pane.branch,
        cwd: pane.cwd,
        crashing: group.role.startsWith('exited (crashing'),
        screen: recorded[kind].startup.lines,
      });
    }
  }
  const tasks = panes.map((p, i) => ({
    id: `task-${i + 1}`,
    title: `Task ${i + 1} of the board`,
    branch: p.branch,
    tags: [],
    phase: 'EXECUTING',
    depends_on: [],
  }));
  const orchestrator = new core.Orchestrator({
    fleet: fleet.port,
    approvals,
    notifier: { notify: (x) => notifications.push(x) },
    store,
    log: appLog,
    settings,
    classify: core.createClassifier(config, workspaceRoot),
    workspaceRoot,
    tasks,
  });
  await orchestrator.start();

  const screenOf = (p, name) => recorded[p.kind][name];
  const to = (p, name, extra = {}) => {
    const s = screenOf(p, name);
    fleet.transition(p.id, { ...s.state, ...extra }, { screen: s.lines });
  };
  // A history for every pane (two turns), then its state in the mix. Events are spaced as a real fleet spaces them.
  for (const step of ['plain', 'slow-streaming', 'slow-done', 'slow-streaming']) {
    for (const p of panes) to(p, step);
    await sleep(30);
  }
  for (const p of panes) {
    const role = p.group.role;
    if (role === 'stalled') {
      const s = screenOf(p, 'stall');
      fleet.transition(
        p.id,
        {
          name: 'stalled',
          reason: 'working, but no progress on screen for 121 s',
          evidence: s.state.evidence,
        },
        { screen: s.lines },
      );
    } else if (role.startsWith('exited (clean')) {
      fleet.transition(p.id, {
        name: 'exited',
        reason: 'process exited with code 0',
        evidence: [],
        exitCode: 0,
      });
    } else if (role.startsWith('exited (crashing')) {
      fleet.transition(p.id, {
        name: 'exited',
        reason: 'process exited with code 1',
        evidence: [],
        exitCode: 1,
      });
    } else to(p, p.screen);
  }
  // An approval prompt without a command is given 600 ms to finish drawing before it is judged.
  await sleep(1000);
  // Stalled panes get their two nudges and then a blocker; crashing ones trip the restart breaker.
  for (let i = 0; i < 20; i++) {
    await orchestrator.tick();
    await sleep(5);
  }
  const state = orchestrator.snapshot();
  const metas = Object.values(state.panes);
  const blocked = (kind) => metas.filter((m) => m.blockers.some((b) => b.kind === kind)).length;
  const steady = {
    panes: metas.length,
    states: Object.fromEntries(
      [...new Set(fleet.port.list().map((v) => v.state.name))].map((s) => [
        s,
        fleet.port.list().filter((v) => v.state.name === s).length,
      ]),
    ),
    blockers: {
      stall: blocked('stall'),
      restart: blocked('restart'),
      approval: blocked('approval'),
      loop: blocked('loop'),
    },
    pendingApprovals: (await approvals.pending()).length,
    notifications: notifications.length,
    fleetCalls: { ...fleet.counts },
    auditEvents: Object.fromEntries(appLog.byEvent),
  };
  // Every approval prompt waits for a person: none of the recorded commands is allow-listed, and a prompt whose
  // command cannot be read is never approved by the rules.
  const asking = panes.filter((p) => p.group.role === 'awaiting_approval').length;
  if (steady.blockers.stall !== 10 || steady.blockers.restart !== 5 || steady.pendingApprovals !== asking)
    throw new Error(`the fleet did not reach its steady state: ${JSON.stringify(steady, null, 2)}`);
  log(`tick: 100 panes ready (${JSON.stringify(steady.states)}); ${TICKS} ticks`);

  // Wall time, and the CPU time of this process over the same span (µs resolution): on a shared machine the
  // wall time's tail is mostly other processes holding the core, which the CPU time leaves out.
  const cpuSamples = [];
  const measure = async (count, warmup, fn) => {
    const samples = [];
    cpuSamples.length = 0;
    for (let i = 0; i < warmup + count; i++) {
      await tick(); // timers (the 200 ms state save) run between samples, as they do between real ticks
      const c0 = process.cpuUsage();
      const t0 = now();
      await fn(i);
      const ms = msBetween(t0, now());
      const cpu = process.cpuUsage(c0);
      if (i >= warmup) {
        samples.push(ms);
        cpuSamples.push((cpu.user + cpu.system) / 1000);
      }
    }
    return samples;
  };

  const before = { lines: appLog.total(), calls: { ...fleet.counts }, notes: notifications.length };
  const tickSamples = await measure(TICKS, TICK_WARMUP, () => orchestrator.tick());
  const tickCpu = stats(cpuSamples);
  const during = {
    logLines: appLog.total() - before.lines,
    logLinesPerTick: (appLog.total() - before.lines) / (TICKS + TICK_WARMUP),
    sends: fleet.counts.send - before.calls.send,
    restarts: fleet.counts.restart - before.calls.restart,
    notifications: notifications.length - before.notes,
    saves: store.saves,
  };

  // One state change handled: the event goes out through the fleet's onStateChange, as the registry fires it; the
  // supervisor's listener queues its handling on the pane's chain (Orchestrator.serial, private); waiting for an
  // empty step queued behind it on that chain times the whole handling. Four kinds, round robin.
  log(`events: ${EVENTS} state changes`);
  // Codex and Claude Code panes: their approval prompts carry the command, so the supervisor files them at once
  // (a prompt without one, as Gemini CLI's reads, is given 600 ms to finish drawing: a wait, not a cost).
  const workers = panes.filter(
    (p) => p.group.role === 'working' && screenOf(p, 'approval').state.approval?.command,
  );
  const idleScreens = ['plain', 'slow-done', 'approval-approved'];
  const cycle = [
    'turn ended (working -> awaiting_input)',
    'turn started (awaiting_input -> working)',
    'approval asked (working -> awaiting_approval)',
    'approval gone (awaiting_approval -> working)',
  ];
  const byKind = Object.fromEntries(cycle.map((c) => [c, []]));
  const turns = new Map();
  if (typeof orchestrator.serial !== 'function')
    throw new Error(
      'Orchestrator.serial (the per-pane event chain) is gone: update the event part of this bench',
    );
  const eventSamples = await measure(EVENTS, EVENT_WARMUP, async (i) => {
    const p = workers[i % workers.length];
    const k = Math.floor(i / workers.length) % cycle.length;
    let next;
    if (k === 0) {
      const t = (turns.get(p.id) ?? 0) + 1;
      turns.set(p.id, t);
      const s = screenOf(p, idleScreens[t % idleScreens.length]);
      next = { state: s.state, screen: s.lines };
    } else if (k === 2) {
      const s = screenOf(p, 'approval');
      next = { state: s.state, screen: s.lines };
    } else {
      const s = screenOf(p, 'slow-streaming');
      next = { state: s.state, screen: s.lines };
    }
    const t0 = now();
    fleet.transition(p.id, next.state, { screen: next.screen });
    await orchestrator.serial(p.id, () => Promise.resolve());
    if (i >= EVENT_WARMUP) byKind[cycle[k]].push(msBetween(t0, now()));
  });

  // A state save: what persist() costs besides the disk (structuredClone, schema check, JSON).
  const saveSamples = await measure(SAVES, 10, () => orchestrator.flush());

  // A stalled pane whose backoff is over gets a nudge: the nudge interrupts and then waits, in real time, for the
  // agent to react (up to 3 s). An agent that is truly hung never does, and tick() awaits every pane in turn.
  const hung = panes.find((p) => p.group.role === 'stalled');
  const hungPane = fleet.panes.get(hung.id);
  hungPane.state = { ...hungPane.state, since: new Date(Date.now() - 300_000).toISOString() };
  fleet.setInterruptKeys(true);
  const t0 = now();
  await orchestrator.tick();
  const hungTickMs = msBetween(t0, now());
  fleet.setInterruptKeys(false);
  await orchestrator.dispose();

  return {
    panes: panes.length,
    mix: MIX.map((g) => ({ role: g.role, count: g.count, screens: g.screens })),
    tasks: tasks.length,
    steady,
    tick: { ...stats(tickSamples), samples: tickSamples, cpu: tickCpu, during },
    event: {
      ...stats(eventSamples),
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, stats(xs)])),
    },
    save: { ...stats(saveSamples), bytes: store.bytes },
    hungTickMs,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: the approval store on this disk, step by step.

async function partStore(dir) {
  const core = createRequire(thisFile)(path.join(dir, 'core.cjs'));
  const lockfile = createRequire(path.join(repoRoot, 'package.json'))('proper-lockfile');
  const approvalsDir = path.join(dir, 'store-ws/.fleetai/state/approvals');
  mkdirSync(approvalsDir, { recursive: true });
  const store = core.ApprovalStore.forWorkspace({ approvalsDir });
  const input = (i) => ({
    pane: 'bench',
    agent: 'aider',
    kind: 'command',
    command: `npm install left-pad@1.3.${i}`,
    risk: 'medium',
    reasons: ['not on the allow list: npm'],
    source: 'agent',
    transcriptExcerpt:
      'I will install the package.\n  npm install left-pad\nRun shell command? (Y)es/(N)o [Yes]:',
  });
  const request = [];
  const decide = [];
  const lock = [];
  const write = [];
  const read = [];
  for (let i = 0; i < STORE_OPS + 3; i++) {
    let t0 = now();
    const record = await store.request(input(i));
    const tRequest = msBetween(t0, now());
    t0 = now();
    const decided = await store.decide(record.id, 'approve', { by: 'cli' });
    const tDecide = msBetween(t0, now());
    if (!decided.ok) throw new Error(`decide failed: ${decided.error.message}`);
    t0 = now();
    const release = await lockfile.lock(approvalsDir, {
      lockfilePath: path.join(approvalsDir, '.lock'),
      realpath: false,
      stale: 10_000,
    });
    const tLock = msBetween(t0, now());
    t0 = now();
    await release();
    const tUnlock = msBetween(t0, now());
    t0 = now();
    await core.writeJsonAtomic(path.join(dir, 'store-ws/probe.json'), { version: 1, approvals: [input(i)] });
    const tWrite = msBetween(t0, now());
    t0 = now();
    await store.pending();
    const tRead = msBetween(t0, now());
    if (i < 3) continue;
    request.push(tRequest);
    decide.push(tDecide);
    lock.push(tLock + tUnlock);
    write.push(tWrite);
    read.push(tRead);
  }
  return {
    request: stats(request),
    decide: stats(decide),
    lockAndRelease: stats(lock),
    writeJsonAtomic: stats(write),
    readBoth: stats(read),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 3: the round trip through a real `fleet orchestrator` and the real `fleet` CLI.

function wallTimes(argv, n, warmup = 2) {
  const times = [];
  for (let i = 0; i < n + warmup; i++) {
    const t0 = now();
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
    const ms = msBetween(t0, now());
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= warmup) times.push(ms); // the first runs warm the file cache
  }
  return times;
}

/**
 * How long V8 takes to compile `file` in a fresh process (what `node file` pays before running a line of it);
 * with `cacheFile`, from a code cache made once beforehand (vm.Script cachedData; `module.enableCompileCache()`
 * from Node 22.1).
 */
function compileTimes(file, n, cacheFile) {
  const code = `const fs=require('fs'),vm=require('vm');const [f,c,make]=process.argv.slice(1);
const s=fs.readFileSync(f,'utf8').replace(/^#!.*/,'');
const cachedData=c&&!make?fs.readFileSync(c):undefined;
const t=process.hrtime.bigint();const script=new vm.Script(s,{filename:f,cachedData});
const ms=Number(process.hrtime.bigint()-t)/1e6;
if(make)fs.writeFileSync(c,script.createCachedData());
if(script.cachedDataRejected)throw new Error('code cache rejected');console.log(ms)`;
  if (cacheFile) spawnSync(process.execPath, ['-e', code, file, cacheFile, 'make']);
  const times = [];
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, ['-e', code, file, ...(cacheFile ? [cacheFile] : [])], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`compiling ${file} failed: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  return times;
}

/** A workspace with one aider pane running the scripted agent; `override` adds the command to the profile. */
function makeWorkspace(dir, name, mode, override) {
  const ws = path.join(dir, name);
  const { stampFile } = writeApprovalAgentWorkspace(ws, { mode, commandRule: Boolean(override) });
  return { ws, stampFile };
}

function readLines(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function startOrchestrator({ ws, stampFile }) {
  const appLog = path.join(ws, '.fleetai/logs/app.jsonl');
  const proc = spawn(process.execPath, [cli, 'orchestrator', '-w', ws], {
    cwd: ws,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exit;
  proc.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  proc.on('exit', (code, signal) => (exit = { code, signal }));
  const alive = () => {
    if (exit) throw new Error(`fleet orchestrator exited (${JSON.stringify(exit)}):\n${stderr}`);
  };
  const ready = await waitFor(
    () => {
      alive();
      return readLines(stampFile).find((l) => l.ev === 'ready');
    },
    'scripted agent',
    60_000,
    20,
  );
  await waitFor(
    () => {
      alive();
      return readLines(appLog).some((l) => l.event === 'control.listening');
    },
    'control socket',
    60_000,
    20,
  );
  await waitFor(
    () => {
      alive();
      return readLines(appLog).some((l) => l.event === 'pane.state' && l.context?.to === 'working');
    },
    'working pane',
    30_000,
    20,
  );
  const control = JSON.parse(readFileSync(path.join(ws, '.fleetai/state/control.json'), 'utf8'));
  return {
    proc,
    agentPid: ready.pid,
    control,
    appLog,
    stderr: () => stderr,
    alive,
    async stop() {
      if (!exit) {
        proc.kill('SIGTERM');
        const end = Date.now() + 15_000;
        while (!exit && Date.now() < end) await sleep(50);
        if (!exit) proc.kill('SIGKILL');
      }
      try {
        process.kill(ready.pid, 0);
        process.kill(ready.pid, 'SIGKILL'); // the registry should have ended it; never leave it behind
      } catch {
        // gone, as it should be
      }
    },
  };
}

/** Watches pending.json (inotify on the folder, since each write is a rename; a slow poll as a fallback). */
function pendingWatcher(ws) {
  const dir = path.join(ws, '.fleetai/state/approvals');
  const file = path.join(dir, 'pending.json');
  const seen = new Set();
  let waiter;
  const look = () => {
    if (!waiter) return;
    const hr = now();
    const ms = Date.now();
    let records = [];
    try {
      records = JSON.parse(readFileSync(file, 'utf8')).approvals ?? [];
    } catch {
      return; // not there yet
    }
    const fresh = records.find((r) => r.pane === 'bench' && !seen.has(r.id));
    if (!fresh) return;
    seen.add(fresh.id);
    const w = waiter;
    waiter = undefined;
    w.resolve({ record: fresh, hr, ms });
  };
  const watcher = watch(dir, () => look());
  const poll = setInterval(look, 10);
  return {
    next(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`no new pending approval in ${file} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        };
        look();
      });
    },
    close() {
      watcher.close();
      clearInterval(poll);
    },
  };
}

function controlCall(control, method, params) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(control.socket);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () =>
      socket.write(`${JSON.stringify({ id: 1, token: control.token, method, params })}\n`),
    );
    socket.on('data', (chunk) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      resolve(JSON.parse(buffer.slice(0, nl)));
    });
    socket.on('error', reject);
  });
}

function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, hr: now() }));
  });
}

/**
 * One round: the agent asks (SIGUSR1, or SIGUSR2 for the alternate question), the request shows up in
 * pending.json, a person answers after THINK_MS through `via` ('cli', 'socket', or 'none' when a rule answers).
 */
async function round(o, { stampFile, ws }, pending, r, via, signal = 'SIGUSR1') {
  process.kill(o.agentPid, signal);
  const prompt = await waitFor(
    () => readLines(stampFile).find((l) => l.ev === 'prompt' && l.round === r),
    `prompt of round ${r}`,
  );
  const result = { round: r, via, promptMs: prompt.ms };
  if (via === 'none') {
    // Nobody answers: a rule does, or the request waits for a human (then the bench answers it, to go on).
    const key = await waitFor(
      () => readLines(stampFile).find((l) => l.ev === 'key' && l.round === r),
      `key of round ${r}`,
      3000,
    ).catch(() => undefined);
    if (key) result.keyAfterPromptMs = msBetween(BigInt(prompt.hr), BigInt(key.hr));
    else {
      const seen = await pending.next();
      result.askedHuman = seen.record;
      await controlCall(o.control, 'approvals.decide', { id: seen.record.id, decision: 'deny' });
    }
    await sleep(300);
    return result;
  }
  const seen = await pending.next();
  o.alive();
  result.id = seen.record.id;
  result.requestedAt = seen.record.requestedAt;
  result.pendingMs = msBetween(BigInt(prompt.hr), seen.hr);
  result.pendingWallMs = seen.ms;
  await sleep(THINK_MS);
  const t0 = now();
  result.startWallMs = Date.now();
  if (via === 'cli') {
    const done = await runCli(['approvals:approve', seen.record.id, '-w', ws, '--json']);
    if (done.code !== 0) throw new Error(`fleet approvals:approve exited ${done.code}: ${done.out}`);
    result.cliExitMs = msBetween(t0, done.hr);
  } else {
    const response = await controlCall(o.control, 'approvals.decide', {
      id: seen.record.id,
      decision: 'approve',
    });
    if (!response.ok) throw new Error(`approvals.decide failed: ${JSON.stringify(response)}`);
    result.responseMs = msBetween(t0, now());
  }
  const key = await waitFor(
    () => readLines(stampFile).find((l) => l.ev === 'key' && l.round === r),
    `key of round ${r}`,
  );
  if (key.key.toLowerCase() !== 'y') throw new Error(`round ${r}: the agent got "${key.key}", not y`);
  result.keyMs = msBetween(t0, BigInt(key.hr));
  result.keyWallMs = key.ms;
  if (via === 'cli') {
    // For scale, at the same moment (the load of a shared machine moves by the minute): a bare node, and the CLI
    // doing nothing but start.
    result.bareNodeMs = wallTimes([process.execPath, '-e', ''], 1, 0)[0];
    result.cliVersionMs = wallTimes([process.execPath, cli, '--version'], 1, 0)[0];
  }
  await sleep(300); // the agent is back at work and the supervisor has seen the prompt go
  return result;
}

/** Adds what the orchestrator logged (ms resolution, wall clock) to each round: where the time went. */
function breakdown(rounds, appLogFile) {
  const lines = readLines(appLogFile);
  for (const r of rounds) {
    if (!r.id) continue;
    const asked = lines.find(
      (l) =>
        l.event === 'pane.state' &&
        l.context?.to === 'awaiting_approval' &&
        Date.parse(l.ts) >= r.promptMs - 1 &&
        Date.parse(l.ts) <= r.pendingWallMs,
    );
    const decided = lines.find((l) => l.event === 'approval.decided' && l.context?.id === r.id);
    const applied = lines.find((l) => l.event === 'approval.applied' && l.context?.id === r.id);
    if (asked) {
      r.detectMs = Date.parse(asked.ts) - r.promptMs;
      r.fileMs = Date.parse(r.requestedAt) - Date.parse(asked.ts);
    }
    r.writeMs = r.pendingWallMs - Date.parse(r.requestedAt);
    if (decided) {
      r.startToDecidedMs = Date.parse(decided.ts) - r.startWallMs;
      r.decidedToKeyMs = r.keyWallMs - Date.parse(decided.ts);
    }
    if (applied) r.appliedMs = Date.parse(applied.ts) - r.startWallMs;
  }
}

async function partRoundTrip(dir) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run node extension/build/bundle.mjs first`);
  log('compiling dist/cli.js, with and without a code cache');
  wallTimes([process.execPath, cli, '--version'], 0); // the file cache
  const compile = compileTimes(cli, 7);
  const compileCached = compileTimes(cli, 7, path.join(dir, 'cli.js.v8cache'));
  const cliBytes = readFileSync(cli).length;

  // (1) Command questions, the command read from the screen: answered by the CLI, then over the socket.
  const main = makeWorkspace(dir, 'ws-command', 'command', true);
  log(`round trip: fleet orchestrator in ${main.ws}`);
  const o = await startOrchestrator(main);
  const pending = pendingWatcher(main.ws);
  const cliRounds = [];
  const socketRounds = [];
  let r = 0;
  try {
    for (let i = 0; i < ROUND_WARMUP + ROUNDS; i++) {
      const res = await round(o, main, pending, ++r, 'cli');
      if (i >= ROUND_WARMUP) cliRounds.push(res);
      if (i % 5 === 4 || i === ROUND_WARMUP + ROUNDS - 1)
        log(
          `cli round ${i + 1}/${ROUND_WARMUP + ROUNDS}: pending ${res.pendingMs.toFixed(1)} ms, approve -> key ${res.keyMs.toFixed(1)} ms`,
        );
    }
    for (let i = 0; i < ROUNDS; i++) {
      socketRounds.push(await round(o, main, pending, ++r, 'socket'));
    }
    log(`socket rounds: approve -> key p50 ${median(socketRounds.map((x) => x.keyMs)).toFixed(1)} ms`);
  } finally {
    pending.close();
    await o.stop();
  }
  breakdown([...cliRounds, ...socketRounds], o.appLog);

  // (2) The shipped aider profile as it is: an edit question (no command to read) and a command question whose
  // command the profile cannot read.
  const shipped = makeWorkspace(dir, 'ws-shipped', 'edit', false);
  log(`shipped aider profile: fleet orchestrator in ${shipped.ws}`);
  const o2 = await startOrchestrator(shipped);
  const pending2 = pendingWatcher(shipped.ws);
  const editRounds = [];
  let unread;
  r = 0;
  try {
    for (let i = 0; i < EDIT_ROUNDS; i++) editRounds.push(await round(o2, shipped, pending2, ++r, 'socket'));
    unread = await round(o2, shipped, pending2, ++r, 'none', 'SIGUSR2');
  } finally {
    pending2.close();
    await o2.stop();
  }
  breakdown(editRounds, o2.appLog);
  const shippedLog = readLines(o2.appLog);
  const unreadDecision = shippedLog
    .filter((l) => l.event === 'approval.decided' && Date.parse(l.ts) >= unread.promptMs)
    .map((l) => ({
      decidedBy: l.context?.decidedBy,
      decision: l.context?.decision,
      command: l.context?.command,
    }))[0];
  unread.decision = unread.askedHuman ? undefined : unreadDecision;

  const col = (rounds, key) => rounds.map((x) => x[key]).filter((v) => typeof v === 'number');
  return {
    cliBytes,
    bareNode: stats(col(cliRounds, 'bareNodeMs')),
    cliVersion: stats(col(cliRounds, 'cliVersionMs')),
    compile: stats(compile),
    compileCached: stats(compileCached),
    rounds: ROUNDS,
    thinkMs: THINK_MS,
    a: {
      pending: stats(col(cliRounds, 'pendingMs').concat(col(socketRounds, 'pendingMs'))),
      detect: stats(col(cliRounds, 'detectMs').concat(col(socketRounds, 'detectMs'))),
      file: stats(col(cliRounds, 'fileMs').concat(col(socketRounds, 'fileMs'))),
      write: stats(col(cliRounds, 'writeMs').concat(col(socketRounds, 'writeMs'))),
    },
    b: {
      key: stats(col(cliRounds, 'keyMs')),
      cliExit: stats(col(cliRounds, 'cliExitMs')),
      startToDecided: stats(col(cliRounds, 'startToDecidedMs')),
      decidedToKey: stats(col(cliRounds, 'decidedToKeyMs')),
      overBareNode: stats(cliRounds.map((x) => x.keyMs - x.bareNodeMs)),
    },
    socket: {
      key: stats(col(socketRounds, 'keyMs')),
      response: stats(col(socketRounds, 'responseMs')),
      startToDecided: stats(col(socketRounds, 'startToDecidedMs')),
      decidedToKey: stats(col(socketRounds, 'decidedToKeyMs')),
    },
    shippedEdit: {
      pending: stats(col(editRounds, 'pendingMs')),
      detect: stats(col(editRounds, 'detectMs')),
      file: stats(col(editRounds, 'fileMs')),
    },
    shippedUnreadCommand: unread,
    roundsDetail: { cli: cliRounds, socket: socketRounds, edit: editRounds },
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function bundle(dir) {
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  // The options of extension/build/bundle.mjs, not minified (CPU profiles then name the functions).
  await build({
    stdin: {
      contents: [
        "export { Orchestrator } from './extension/core/supervisor/orchestrator';",
        "export { settingsFromConfig } from './extension/core/supervisor/settingsFromConfig';",
        "export { createClassifier } from './extension/core/supervisor/approvalsGlue';",
        "export { supervisorStateSchema } from './extension/core/supervisor/paneMetadata';",
        "export { defaultOrchestratorConfig } from './extension/core/config/orchestratorConfig';",
        "export { loadProfiles } from './extension/core/agents/profiles';",
        "export { toRuntimeProfile } from './extension/core/agents/runtimeProfile';",
        "export { StateTracker } from './extension/core/panes/stateTracker';",
        "export { ApprovalStore } from './extension/core/approvals';",
        "export { writeJsonAtomic } from './extension/core/store/jsonStore';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-supervisor-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'core.cjs'),
    mainFields: ['module', 'main'],
    external: ['node-pty', 'vscode'],
    define: { FLEETAI_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
}

const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const p50p95 = (s) => `${ms(s.p50)} / ${ms(s.p95)}`;

function report(results, seconds, machineBefore) {
  const { tick: t, store: s, roundtrip: rt } = results;
  const unread = rt.shippedUnreadCommand;
  const rows = [
    [`supervisor tick, ${t.panes} panes: p50 (${t.tick.n} ticks)`, ms(t.tick.p50), '', true],
    ['  p95', ms(t.tick.p95), '< 2 ms', t.tick.p95 < 2],
    ['  p99', ms(t.tick.p99), '', true],
    ['  CPU time of a tick (leaves out time the core was taken): p50 / p95', p50p95(t.tick.cpu), '', true],
    [`one state change handled (onPaneState), ${t.panes} panes: p50 / p95`, p50p95(t.event), '', true],
    ...Object.entries(t.event.byKind).map(([k, v]) => [`  ${k}`, p50p95(v), '', true]),
    [
      `state save without the disk (clone, schema, JSON of ${(t.save.bytes / 1024).toFixed(0)} KiB): p50 / p95`,
      p50p95(t.save),
      '',
      true,
    ],
    ['tick while one hung agent gets its nudge (waits for it in real time)', ms(t.hungTickMs), '', true],
    ['approval store on this disk: request (lock, read, fsync write): p50', ms(s.request.p50), '', true],
    ['  decide (lock, read, 2 fsync writes): p50', ms(s.decide.p50), '', true],
    [
      '  lock + release alone / one fsync atomic write alone: p50',
      `${ms(s.lockAndRelease.p50)} / ${ms(s.writeJsonAtomic.p50)}`,
      '',
      true,
    ],
    [
      `(a) prompt on screen -> pending in pending.json: p50 (${rt.a.pending.n} rounds)`,
      ms(rt.a.pending.p50),
      '< 200 ms',
      rt.a.pending.p50 < 200,
    ],
    ['  p95', ms(rt.a.pending.p95), '', true],
    ['  of which detection (prompt -> pane.state logged), p50', ms(rt.a.detect.p50), '', true],
    ['  of which filing (state -> requestedAt: classify, lock, read), p50', ms(rt.a.file.p50), '', true],
    ['  of which writing (requestedAt -> visible: fsync, rename), p50', ms(rt.a.write.p50), '', true],
    [
      `(b) \`fleet approvals:approve\` started -> agent has the key: p50 (${rt.b.key.n} rounds)`,
      ms(rt.b.key.p50),
      '< 200 ms',
      rt.b.key.p50 < 200,
    ],
    ['  p95', ms(rt.b.key.p95), '', true],
    [
      '  of which CLI start -> decision stored (approval.decided logged), p50',
      ms(rt.b.startToDecided.p50),
      '',
      true,
    ],
    ['  of which decision stored -> key at the agent, p50', ms(rt.b.decidedToKey.p50), '', true],
    ['  the approve process, start to exit: p50', ms(rt.b.cliExit.p50), '', true],
    [
      '  `node dist/cli.js --version` in the same rounds, whole process: p50',
      ms(rt.cliVersion.p50),
      '',
      true,
    ],
    ['  bare `node -e ""` in the same rounds, whole process: p50', ms(rt.bareNode.p50), '', true],
    ['  (b) minus the bare node start of its round: p50', ms(rt.b.overBareNode.p50), '', true],
    [
      `  compiling dist/cli.js (${(rt.cliBytes / 2 ** 20).toFixed(1)} MiB) in a fresh process: p50`,
      ms(rt.compile.p50),
      '',
      true,
    ],
    ['  the same with a V8 code cache (not used by the CLI today): p50', ms(rt.compileCached.p50), '', true],
    [
      `  the decision over the control socket from a running process -> key: p50 / p95 (${rt.socket.key.n})`,
      p50p95(rt.socket.key),
      '',
      true,
    ],
    [
      `shipped aider profile, edit question (no command): prompt -> pending, p50 (${rt.shippedEdit.pending.n})`,
      ms(rt.shippedEdit.pending.p50),
      '',
      true,
    ],
    [
      '  of which filing (includes the 600 ms settle for prompts without a command), p50',
      ms(rt.shippedEdit.file.p50),
      '',
      true,
    ],
    [
      'shipped aider profile, "Run shell command?" with the command unread: decided by',
      unread.decision
        ? `${unread.decision.decidedBy}: ${unread.decision.decision} after ${ms(unread.keyAfterPromptMs)}`
        : 'a human (it waited)',
      '',
      true,
    ],
  ];
  const machine = machineInfo();
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nFleetAI supervisor benchmark — ${machine}; took ${seconds.toFixed(0)} s`);
  console.log(`(load average before: ${machineBefore.split('load average ')[1]})\n`);
  console.log(`${'figure'.padEnd(w)}  ${'measured'.padEnd(22)}  target`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(22)}  ------`);
  for (const [name, value, target, ok] of rows) {
    console.log(
      `${name.padEnd(w)}  ${value.padEnd(22)}  ${target}${target ? (ok ? '  ok' : '  MISSED') : ''}`,
    );
  }
  console.log(
    "\nthe (a) and (b) 'of which' rows come from app.jsonl's timestamps and the agent's Date.now(): 1 ms steps",
  );
  console.log(
    `mix: ${t.mix.map((g) => `${g.count} ${g.role}`).join(', ')}; ${t.tasks} tasks; in-memory approvals, state store and log (no disk)`,
  );
  console.log(
    `during the measured ticks: ${t.tick.during.logLinesPerTick.toFixed(2)} log lines per tick, ${t.tick.during.sends} sends, ${t.tick.during.restarts} restarts, ${t.tick.during.notifications} notifications`,
  );
  mkdirSync(path.dirname(resultFile), { recursive: true });
  const strip = (k, v) => (k === 'samples' ? undefined : v);
  writeFileSync(
    resultFile,
    `${JSON.stringify({ machine, machineBefore, seconds, rows, ...JSON.parse(JSON.stringify(results, strip)) }, null, 2)}\n`,
  );
  log(`wrote ${path.relative(repoRoot, resultFile)}`);
}

async function main() {
  const started = Date.now();
  const machineBefore = machineInfo();
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-supervisor-'));
  try {
    await bundle(dir);
    const results = {};
    const parts = (process.env.BENCH_SUPERVISOR_PARTS || 'tick,store,roundtrip').split(',').filter(Boolean);
    const unknown = parts.filter((p) => !['tick', 'store', 'roundtrip'].includes(p));
    if (unknown.length > 0) throw new Error(`unknown parts: ${unknown.join(', ')} (tick, store, roundtrip)`);
    for (const part of parts) {
      if (part === 'roundtrip') {
        results.roundtrip = await partRoundTrip(dir);
        continue;
      }
      // In-process parts run in a process of their own, so one's garbage and JIT state do not weigh on another.
      const r = spawnSync(process.execPath, [thisFile, `--part=${part}`, `--dir=${dir}`], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (r.status !== 0) throw new Error(`part "${part}" failed (exit ${r.status ?? r.signal})`);
      results[part] = JSON.parse(readFileSync(path.join(dir, `${part}.json`), 'utf8'));
    }
    if (results.tick && results.store && results.roundtrip)
      report(results, (Date.now() - started) / 1000, machineBefore);
    else
      console.log(
        JSON.stringify(results, (k, v) => (k === 'samples' || k === 'roundsDetail' ? undefined : v), 2),
      );
  } finally {
    if (process.env.BENCH_SUPERVISOR_KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const partArg = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length);
const dirArg = process.argv.find((a) => a.startsWith('--dir='))?.slice('--dir='.length);
if (partArg !== undefined || dirArg !== undefined) {
  if (!partArg || !dirArg) throw new Error('a part runs with --part=<tick|store> --dir=<bundle dir>');
  const parts = { tick: partTick, store: partStore };
  if (!parts[partArg]) throw new Error(`unknown part ${partArg}`);
  const result = await parts[partArg](dirArg);
  writeFileSync(path.join(dirArg, `${partArg}.json`), JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
