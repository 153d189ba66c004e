// Tree refresh with 100 panes (issue 5 target: under 20 ms per state change). Measures FleetAI's work per
// refresh of the Agents view — the provider's handling of the change plus every TreeItem VS Code then asks
// for — and of the Approvals view with 500 requests. `vscode` is a small shim (test/bench/tree/vscodeShim.cjs):
// the workbench's own painting is not included (it is VS Code's, virtualised, and the same for any extension).
//   node test/bench/tree-refresh.mjs [--json]     BENCH_ITER=N iterations per case (default 500)
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const outFile = path.join(repoRoot, 'dist/bench/tree.cjs');
mkdirSync(path.dirname(outFile), { recursive: true });
await build({
  entryPoints: [path.join(here, 'tree/entry.ts')],
  outfile: outFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  alias: { vscode: path.join(here, 'tree/vscodeShim.cjs') },
  logLevel: 'warning',
});
const { AgentsTreeProvider, ApprovalsTreeProvider } = createRequire(import.meta.url)(outFile);

const iterations = Number(process.env.BENCH_ITER ?? 500);
const PANES = 100;
const APPROVALS = 500;
const STATES = ['working', 'awaiting_input', 'awaiting_approval', 'stalled', 'error'];

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

/** A registry of 100 panes with what the real one gives the view (names, kinds, branches, states, evidence). */
function fakeRegistry() {
  const listeners = new Set();
  const panes = Array.from({ length: PANES }, (_, i) => ({
    id: `p${i + 1}`,
    name: `codex (p${i + 1})`,
    kind: ['codex', 'claude', 'gemini'][i % 3],
    displayName: 'Codex CLI',
    version: '0.169.0',
    command: 'codex',
    args: ['--no-alt-screen'],
    cwd: `/work/repo.worktrees/feature-${i}`,
    branch: `feature/task-${i}`,
    exited: false,
    state: {
      name: STATES[i % STATES.length],
      reason: 'screen: prompt box idle',
      evidence: ['› Ask Codex to do anything', '  ⏎ send   ⌃J newline'],
      since: new Date(Date.now() - i * 7000).toISOString(),
    },
  }));
  const byId = new Map(panes.map((p) => [p.id, p]));
  return {
    panes,
    list: () => panes,
    get: (id) => byId.get(id),
    onDidChange: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    emit: (change) => listeners.forEach((l) => l(change)),
  };
}

function fakeMeta(registry) {
  const meta = new Map(
    registry.panes.map((p, i) => [
      p.id,
      {
        pane: p.id,
        phase: ['PLANNING', 'EXECUTING', 'VERIFYING'][i % 3],
        blockers:
          i % 4 === 0
            ? [{ kind: 'stall', reason: 'no progress for 120 s', retries: 1, since: p.state.since }]
            : [],
        next_actions: ['run the tests', 'open a pull request'],
        last_command_result: {
          command_id: `c${i}`,
          text: 'npm test',
          result: 'success',
          detail: 'exit 0',
          ts: p.state.since,
        },
      },
    ]),
  );
  const listeners = new Set();
  return {
    meta,
    metaFor: (id) => meta.get(id),
    onDidChange: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    emit: () => listeners.forEach((l) => l()),
  };
}

/** Runs `change`, then builds every TreeItem the view's onDidChangeTreeData asked for (what VS Code does). */
function timedRefresh(provider, change) {
  const asked = [];
  const sub = provider.onDidChangeTreeData((e) => asked.push(e));
  const t0 = performance.now();
  change();
  let items = 0;
  for (const element of asked) {
    const elements = element === undefined ? provider.getChildren() : [element];
    for (const e of elements) {
      provider.getTreeItem(e);
      items++;
    }
  }
  const ms = performance.now() - t0;
  sub.dispose();
  return { ms, items };
}

const registry = fakeRegistry();
const supervisor = fakeMeta(registry);
const agents = new AgentsTreeProvider();
agents.attach(registry);
agents.bindSupervisor(supervisor);
for (const id of agents.getChildren()) agents.getTreeItem(id); // what the view shows first

const cases = {};
const run = (name, fn) => {
  for (let i = 0; i < 20; i++) fn(i); // warm-up
  const samples = [];
  let items = 0;
  for (let i = 0; i < iterations; i++) {
    const r = fn(i);
    samples.push(r.ms);
    items = r.items;
  }
  cases[name] = { ...stats(samples), itemsPerRefresh: items };
};

// 1. One pane changes state: the registry's event, then the one item VS Code asks for again.
run('agents: one pane changes state (100 panes)', (i) => {
  const pane = registry.panes[i % PANES];
  const from = pane.state.name;
  pane.state = {
    ...pane.state,
    name: STATES[(STATES.indexOf(from) + 1) % STATES.length],
    since: new Date().toISOString(),
  };
  return timedRefresh(agents, () =>
    registry.emit({ type: 'state', pane, event: { from, to: pane.state.name } }),
  );
});
// 2. The supervisor saves (every heartbeat, and after each decision) with one pane's phase changed: the view
//    compares all 100 items and refreshes the one that differs.
run('agents: supervisor save, one phase changed (100 panes)', (i) => {
  const m = supervisor.meta.get(`p${(i % PANES) + 1}`);
  m.phase = m.phase === 'EXECUTING' ? 'VERIFYING' : 'EXECUTING';
  return timedRefresh(agents, () => supervisor.emit());
});
// 3. A pane added or removed: the whole list again.
run('agents: whole list refreshed (100 panes)', () =>
  timedRefresh(agents, () => registry.emit({ type: 'removed', id: 'none' })),
);

// 4. The Approvals view with 500 requests: one more arrives.
const pending = Array.from({ length: APPROVALS }, (_, i) => ({
  id: `a${i}`,
  pane: `p${(i % PANES) + 1}`,
  branch: `feature/task-${i % PANES}`,
  agent: 'codex',
  kind: i % 3 === 0 ? 'edit' : 'command',
  command: i % 3 === 0 ? undefined : `npm run build -- --target ${i}`,
  reason: 'the agent asks to run a command outside the sandbox',
  risk: ['low', 'medium', 'high', 'critical'][i % 4],
  reasons: ['writes outside the workspace'],
  source: 'agent',
  requestedAt: new Date().toISOString(),
}));
const approvalsListeners = new Set();
const approvals = new ApprovalsTreeProvider({
  pending: () => pending,
  onDidChange: (l) => {
    approvalsListeners.add(l);
    return { dispose: () => approvalsListeners.delete(l) };
  },
});
run('approvals: one request added (500 pending)', (i) => {
  pending.push({ ...pending[0], id: `new-${i}` });
  pending.shift();
  return timedRefresh(approvals, () => approvalsListeners.forEach((l) => l()));
});
run('approvals: heartbeat, nothing changed (500 pending)', () =>
  timedRefresh(approvals, () => approvalsListeners.forEach((l) => l())),
);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.versions.node}`;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ machine, iterations, cases }));
} else {
  console.log(`Tree refresh (FleetAI's provider work per refresh; ${iterations} runs each; ${machine})`);
  console.log(
    'case'.padEnd(58),
    'median ms'.padStart(10),
    'p95 ms'.padStart(8),
    'items'.padStart(6),
    '  target < 20 ms',
  );
  for (const [name, r] of Object.entries(cases)) {
    console.log(
      name.padEnd(58),
      r.median.toFixed(3).padStart(10),
      r.p95.toFixed(3).padStart(8),
      String(r.itemsPerRefresh).padStart(6),
      r.p95 < 20 ? '  met' : '  MISSED',
    );
  }
}
