// Plan validation speed (issue 6: "validation of a 1,000-node plan, target under 50 ms").
// A generated 1,000-node plan with every node type (sequences, parallel blocks, conditionals reading earlier
// nodes, bounded loops, approvals, local tasks of each kind, agents, MCP tools, external services) is validated
// RUNS times after WARMUP runs, three ways:
//   object: validatePlan(parsed JSON): the zod schema, references, cycles, reachability, condition paths;
//   text:   validatePlanText(file text): JSON parse + the same + line/column of each problem (what the CLI does);
//   broken: the same plan with 20 problems planted (unknown ids, a cycle, detached nodes, bad statuses), so the
//           error paths (messages, suggestions) are measured too, as an object and as text (whose problems are
//           then placed at their line and column).
// The core is bundled with esbuild into a temp dir first (Node 20 cannot import TypeScript); the bundle time is
// not part of the figures.
//   node test/bench/plan-validate.mjs   -> prints a table, writes test-results/bench/plan-validate.json
// BENCH_PLAN_RUNS=N (default 200), BENCH_PLAN_NODES=N (default 1000). On a shared 2-core machine the figures
// move with the load of other processes: the load average is printed before and after.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/plan-validate.json');
const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 200);
const WARMUP = 30;
const NODES = Number(process.env.BENCH_PLAN_NODES ?? 1000);
const TARGET_MS = 50;

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ` +
  `${process.platform}-${process.arch} ${release()}`;

async function bundle(dir) {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'plans.mjs');
  await build({
    stdin: {
      contents: [
        "export { validatePlan } from './extension/core/plans/validatePlan';",
        "export { validatePlanText } from './extension/core/plans/planFile';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-plan-entry.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/**
 * Blocks of ten under one root sequence, cycling through the constructs: each block is a sequence or a parallel
 * block of work nodes, or a loop around a sequence, or a conditional reading a node of an earlier block.
 */
function generatePlan(count) {
  const nodes = [{ type: 'sequence', id: 'main', title: 'Main', children: [] }];
  const root = nodes[0];
  const work = (id, i) => {
    switch (i % 7) {
      case 0:
        return {
          type: 'local_task',
          id,
          title: id,
          action: { kind: 'command', command: 'node', args: ['-v'] },
        };
      case 1:
        return { type: 'local_task', id, title: id, action: { kind: 'script', script: 'echo hi' } };
      case 2:
        return {
          type: 'local_task',
          id,
          title: id,
          action: { kind: 'file', operation: 'write', path: `out/${id}.txt`, content: id },
        };
      case 3:
        return {
          type: 'agent_invocation',
          id,
          title: id,
          agent: { type: 'kind', agentKind: 'codex', branch: 'feature/bench' },
          prompt: `Do step ${id}`,
          completion: [{ kind: 'turn_end' }, { kind: 'file_exists', path: `out/${id}.md` }],
        };
      case 4:
        return {
          type: 'mcp_tool',
          id,
          title: id,
          server: 'everything',
          tool: 'echo',
          arguments: { message: id },
        };
      case 5:
        return {
          type: 'external_service',
          id,
          title: id,
          method: 'POST',
          url: 'https://example.com/hook',
          headersFromEnv: { Authorization: 'HOOK_TOKEN' },
          body: { id },
        };
      default:
        return { type: 'human_approval', id, title: id, question: `Approve ${id}?`, riskLevel: 'medium' };
    }
  };
  let made = 1;
  let lastWork;
  for (let block = 0; made < count; block++) {
    const blockId = `b${block}`;
    root.children.push(blockId);
    const shape = block % 4;
    if (shape === 3 && lastWork) {
      // A conditional reading an earlier block, with a sequence in each branch.
      const thenId = `${blockId}_then`;
      const elseId = `${blockId}_else`;
      nodes.push({
        type: 'conditional',
        id: blockId,
        title: blockId,
        condition: {
          any: [
            { equals: [`$.nodes.${lastWork}.status`, 'done'] },
            { exists: `$.nodes.${lastWork}.output.x` },
          ],
        },
        then: thenId,
        else: elseId,
      });
      const thenNode = { type: 'sequence', id: thenId, title: thenId, children: [] };
      const elseNode = { type: 'sequence', id: elseId, title: elseId, children: [] };
      nodes.push(thenNode, elseNode);
      made += 3;
      for (let i = 0; i < 7 && made < count; i++, made++) {
        const id = `${blockId}_${i}`;
        (i % 2 ? elseNode : thenNode).children.push(id);
        nodes.push(work(id, block + i));
      }
      if (thenNode.children.length === 0 || elseNode.children.length === 0) {
        // Too few nodes left for both branches: give each one a timer.
        for (const branch of [thenNode, elseNode]) {
          if (branch.children.length > 0) continue;
          const id = `${branch.id}_t`;
          branch.children.push(id);
          nodes.push({ type: 'local_task', id, title: id, action: { kind: 'timer', seconds: 1 } });
          made++;
        }
      }
      continue;
    }
    let container;
    if (shape === 2) {
      const bodyId = `${blockId}_body`;
      nodes.push({
        type: 'loop',
        id: blockId,
        title: blockId,
        body: bodyId,
        maxIterations: 3,
        until: { equals: [`$.nodes.${blockId}_0.status`, 'done'] },
      });
      container = { type: 'sequence', id: bodyId, title: bodyId, children: [] };
      nodes.push(container);
      made += 2;
    } else {
      container = { type: shape === 1 ? 'parallel' : 'sequence', id: blockId, title: blockId, children: [] };
      nodes.push(container);
      made += 1;
    }
    for (let i = 0; i < 8 && made < count; i++, made++) {
      const id = `${blockId}_${i}`;
      container.children.push(id);
      nodes.push(work(id, block + i));
      lastWork = id;
    }
    if (container.children.length === 0) {
      const id = `${blockId}_t`;
      container.children.push(id);
      nodes.push({ type: 'local_task', id, title: id, action: { kind: 'timer', seconds: 1 } });
      made++;
    }
  }
  return { schemaVersion: 1, id: 'bench', title: `Bench plan of ${nodes.length} nodes`, root: 'main', nodes };
}

/** Twenty planted problems of the kinds people make. */
function breakPlan(plan) {
  const broken = structuredClone(plan);
  const sequences = broken.nodes.filter((n) => n.type === 'sequence' && n.id !== 'main');
  for (let i = 0; i < 8; i++) sequences[i].children.push(`missing${i}`);
  for (let i = 8; i < 12; i++)
    broken.nodes.push({
      type: 'local_task',
      id: `detached${i}`,
      title: 'x',
      action: { kind: 'timer', seconds: 1 },
    });
  sequences[20].children.push('main');
  const conditionals = broken.nodes.filter((n) => n.type === 'conditional');
  for (let i = 0; i < 4; i++)
    conditionals[i].condition = { equals: [`$.nodes.${conditionals[i].then}.status`, 'success'] };
  const tasks = broken.nodes.filter((n) => n.type === 'local_task');
  for (let i = 0; i < 3; i++) tasks[i].retries = 99;
  return broken;
}

function measure(label, fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return {
    label,
    runs: RUNS,
    medianMs: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    maxMs: Math.max(...samples),
  };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-plan-'));
try {
  const plans = await bundle(tmp);
  const plan = generatePlan(NODES);
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  const broken = breakPlan(plan);
  const brokenText = `${JSON.stringify(broken, null, 2)}\n`;

  const sanity = plans.validatePlan(plan);
  if (!sanity.ok || sanity.problems.length > 0) {
    console.error(sanity.problems.slice(0, 5));
    throw new Error('the generated plan does not validate cleanly');
  }
  const brokenResult = plans.validatePlan(broken);
  if (brokenResult.errors < 20)
    throw new Error(`expected at least 20 errors in the broken plan, got ${brokenResult.errors}`);

  const loadBefore = load();
  const results = [
    measure('object (validatePlan)', () => plans.validatePlan(plan)),
    measure('text (validatePlanText, as the CLI)', () => plans.validatePlanText(text)),
    measure(`broken object (${brokenResult.errors} errors)`, () => plans.validatePlan(broken)),
    measure(`broken text (${brokenResult.errors} errors, placed)`, () => plans.validatePlanText(brokenText)),
  ];
  const loadAfter = load();

  const types = {};
  for (const node of plan.nodes) types[node.type] = (types[node.type] ?? 0) + 1;
  console.log(
    `plan validation, ${plan.nodes.length} nodes (${Math.round(text.length / 1024)} KiB of JSON), ${RUNS} runs after ${WARMUP} warm-up`,
  );
  console.log(
    `node types: ${Object.entries(types)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`machine: ${machine()}; load average before ${loadBefore}, after ${loadAfter}`);
  console.log('');
  console.log(
    `${'case'.padEnd(40)} ${'median'.padStart(9)} ${'p95'.padStart(9)} ${'max'.padStart(9)}  target < ${TARGET_MS} ms`,
  );
  for (const r of results) {
    const verdict = r.p95Ms < TARGET_MS ? 'ok' : 'OVER';
    console.log(
      `${r.label.padEnd(40)} ${r.medianMs.toFixed(2).padStart(6)} ms ${r.p95Ms.toFixed(2).padStart(6)} ms ${r.maxMs.toFixed(2).padStart(6)} ms  ${verdict}`,
    );
  }
  mkdirSync(path.dirname(resultFile), { recursive: true });
  writeFileSync(
    resultFile,
    `${JSON.stringify({ nodes: plan.nodes.length, jsonBytes: text.length, types, runs: RUNS, warmup: WARMUP, targetMs: TARGET_MS, machine: machine(), loadBefore, loadAfter, results }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(repoRoot, resultFile)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
