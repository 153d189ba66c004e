// `node test/bench/hook-latency.mjs`: how long one `fleet hook` run takes (the built dist/cli.js), which is
// what Claude Code waits for at each hook event. Median wall time of N runs (BENCH_RUNS, default 20) of
//   1. `fleet hook` delivering a recorded PreToolUse payload (stdin) to FleetAI's real hook listener,
//   2. the same when the listener is gone (no socket: the agent outlived FleetAI),
//   3. `fleet hook` started without FleetAI's environment (a user's own hook config),
//   4. a bare `node -e ""` on the same machine, for scale.
// The listener (extension/core/agents/hooks/hookListener.ts) is bundled with esbuild for the run.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(root, 'dist/cli.js');
// What the agents actually run: the sender's own small bundle (extension/cli/hookMain.ts).
const sender = path.join(root, 'dist/hook.js');
const runs = Number(process.env.BENCH_RUNS ?? 20);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fleetai-bench-hooks-'));
const outfile = path.join(tmp, 'listener.mjs');
await build({
  stdin: {
    contents: `export { HookListener } from './extension/core/agents/hooks/hookListener';
export { StateTracker } from './extension/core/panes/stateTracker';
export { createMemoryLog } from './extension/core/observability/appLog';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
const { HookListener, StateTracker, createMemoryLog } = await import(pathToFileURL(outfile).href);

const events = JSON.parse(
  await readFile(path.join(root, 'test/fixtures/hook-payloads/claude-2.1.329/approval-accept.json'), 'utf8'),
);
const payload = JSON.stringify(events.find((e) => e.event === 'PreToolUse').payload);

function timed(file, args, env, input) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = execFile(file, args, { env }, (error, stdout) => {
      if (error) return reject(error);
      if (stdout) return reject(new Error(`fleet hook printed on stdout: ${stdout}`));
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
    child.stdin?.end(input ?? '');
  });
}

async function series(label, fn) {
  await fn(); // warm the file cache
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await fn());
  const result = {
    label,
    medianMs: Number(median(samples).toFixed(1)),
    minMs: Number(Math.min(...samples).toFixed(1)),
  };
  console.log(`${label.padEnd(48)} median ${result.medianMs} ms (min ${result.minMs}, n=${runs})`);
  return result;
}

const log = createMemoryLog();
const listener = await HookListener.start({ log });
const tracker = new StateTracker({ id: 'p1', agent: 'claude' }, []);
listener.register({ id: 'p1', agent: 'claude', cwd: root, target: tracker, approvalOptions: [] });
const base = { PATH: process.env.PATH };
const results = [];
try {
  results.push(
    await series('fleet hook -> listener (PreToolUse on stdin)', () =>
      timed(process.execPath, [cli, 'hook'], { ...base, ...listener.envFor('p1') }, payload),
    ),
  );
  results.push(
    await series('dist/hook.js -> listener (what agents run)', () =>
      timed(process.execPath, [sender], { ...base, ...listener.envFor('p1') }, payload),
    ),
  );
  const received = log.lines.filter((l) => l.event === 'hook.received').length;
  if (received !== 2 * (runs + 1))
    throw new Error(`the listener received ${received} events, expected ${2 * (runs + 1)}`);
  const gone = { ...base, ...listener.envFor('p1'), FLEETAI_HOOK_SOCKET: path.join(tmp, 'gone.sock') };
  results.push(
    await series('fleet hook, listener gone', () => timed(process.execPath, [cli, 'hook'], gone, payload)),
  );
  results.push(
    await series('fleet hook without FleetAI env', () =>
      timed(process.execPath, [cli, 'hook'], base, payload),
    ),
  );
  results.push(await series('node -e ""', () => timed(process.execPath, ['-e', ''], base)));
} finally {
  await listener.close();
  await rm(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify({ node: process.version, cpus: os.cpus().length, results }));
