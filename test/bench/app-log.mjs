// The app log alone (issue 7: the `mcp.tool.invoke` line every MCP tool call writes): microseconds per line
// written to a real file through FleetAI's createAppLog, against
//   - "old": pino with the path redaction the app log used until session 5 (`context.KEY`, `context.*.KEY`,
//     `context.*.*.KEY` for the ten secret keys), everything else configured the same;
//   - "floor": the same pino with no redaction at all (what serialising and writing a line costs by itself).
// Two contexts: the flat `mcp.tool.invoke` one (with its `error` object) and a nested one with secrets at
// depths 1-3 and inside an array. Sides interleaved in batches, rotating which goes first; median per batch.
//   node test/bench/app-log.mjs   -> a table, and test-results/bench/app-log.json; exit 0
// `benchRows()` runs it in a child process for test/bench/run.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultFile = path.join(repoRoot, 'test-results/bench/app-log.json');
const LINES = Number(process.env.BENCH_APPLOG_LINES ?? 40_000);
const BATCH = 500;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

const SECRET_KEYS = [
  'apiKey',
  'api_key',
  'token',
  'accessToken',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'webhookKey',
  'cookie',
];
const OLD_REDACT_PATHS = SECRET_KEYS.flatMap((key) => [
  `context.${key}`,
  `context.*.${key}`,
  `context.*.*.${key}`,
]);

async function bundle(dir) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { createAppLog } from './extension/core/observability/appLog';",
        "export { default as pino } from 'pino';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'bench-app-log-entry.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(dir, 'applog.cjs'),
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(path.join(dir, 'applog.cjs'));
}

/** pino configured as createAppLog configured it before session 5, with or without its path redaction. */
function pinoLog(pino, file, redact) {
  const destination = pino.destination({ dest: file, sync: false, mkdir: true, minLength: 1 });
  const logger = pino(
    {
      level: 'info',
      base: undefined,
      messageKey: 'event',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      ...(redact ? { redact: { paths: OLD_REDACT_PATHS, censor: '[redacted]' } } : {}),
    },
    destination,
  );
  return {
    info: (category, event, context) => logger.info({ category, event, context }),
    flush: () => new Promise((resolve) => logger.flush(() => resolve())),
    close: () => new Promise((resolve) => logger.flush(() => (destination.end(), resolve()))),
  };
}

const CONTEXTS = {
  // What McpBridge.logInvoke writes for a failed call (a successful one has no `error`).
  flat: () => ({
    alias: 'everything',
    tool: 'echo',
    arguments: '{"message":"bench","token":"***"}',
    duration_ms: 0.31,
    result_bytes: 42,
    is_error: false,
    error: { code: 'E_MCP_CALL_FAILED', message: 'server said no' },
  }),
  nested: () => ({
    token: 'sk-depth-1',
    request: {
      url: 'https://example.test/v1',
      headers: { authorization: 'Bearer sk-depth-3', accept: '*/*' },
    },
    provider: { apiKey: 'sk-depth-2', model: 'gpt-x' },
    hooks: [{ name: 'a', secret: 'sk-in-array' }, { name: 'b' }],
    attempt: 2,
  }),
};

async function measure(mod, dir) {
  const logs = {
    new: mod.createAppLog({ file: path.join(dir, 'new.jsonl') }),
    old: pinoLog(mod.pino, path.join(dir, 'old.jsonl'), true),
    floor: pinoLog(mod.pino, path.join(dir, 'floor.jsonl'), false),
  };
  const names = Object.keys(logs);
  const result = {};
  for (const [shape, make] of Object.entries(CONTEXTS)) {
    // Contexts built beforehand: the bench times the log, not the caller building its object.
    const contexts = Array.from({ length: BATCH }, make);
    const batch = async (name) => {
      const log = logs[name];
      const t = performance.now();
      for (let i = 0; i < BATCH; i++) log.info('mcp', 'mcp.tool.invoke', contexts[i]);
      // The lines on disk are part of the cost: a batch ends when sonic-boom has written them.
      await log.flush();
      return ((performance.now() - t) * 1000) / BATCH;
    };
    for (let i = 0; i < 10; i++) for (const name of names) await batch(name);
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    for (let done = 0, round = 0; done < LINES; done += BATCH, round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        samples[name].push(await batch(name));
      }
    }
    result[shape] = Object.fromEntries(names.map((n) => [n, { usPerLine: median(samples[n]) }]));
  }
  for (const log of Object.values(logs)) await log.close();
  // The new log must still hide what the old one hid (and what it missed at depth 3 and below).
  const written = readFileSync(path.join(dir, 'new.jsonl'), 'utf8');
  for (const leak of ['sk-depth-1', 'sk-depth-2', 'sk-depth-3', 'sk-in-array'])
    if (written.includes(leak)) throw new Error(`the app log wrote the secret ${leak}`);
  return result;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-bench-applog-'));
  try {
    const mod = await bundle(dir);
    const loadBefore = loadavg()[0];
    const perShape = await measure(mod, dir);
    const out = {
      machine: machine(),
      load1: { before: loadBefore, after: loadavg()[0] },
      lines: LINES,
      perShape,
    };
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(
      `App log bench (${out.machine}), ${LINES} lines per side and context, median of ${BATCH}-line batches`,
    );
    for (const [shape, r] of Object.entries(perShape)) {
      console.log(
        `  ${shape.padEnd(6)} context: createAppLog ${r.new.usPerLine.toFixed(2)} µs/line, old path redaction ${r.old.usPerLine.toFixed(2)} µs/line (${(r.old.usPerLine / r.new.usPerLine).toFixed(1)}x), pino without redaction ${r.floor.usPerLine.toFixed(2)} µs/line`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For test/bench/run.mjs: runs this bench in a child and returns its table rows [name, value, target, ok]. */
export function benchRows() {
  process.stderr.write('bench: app log (test/bench/app-log.mjs)\n');
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`test/bench/app-log.mjs exited ${run.status ?? run.signal}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  return Object.entries(r.perShape).map(([shape, s]) => [
    `App log line, ${shape} context (median per line; old path redaction, no redaction)`,
    `${s.new.usPerLine.toFixed(1)} µs (old ${s.old.usPerLine.toFixed(1)} µs, none ${s.floor.usPerLine.toFixed(1)} µs)`,
    '',
    true,
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
