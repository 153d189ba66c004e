// The MCP bridge's speed (issue 7), against the real @modelcontextprotocol/server-everything:
//   1. overhead of a tool call through the bridge (McpBridge.callTool with its onToolInvoke hook; and the same
//      with its `mcp.tool.invoke` line in a real app log file) against a bare SDK Client.callTool to the same
//      `echo`, each on its own stdio server-everything process; calls interleaved in batches, median per call,
//      ratios (target < 1.1);
//   2. time from a Streamable HTTP server-everything coming back (restarted, listening again) to the bridge
//      having listed its tools again, with a short real backoff (reconnect base 250 ms, cap 1 s); also the
//      part of it after the bridge's attempt started (connect + handshake + tools/list), which is what the
//      bridge itself costs; the rest is waiting for the scheduled attempt.
// The core is bundled with esbuild into a temp dir (Node 20 cannot import TypeScript).
//   node test/bench/mcp-bridge.mjs   -> a table, and test-results/bench/mcp-bridge.json; exit 0 (met or missed)
// `benchRows()` runs it in a child process for test/bench/run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/mcp-bridge.json');
const EVERYTHING = path.join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 2000);
const BATCH = 100;
const CYCLES = Number(process.env.BENCH_MCP_CYCLES ?? 5);
const TARGET_RATIO = 1.1;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { openMcpBridge } from './extension/core/mcp';",
        "export { createAppLog } from './extension/core/observability/appLog';",
        "export { Client } from '@modelcontextprotocol/sdk/client/index.js';",
        "export { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-mcp-bridge-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'mcp.cjs'),
    mainFields: ['module', 'main'],
    // pino's worker transports are not used (the app log writes with a sonic-boom destination).
    logLevel: 'error',
  });
  // The bare client and the bridge run the same SDK code: both come from this one bundle.
  return createRequire(import.meta.url)(path.join(dir, 'mcp.cjs'));
}

function writeServers(workspace, servers) {
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(path.join(workspace, '.fleetai/mcp.servers.json'), JSON.stringify({ servers }));
}

async function callOverhead(mod, dir) {
  const workspace = path.join(dir, 'overhead');
  writeServers(workspace, { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } });
  const log = mod.createAppLog({ file: path.join(workspace, '.fleetai/logs/app.jsonl') });
  let hooked = 0;
  // Two bridges, each with its own server process like the bare client: one with the onToolInvoke hook only,
  // one that also writes its `mcp.tool.invoke` line to a real app log file (what every host does).
  const hookOnly = await mod.openMcpBridge({ workspace, onToolInvoke: () => hooked++ });
  const logged = await mod.openMcpBridge({ workspace, log, onToolInvoke: () => hooked++ });
  const bare = new mod.Client({ name: 'bench-bare', version: '1.0.0' }, { capabilities: {} });
  await bare.connect(
    new mod.StdioClientTransport({
      command: process.execPath,
      args: [EVERYTHING, 'stdio'],
      stderr: 'ignore',
    }),
  );
  await hookOnly.connect('everything');
  await logged.connect('everything');
  const args = { message: 'bench' };
  const sides = {
    bare: async () => {
      const t = performance.now();
      await bare.callTool({ name: 'echo', arguments: args });
      return performance.now() - t;
    },
    hook: async () => {
      const t = performance.now();
      await hookOnly.callTool('everything', 'echo', args);
      return performance.now() - t;
    },
    hookAndLog: async () => {
      const t = performance.now();
      await logged.callTool('everything', 'echo', args);
      return performance.now() - t;
    },
  };
  const names = Object.keys(sides);
  for (let i = 0; i < 200; i++) for (const name of names) await sides[name]();
  const samples = { bare: [], hook: [], hookAndLog: [] };
  // Interleaved batches, rotating which goes first: drift in machine load hits every side alike.
  for (let done = 0, round = 0; done < CALLS; done += BATCH, round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      for (let i = 0; i < BATCH; i++) samples[name].push(await sides[name]());
    }
  }
  await bare.close();
  await hookOnly.close();
  await logged.close();
  await log.close();
  if (hooked < 2 * CALLS) throw new Error(`the onToolInvoke hook ran ${hooked} times for ${2 * CALLS} calls`);
  const ms = Object.fromEntries(names.map((n) => [n, { median: median(samples[n]), p95: p95(samples[n]) }]));
  const ratio = ms.hook.median / ms.bare.median;
  const ratioWithLog = ms.hookAndLog.median / ms.bare.median;
  return {
    calls: CALLS,
    ms,
    ratio,
    ratioWithLog,
    target: TARGET_RATIO,
    met: ratio < TARGET_RATIO,
    metWithLog: ratioWithLog < TARGET_RATIO,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** server-everything on Streamable HTTP; resolves once it says it listens (the moment it is "back"). */
function startHttpServer(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`server did not listen in 15 s: ${stderr}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      if (/listening on port|running on port/.test(stderr)) {
        clearTimeout(timer);
        resolve({ child, listeningAt: performance.now() });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

function waitFor(check, ms, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 2);
    };
    poll();
  });
}

async function reconnectTimes(mod, dir) {
  const workspace = path.join(dir, 'reconnect');
  const port = await freePort();
  writeServers(workspace, { everything: { url: `http://127.0.0.1:${port}/mcp` } });
  let server = await startHttpServer(port);
  const bridge = await mod.openMcpBridge({ workspace, reconnect: { baseMs: 250, maxMs: 1000 } });
  let attemptAt;
  let relistedAt;
  bridge.on('state', (e) => {
    // The latest attempt is the one that finds the server back.
    if (e.state === 'connecting' && relistedAt === undefined) attemptAt = performance.now();
  });
  bridge.on('tools', () => {
    if (attemptAt !== undefined) relistedAt ??= performance.now();
  });
  await bridge.connect('everything');
  const backToRelisted = [];
  const attemptToRelisted = [];
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      server.child.removeAllListeners('exit');
      server.child.kill('SIGKILL');
      await new Promise((r) => server.child.once('exit', r));
      // Over HTTP the loss shows at the next request: this call fails and the bridge starts reconnecting.
      await bridge.callTool('everything', 'echo', { message: 'x' }).catch(() => undefined);
      await waitFor(() => bridge.state('everything') !== 'connected', 10_000, 'loss noticed');
      // Down for a while, as a restarted server would be (the bridge retries and fails meanwhile).
      await sleep(300);
      attemptAt = undefined;
      relistedAt = undefined;
      server = await startHttpServer(port);
      const back = server.listeningAt;
      await waitFor(
        () => relistedAt !== undefined && bridge.state('everything') === 'connected',
        20_000,
        'relisted',
      );
      if (attemptAt < back) {
        // That attempt raced the server's start: measure from the moment the server was back instead.
        attemptAt = back;
      }
      backToRelisted.push(relistedAt - back);
      attemptToRelisted.push(relistedAt - attemptAt);
      await bridge.callTool('everything', 'echo', { message: 'after' });
    }
  } finally {
    await bridge.close();
    server.child.removeAllListeners('exit');
    server.child.kill('SIGKILL');
  }
  return {
    transport: 'streamableHttp',
    cycles: CYCLES,
    backoff: { baseMs: 250, maxMs: 1000 },
    backToRelistedMs: { median: median(backToRelisted), max: Math.max(...backToRelisted) },
    attemptToRelistedMs: { median: median(attemptToRelisted), max: Math.max(...attemptToRelisted) },
  };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-mcp-'));
  try {
    const mod = await bundle(dir);
    const loadBefore = loadavg()[0];
    const overhead = await callOverhead(mod, dir);
    const reconnect = await reconnectTimes(mod, dir);
    const out = {
      machine: machine(),
      load1: { before: loadBefore, after: loadavg()[0] },
      overhead,
      reconnect,
    };
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`MCP bridge bench (${out.machine})`);
    console.log(
      `  echo over stdio, ${overhead.calls} calls each (median): bare SDK ${overhead.ms.bare.median.toFixed(3)} ms, bridge+hook ${overhead.ms.hook.median.toFixed(3)} ms, bridge+hook+app log ${overhead.ms.hookAndLog.median.toFixed(3)} ms`,
    );
    console.log(
      `  ratio bridge+hook / bare          ${overhead.ratio.toFixed(3)}x (target < ${TARGET_RATIO}: ${overhead.met ? 'met' : 'MISSED'})`,
    );
    console.log(
      `  ratio bridge+hook+app log / bare  ${overhead.ratioWithLog.toFixed(3)}x (target < ${TARGET_RATIO}: ${overhead.metWithLog ? 'met' : 'MISSED'})`,
    );
    console.log(
      `  server back -> tools re-listed (HTTP, backoff 250 ms..1 s): median ${reconnect.backToRelistedMs.median.toFixed(0)} ms, max ${reconnect.backToRelistedMs.max.toFixed(0)} ms`,
    );
    console.log(
      `    of which attempt -> re-listed: median ${reconnect.attemptToRelistedMs.median.toFixed(1)} ms, max ${reconnect.attemptToRelistedMs.max.toFixed(1)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For test/bench/run.mjs: runs this bench in a child and returns its table rows [name, value, target, ok]. */
export function benchRows() {
  process.stderr.write('bench: MCP bridge (test/bench/mcp-bridge.mjs)\n');
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`test/bench/mcp-bridge.mjs exited ${run.status ?? run.signal}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  return [
    [
      'MCP tool call, bridge + onToolInvoke hook / bare SDK client (median)',
      `${r.overhead.ratio.toFixed(3)}x (${r.overhead.ms.hook.median.toFixed(2)} vs ${r.overhead.ms.bare.median.toFixed(2)} ms)`,
      `< ${TARGET_RATIO}`,
      r.overhead.met,
    ],
    [
      '  the same with its mcp.tool.invoke line in the app log',
      `${r.overhead.ratioWithLog.toFixed(3)}x (${r.overhead.ms.hookAndLog.median.toFixed(2)} ms)`,
      `< ${TARGET_RATIO}`,
      r.overhead.metWithLog,
    ],
    [
      'MCP server back -> tools re-listed (HTTP, backoff 250 ms, median)',
      `${r.reconnect.backToRelistedMs.median.toFixed(0)} ms (attempt -> re-listed ${r.reconnect.attemptToRelistedMs.median.toFixed(1)} ms)`,
      '',
      true,
    ],
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
