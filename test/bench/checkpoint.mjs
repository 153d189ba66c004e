// The plan checkpointer's cost, measured for real: a 50-node linear LangGraph StateGraph (each node adds 1 to a
// counter and appends to a small log) run to the end with
//   - no checkpointer (LangGraph alone, for scale),
//   - LangGraph's MemorySaver (the in-memory mode),
//   - FleetAI's JsonFileSaver (extension/core/plans/checkpoint/) on this machine's temp disk, pruning on (20 kept),
//     with LangGraph's default durability "async" (a checkpoint is written while the next step runs) and with
//     "sync" (each step waits until its checkpoint is on disk: what surviving a crash after every step needs).
// Per-step cost = wall time of one invoke / 50. Median of N runs per mode (modes interleaved, after warm-up runs),
// and the ratio to MemorySaver. Also the median cost of one put and one putWrites alone, and of the atomic write
// of a tiny file they are each built on (two fsyncs): a step costs about two of those.
// The core is bundled with esbuild into a temp dir (Node 20 cannot import TypeScript).
//   node test/bench/checkpoint.mjs   -> prints a table, writes test-results/bench/checkpoint.json (about 20 s)
// BENCH_CHECKPOINT_RUNS=N (default 9). On a shared 2-core machine the figures move with the load of other
// processes: the load average is printed before and after.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/checkpoint.json');
const RUNS = Number(process.env.BENCH_CHECKPOINT_RUNS ?? 9);
const WARMUP = 2;
const NODES = 50;
const OPS = 50;

const log = (message) => process.stderr.write(`bench-checkpoint: ${message}\n`);
const now = () => process.hrtime.bigint();
const msBetween = (t0, t1) => Number(t1 - t0) / 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function machineInfo() {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${process.platform}-${process.arch} ${release()}, load average ${load}`;
}

function diskInfo(dir) {
  const df = spawnSync('df', ['-T', dir], { encoding: 'utf8' });
  const line = df.stdout?.trim().split('\n')[1]?.split(/\s+/);
  return line ? `${dir} on ${line[0]} (${line[1]})` : dir;
}

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { JsonFileSaver } from './extension/core/plans/checkpoint/jsonFileSaver';",
        "export { writeJsonAtomic } from './extension/core/store/jsonStore';",
        "export { MemorySaver, emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';",
        "export { Annotation, END, START, StateGraph } from '@langchain/langgraph';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-checkpoint-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'checkpoint.cjs'),
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(path.join(dir, 'checkpoint.cjs'));
}

function linearGraph(lib, checkpointer) {
  const State = lib.Annotation.Root({
    n: lib.Annotation(),
    log: lib.Annotation({ reducer: (a, b) => [...a, ...b].slice(-10), default: () => [] }),
  });
  let graph = new lib.StateGraph(State);
  for (let i = 0; i < NODES; i++)
    graph = graph.addNode(`node${i}`, (s) => ({ n: s.n + 1, log: [`node${i}`] }));
  graph = graph.addEdge(lib.START, 'node0');
  for (let i = 1; i < NODES; i++) graph = graph.addEdge(`node${i - 1}`, `node${i}`);
  graph = graph.addEdge(`node${NODES - 1}`, lib.END);
  return graph.compile(checkpointer ? { checkpointer } : {});
}

async function main() {
  const machineBefore = machineInfo();
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-checkpoint-'));
  try {
    const lib = await bundle(dir);
    const root = path.join(dir, 'checkpoints');
    const jsonSaver = new lib.JsonFileSaver({ root });
    const modes = {
      none: { graph: linearGraph(lib, undefined) },
      memory: { graph: linearGraph(lib, new lib.MemorySaver()) },
      jsonAsync: { graph: linearGraph(lib, jsonSaver), durability: 'async' },
      jsonSync: { graph: linearGraph(lib, jsonSaver), durability: 'sync' },
    };
    const samples = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
    let thread = 0;
    for (let run = 0; run < WARMUP + RUNS; run++) {
      for (const [name, mode] of Object.entries(modes)) {
        const config = { configurable: { thread_id: `run-${thread++}` }, recursionLimit: NODES + 10 };
        if (mode.durability) config.durability = mode.durability;
        const t0 = now();
        const out = await mode.graph.invoke({ n: 0 }, config);
        const ms = msBetween(t0, now());
        if (out.n !== NODES) throw new Error(`${name}: the graph ended at n=${out.n}, not ${NODES}`);
        if (run >= WARMUP) samples[name].push(ms / NODES);
      }
    }
    await jsonSaver.flush();
    // Pruning really ran: each thread folder holds the 20 newest of its 52 checkpoints.
    const lastThread = readdirSync(root).sort().at(-1);
    const kept = readdirSync(path.join(root, lastThread, 'root')).filter((f) =>
      f.endsWith('.checkpoint.json'),
    );
    if (kept.length !== 20) throw new Error(`expected 20 checkpoints kept, found ${kept.length}`);
    if (jsonSaver.problems().length > 0) throw new Error(JSON.stringify(jsonSaver.problems()));

    // One put and one putWrites alone, on a thread that already prunes.
    const opsSaver = new lib.JsonFileSaver({ root: path.join(dir, 'ops') });
    const putMs = [];
    const writesMs = [];
    let config = { configurable: { thread_id: 'ops' } };
    for (let i = 0; i < OPS + 25; i++) {
      const checkpoint = {
        ...lib.emptyCheckpoint(),
        id: lib.uuid6(-1),
        channel_values: { n: i, log: ['x'] },
        channel_versions: { n: i + 1, log: 1 },
      };
      const t0 = now();
      config = await opsSaver.put(config, checkpoint, { source: 'loop', step: i, parents: {} }, { n: i + 1 });
      const t1 = now();
      await opsSaver.putWrites(config, [['n', i + 1]], `task-${i}`);
      const t2 = now();
      if (i >= 25) {
        putMs.push(msBetween(t0, t1));
        writesMs.push(msBetween(t1, t2));
      }
    }

    // The floor: the repo's atomic JSON write (temporary file, fsync, rename, fsync of the folder) of a tiny file.
    const atomicMs = [];
    for (let i = 0; i < OPS; i++) {
      const t0 = now();
      await lib.writeJsonAtomic(path.join(dir, 'floor', `f${i}.json`), { i });
      atomicMs.push(msBetween(t0, now()));
    }

    const perStep = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
    const machineAfter = machineInfo();
    const rows = [
      ['no checkpointer', perStep.none, undefined],
      ['MemorySaver', perStep.memory, 1],
      ['JsonFileSaver, durability async', perStep.jsonAsync, perStep.jsonAsync / perStep.memory],
      ['JsonFileSaver, durability sync', perStep.jsonSync, perStep.jsonSync / perStep.memory],
    ];
    console.log(
      `\n${NODES}-node linear StateGraph, median of ${RUNS} runs per mode (after ${WARMUP} warm-up runs)`,
    );
    console.log('mode                              ms per step   vs MemorySaver');
    for (const [name, ms, ratio] of rows) {
      console.log(
        `${name.padEnd(34)}${ms.toFixed(3).padStart(11)}   ${ratio === undefined ? '' : `${ratio.toFixed(1)}x`}`,
      );
    }
    console.log(
      `JSON saver overhead per step over MemorySaver: ${(perStep.jsonAsync - perStep.memory).toFixed(3)} ms (async), ${(perStep.jsonSync - perStep.memory).toFixed(3)} ms (sync)`,
    );
    console.log(
      `one put (with pruning): median ${median(putMs).toFixed(3)} ms; one putWrites: median ${median(writesMs).toFixed(3)} ms (${OPS} each)`,
    );
    console.log(
      `one atomic write of a tiny JSON file (writeJsonAtomic: temp file, fsync, rename, fsync folder): median ${median(atomicMs).toFixed(3)} ms`,
    );
    console.log(`disk: ${diskInfo(dir)}`);
    console.log(`machine before: ${machineBefore}`);
    console.log(`machine after:  ${machineAfter}`);
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(
      resultFile,
      `${JSON.stringify(
        {
          machineBefore,
          machineAfter,
          disk: diskInfo(dir),
          nodes: NODES,
          runs: RUNS,
          msPerStep: perStep,
          ratioToMemory: {
            jsonAsync: perStep.jsonAsync / perStep.memory,
            jsonSync: perStep.jsonSync / perStep.memory,
          },
          putMs: median(putMs),
          putWritesMs: median(writesMs),
          atomicWriteMs: median(atomicMs),
          samples,
        },
        null,
        2,
      )}\n`,
    );
    log(`wrote ${path.relative(repoRoot, resultFile)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
