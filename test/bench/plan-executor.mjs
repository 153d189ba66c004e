// Executor overhead per plan node (issue 6): a plan of N sequential `file exists` tasks (almost no work of their
// own) run to the end by the real executor (extension/core/plans/executor, LangGraph.js) with FleetAI's JSON file
// checkpoints (durability sync, what surviving a crash needs) and with LangGraph's in-memory saver. Per node =
// wall time of the run / N; median of BENCH_RUNS runs per mode (modes interleaved, after a warm-up run), and the
// ratio JSON / memory. The core is bundled with esbuild into a temp dir (Node 20 cannot import TypeScript).
//   node test/bench/plan-executor.mjs   -> a table, and test-results/bench/plan-executor.json
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/plan-executor.json');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NODES = Number(process.env.BENCH_PLAN_NODES ?? 100);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { runPlan } from './extension/core/plans/executor';",
        "export { validatePlan } from './extension/core/plans/validatePlan';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-plan-executor-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'executor.cjs'),
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(path.join(dir, 'executor.cjs'));
}

function plan() {
  const tasks = Array.from({ length: NODES }, (_, i) => ({
    id: `t${i}`,
    type: 'local_task',
    title: `check ${i}`,
    action: { kind: 'file', operation: 'exists', path: 'marker.txt' },
  }));
  return {
    schemaVersion: 1,
    id: 'bench',
    title: `${NODES} sequential tasks`,
    root: 'main',
    nodes: [{ id: 'main', type: 'sequence', title: 'all', children: tasks.map((t) => t.id) }, ...tasks],
  };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-executor-'));
  try {
    const lib = await bundle(dir);
    const checked = lib.validatePlan(plan());
    if (!checked.ok) throw new Error(`the bench plan does not validate: ${JSON.stringify(checked.problems)}`);
    const run = async (mode, i) => {
      const workspace = path.join(dir, `ws-${mode}-${i}`);
      mkdirSync(workspace, { recursive: true });
      writeFileSync(path.join(workspace, 'marker.txt'), 'x');
      const t0 = performance.now();
      const result = await lib.runPlan({
        plan: checked.plan,
        workspace,
        stateDir: path.join(workspace, '.fleetai/state'),
        checkpointer: mode,
        wait: false,
      });
      const ms = performance.now() - t0;
      if (result.status !== 'done') throw new Error(`the ${mode} run ended ${result.status}`);
      return ms / NODES;
    };
    await run('memory', 'warm');
    await run('json', 'warm');
    const samples = { memory: [], json: [] };
    for (let i = 0; i < RUNS; i++) {
      samples.memory.push(await run('memory', i));
      samples.json.push(await run('json', i));
    }
    const memory = median(samples.memory);
    const json = median(samples.json);
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`;
    const out = {
      machine,
      nodes: NODES,
      runs: RUNS,
      msPerNode: { memory, json },
      ratio: json / memory,
      samples,
    };
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`Plan executor, ${NODES} sequential tasks, median of ${RUNS} runs (${machine})`);
    console.log(`  in-memory checkpoints   ${memory.toFixed(2)} ms per node`);
    console.log(`  JSON file checkpoints   ${json.toFixed(2)} ms per node (durability sync)`);
    console.log(`  ratio JSON / memory     ${(json / memory).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
