// Generated, deterministic plan graphs for the plan graph bench (test/bench/plan-graph.mjs): a plan of N graph
// nodes mixing every node type, with its edges derived by the same rules as planFlow() in
// extension/core/plans/planGraph.ts (ported here: the bench must not import the extension's TypeScript), and
// live states as a run half-way through would have them. The shape is webview/plan/model.ts's PlanGraphSnapshot,
// which the app checks, so a drift shows up as a protocol error in the bench.

const RISKS = ['low', 'medium', 'high', 'critical'];

/** planFlow() of planGraph.ts, on the same plan tree shape (`children`, `then`/`else`, `body`). */
export function flowOf(plan) {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const order = [];
  const seen = new Set();
  const queue = [plan.root];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    const n = byId.get(id);
    const refs =
      n.type === 'sequence' || n.type === 'parallel'
        ? n.children
        : n.type === 'conditional'
          ? [n.then, ...(n.else ? [n.else] : [])]
          : n.type === 'loop'
            ? [n.body]
            : [];
    queue.push(...refs);
  }
  const ends = new Map();
  const edges = [];
  const endsOf = (c) => ends.get(c) ?? [c];
  for (const id of [...order].reverse()) {
    const n = byId.get(id);
    switch (n.type) {
      case 'sequence':
        if (n.children.length) edges.push({ from: id, to: n.children[0], kind: 'start' });
        for (let i = 1; i < n.children.length; i++)
          for (const end of endsOf(n.children[i - 1]))
            edges.push({ from: end, to: n.children[i], kind: 'next' });
        ends.set(id, endsOf(n.children[n.children.length - 1]));
        break;
      case 'parallel':
        for (const c of n.children) {
          edges.push({ from: id, to: c, kind: 'fork' });
          for (const end of endsOf(c)) edges.push({ from: end, to: `${id}:join`, kind: 'join' });
        }
        ends.set(id, [`${id}:join`]);
        break;
      case 'conditional':
        edges.push({ from: id, to: n.then, kind: 'then' });
        if (n.else) edges.push({ from: id, to: n.else, kind: 'else' });
        ends.set(id, [...endsOf(n.then), ...(n.else ? endsOf(n.else) : [id])]);
        break;
      case 'loop':
        edges.push({ from: id, to: n.body, kind: 'body' });
        for (const end of endsOf(n.body)) edges.push({ from: end, to: id, kind: 'repeat' });
        ends.set(id, [id]);
        break;
      default:
        ends.set(id, [id]);
    }
  }
  // indexPlan()'s parent map: the first control node that references each node.
  const parent = new Map();
  for (const id of order) {
    const n = byId.get(id);
    const refs = n.children ?? (n.type === 'conditional' ? [n.then, n.else] : n.body ? [n.body] : []);
    for (const c of refs) if (c && !parent.has(c)) parent.set(c, id);
  }
  const nodes = [];
  for (const id of order) {
    nodes.push({ id, role: 'node', parent: parent.get(id) });
    if (byId.get(id).type === 'parallel') nodes.push({ id: `${id}:join`, role: 'join', of: id, parent: id });
  }
  return { nodes, edges, byId };
}

/** A plan tree of about `size` graph nodes: a root sequence of blocks of every kind. */
export function planTree(size) {
  const nodes = [];
  let n = 0;
  const add = (type, extra = {}) => {
    const id = `${type.replace(/_.*/, '')}-${++n}`;
    nodes.push({ id, type, title: titleOf(type, n), ...extra });
    return id;
  };
  const rootChildren = [];
  nodes.push({ id: 'root', type: 'sequence', title: 'Feature on a branch', children: rootChildren });
  let count = 1;
  const kinds = [
    'local_task',
    'parallel',
    'conditional',
    'agent_invocation',
    'loop',
    'mcp_tool',
    'human_approval',
  ];
  for (let k = 0; count < size; k++) {
    const room = size - count;
    const kind = room < 8 ? 'local_task' : kinds[k % kinds.length];
    if (kind === 'parallel') {
      const children = [add('agent_invocation'), add('mcp_tool'), add('local_task')];
      rootChildren.push(add('parallel', { children }));
      count += 5; // three children, the block and its join
    } else if (kind === 'conditional') {
      const then = add('local_task');
      const otherwise = add('external_service');
      rootChildren.push(add('conditional', { then, else: otherwise }));
      count += 3;
    } else if (kind === 'loop') {
      const body = add('sequence', { children: [add('agent_invocation'), add('local_task')] });
      rootChildren.push(add('loop', { body }));
      count += 4;
    } else {
      rootChildren.push(add(kind));
      count += 1;
    }
  }
  return { root: 'root', nodes };
}

function titleOf(type, n) {
  const words = {
    local_task: [
      'Run the unit tests',
      'Build the extension',
      'Lint the changed files',
      'Write the changelog',
    ],
    agent_invocation: [
      'Implement the parser',
      'Review the diff',
      'Fix the failing test',
      'Plan the migration',
    ],
    mcp_tool: ['Search the docs', 'Read the issue', 'List open PRs'],
    external_service: ['Notify the channel', 'Open a ticket'],
    human_approval: ['Approve the merge', 'Approve the release'],
    parallel: ['Checks in parallel'],
    conditional: ['Tests passed?'],
    loop: ['Until the review is clean'],
    sequence: ['Fix and re-check'],
  }[type] ?? ['Step'];
  return `${words[n % words.length]} #${n}`;
}

/**
 * The snapshot of a run of that plan: nodes in BFS order before `progress` (a fraction) are done, the next one
 * running, the first approval after it waiting, one failed; the else branch of finished conditionals skipped.
 */
export function planSnapshot({ size = 100, progress = 0.4, now = Date.now() } = {}) {
  const plan = planTree(size);
  const flow = flowOf(plan);
  // Progress follows the run's order (depth first through the root sequence), not the graph's listing order.
  const rank = new Map();
  const visit = (id) => {
    rank.set(id, rank.size);
    const n = flow.byId.get(id);
    const refs = n.children ?? (n.type === 'conditional' ? [n.then, n.else] : n.body ? [n.body] : []);
    for (const c of refs) visit(c);
    if (n.type === 'parallel') rank.set(`${id}:join`, rank.size);
  };
  visit(plan.root);
  const cut = Math.floor(flow.nodes.length * progress);
  let waiting = false;
  const skipped = new Set();
  const nodes = flow.nodes.map((fn) => {
    const i = rank.get(fn.id);
    const source = fn.role === 'join' ? flow.byId.get(fn.of) : flow.byId.get(fn.id);
    let state = i < cut ? 'done' : i === cut ? 'running' : 'pending';
    if (i < cut && source.type === 'conditional' && source.else) skipped.add(source.else);
    if (i === cut + 3) state = 'failed';
    if (i > cut && !waiting && source.type === 'human_approval' && fn.role === 'node') {
      state = 'waiting_approval';
      waiting = true;
    }
    const work = fn.role === 'node' && !['sequence', 'parallel', 'conditional', 'loop'].includes(source.type);
    return {
      id: fn.id,
      type: fn.role === 'join' ? 'join' : source.type,
      ...(fn.parent ? { parent: fn.parent } : {}),
      title: fn.role === 'join' ? `${source.title} (join)` : source.title,
      state,
      riskLevel: RISKS[i % 7 === 0 ? 2 : i % 13 === 0 ? 3 : i % 3 === 0 ? 1 : 0],
      requiresApproval: source.type === 'human_approval' || i % 17 === 0,
      attempts: state === 'failed' ? 3 : state === 'done' || state === 'running' ? 1 : 0,
      ...(work && state !== 'pending'
        ? {
            outputExcerpt:
              `$ ${source.title}\n` +
              `line ${i}: ok\n`.repeat(4) +
              (state === 'failed' ? 'Error: exit 1\n' : ''),
          }
        : {}),
    };
  });
  for (const node of nodes) if (skipped.has(node.id) && node.state === 'done') node.state = 'skipped';
  return {
    runId: `run-${size}`,
    planId: 'feature-branch',
    planTitle: `Feature on a branch (${size} nodes)`,
    updatedAt: new Date(now).toISOString(),
    nodes,
    edges: flow.edges,
  };
}
