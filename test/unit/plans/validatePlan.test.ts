import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlanNodeInput } from '../../../extension/core/plans/planSchema';
import {
  formatPlanProblem,
  validatePlan,
  type PlanProblem,
  type PlanProblemCode,
} from '../../../extension/core/plans/validatePlan';
import { buildPlan, largePlan, plan, task, treeArbitrary } from './planFixtures';

const errorsOf = (input: unknown, code?: PlanProblemCode): PlanProblem[] =>
  validatePlan(input).problems.filter(
    (p) => p.severity === 'error' && (code === undefined || p.code === code),
  );
const lines = (input: unknown, locale: 'en' | 'zh-cn' = 'en'): string[] =>
  validatePlan(input, { locale }).problems.map((p) => formatPlanProblem(p, 'plan.json', locale));

describe('validatePlan: structure', () => {
  it('accepts a minimal plan and fills in the defaults', () => {
    const result = validatePlan(
      plan([{ type: 'sequence', id: 'main', title: 'Main', children: ['a'] }, task('a')]),
    );
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const a = result.plan!.nodes[1]!;
    expect(a).toMatchObject({
      requiresApproval: false,
      riskLevel: 'low',
      retries: 2,
      continueOnError: false,
    });
    expect(result.plan!.inputs).toEqual({});
  });

  it('names the file, the node index, its id and the field, as in `plan.json: nodes[3] (id "test"): retries: ...`', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b', 'test'] },
      task('a'),
      task('b'),
      task('test', { retries: 11 }),
    ]);
    expect(lines(input)).toEqual([
      'plan.json: nodes[3] (id "test"): retries: Too big: expected number to be <=10',
    ]);
  });

  it('says which node types exist when a type is unknown, and names unknown keys at the key', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b'] },
      { type: 'shell_task', id: 'a', title: 'A' },
      { ...task('b'), retrys: 3 },
    ] as PlanNodeInput[]);
    expect(lines(input)).toEqual([
      'plan.json: nodes[1] (id "a"): type: must be one of sequence, parallel, conditional, loop, human_approval, ' +
        'local_task, agent_invocation, mcp_tool, external_service',
      'plan.json: nodes[2] (id "b"): retrys: unknown key',
    ]);
  });

  it('refuses another schemaVersion, bounds loops and parallelism, and requires maxIterations', () => {
    const input = {
      ...plan([
        { type: 'parallel', id: 'main', title: 'Main', children: ['l'], maxConcurrency: 11 },
        { type: 'loop', id: 'l', title: 'L', body: 'a', maxIterations: 1001 },
        { type: 'loop', id: 'm', title: 'M', body: 'a' },
        task('a'),
      ] as PlanNodeInput[]),
      schemaVersion: 2,
    };
    const found = errorsOf(input, 'schema').map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'schemaVersion: this FleetAI reads plans with schemaVersion 1',
        'nodes.0.maxConcurrency: Too big: expected number to be <=10',
        'nodes.1.maxIterations: Too big: expected number to be <=1000',
        'nodes.2.maxIterations: Invalid input: expected number, received undefined',
      ]),
    );
  });

  it('keeps secrets out of plans: secret-looking headers and credentials in URLs are refused', () => {
    const input = plan([
      {
        type: 'external_service',
        id: 'call',
        title: 'Call',
        url: 'https://user:pw@example.com/x',
        headers: { Accept: 'application/json', Authorization: 'Bearer abc', 'X-Api-Key': 'k' },
        headersFromEnv: { Authorization: 'EXAMPLE_TOKEN' },
      },
    ]);
    const found = errorsOf(input).map((p) => p.path.slice(2).join('.'));
    expect(found.sort()).toEqual(['headers.Authorization', 'headers.X-Api-Key', 'url']);
  });

  it('checks a condition is data with exactly one operator', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'c'] },
      task('a'),
      {
        type: 'conditional',
        id: 'c',
        title: 'C',
        condition: { equals: ['$.nodes.a.status', 'done'], exists: '$.nodes.a.output' },
        then: 'b',
      },
      task('b'),
    ]);
    expect(errorsOf(input).map((p) => [p.path.slice(2).join('.'), p.message])).toEqual([
      [
        'condition',
        'a condition has exactly one of equals, notEquals, greaterThan, lessThan, contains, exists, all, any, not',
      ],
    ]);
  });

  it('checks file operations have the fields they use', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['w', 'c'] },
      { type: 'local_task', id: 'w', title: 'W', action: { kind: 'file', operation: 'write', path: 'x' } },
      {
        type: 'local_task',
        id: 'c',
        title: 'C',
        action: { kind: 'file', operation: 'delete', path: 'x', to: 'y' },
      },
    ] as PlanNodeInput[]);
    expect(lines(input)).toEqual([
      'plan.json: nodes[1] (id "w"): action.content: is required for write and append',
      'plan.json: nodes[2] (id "c"): action.to: is only used by copy and move',
    ]);
  });
});

describe('validatePlan: references, cycles, reachability', () => {
  it('reports an unknown child with a suggestion, a duplicate id, and an unknown root', () => {
    const input = plan(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['build', 'tset'] },
        task('build'),
        task('test'),
        task('build'),
      ],
      'mian',
    );
    expect(lines(input)).toEqual([
      'plan.json: root: no node has id "mian" (did you mean "main"?)',
      'plan.json: nodes[0] (id "main"): children[1]: no node has id "tset" (did you mean "test"?)',
      'plan.json: nodes[3] (id "build"): id: id "build" is already used by nodes[1]; every node needs its own id',
    ]);
  });

  it('reports a node placed twice (the first reference in file order is its place)', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['p', 'a'] },
      { type: 'parallel', id: 'p', title: 'P', children: ['a'] },
      task('a'),
    ]);
    const [problem] = errorsOf(input);
    expect(problem).toMatchObject({
      code: 'multiple_parents',
      path: ['nodes', 1, 'children', 0],
      nodeId: 'p',
    });
    expect(problem!.message).toContain('"a" is already placed at nodes[0].children[1]');
  });

  it('reports a back edge outside a loop as a cycle, with the chain of nodes', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['inner'] },
      { type: 'sequence', id: 'inner', title: 'Inner', children: ['a', 'main'] },
      task('a'),
    ]);
    const problems = errorsOf(input);
    expect(problems.map((p) => p.code)).toEqual(['cycle']);
    expect(formatPlanProblem(problems[0]!, 'plan.json')).toBe(
      'plan.json: nodes[1] (id "inner"): children[1]: cycle main → inner → main: a node cannot contain itself ' +
        'through its children; to repeat steps, put them in the body of a loop node with maxIterations',
    );
  });

  it('reports a node containing itself, and a detached cycle', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'main2'] },
      task('a'),
      { type: 'sequence', id: 'main2', title: 'Self', children: ['main2'] },
      { type: 'sequence', id: 'x', title: 'X', children: ['y'] },
      { type: 'loop', id: 'y', title: 'Y', body: 'x', maxIterations: 2 },
    ]);
    const cycles = errorsOf(input, 'cycle');
    expect(cycles.map((p) => p.path)).toEqual([
      ['nodes', 2, 'children', 0],
      ['nodes', 4, 'body'],
    ]);
    expect(cycles[1]!.message).toContain('cycle x → y → x');
    // Nodes of a cycle are not also reported as unreachable.
    expect(errorsOf(input, 'unreachable')).toEqual([]);
  });

  it('reports a detached subtree once, at its top, counting the nodes inside', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a'] },
      task('a'),
      { type: 'sequence', id: 'orphan', title: 'Orphan', children: ['b', 'c'] },
      task('b'),
      task('c'),
    ]);
    expect(lines(input)).toEqual([
      'plan.json: nodes[2] (id "orphan"): "orphan" and the 2 nodes inside it never run: it is not the root and no ' +
        "node that runs contains it (add its id to a sequence's children, or remove it)",
    ]);
  });

  it('reports a root placed inside another node', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a'] },
      task('a'),
      { type: 'sequence', id: 'z', title: 'Z', children: ['main'] },
    ]);
    expect(
      errorsOf(input)
        .map((p) => p.code)
        .sort(),
    ).toEqual(['root_contained', 'unreachable']);
  });

  it('still checks references when a node has a schema error (one pass gives every problem)', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'missing'] },
      task('a', { retries: -1 }),
    ]);
    expect(errorsOf(input).map((p) => p.code)).toEqual(['unknown_node', 'schema']);
  });
});

describe('validatePlan: condition paths', () => {
  const withCondition = (condition: unknown, extra: PlanNodeInput[] = []) =>
    plan(
      [
        {
          type: 'sequence',
          id: 'main',
          title: 'Main',
          children: ['test', 'check', ...extra.map((n) => n.id)],
        },
        task('test'),
        { type: 'conditional', id: 'check', title: 'Check', condition, then: 'fix' },
        task('fix'),
        ...extra,
      ],
      'main',
      { inputs: { branch: 'main' } },
    );

  it('accepts paths to nodes that ran before and declared inputs', () => {
    const result = validatePlan(
      withCondition({
        all: [
          { equals: ['$.nodes.test.status', 'done'] },
          { exists: '$.nodes.test.output.summary' },
          { notEquals: ['$.inputs.branch', 'main'] },
        ],
      }),
    );
    expect(result.problems).toEqual([]);
  });

  it.each([
    [{ equals: ['$.nodes.tset.status', 'done'] }, 'no node has id "tset" (did you mean "test"?)'],
    [
      { equals: ['$.nodes.test.state', 'done'] },
      'a node\'s state has status, output, error, attempts, iterations (not "state")',
    ],
    [
      { equals: ['$.nodes.test.status', 'success'] },
      'a status is one of pending, running, waiting_approval, done, failed, skipped',
    ],
    [{ exists: '$.inputs.nope' }, 'no input "nope": declare it in the plan\'s inputs'],
    [{ exists: '$.env.HOME' }, 'is not a path FleetAI knows'],
    [{ greaterThan: ['$.nodes.test.iterations', 2] }, 'only loop nodes count iterations'],
    [{ exists: '$.nodes.test.status.code' }, 'only output has fields inside it'],
  ])('refuses %j', (condition, message) => {
    const [problem] = errorsOf(withCondition(condition));
    expect(problem?.message).toContain(message);
    expect(problem?.nodeId).toBe('check');
  });

  it('warns (without refusing) when a condition reads a node before it has run', () => {
    const result = validatePlan(withCondition({ equals: ['$.nodes.later.status', 'done'] }, [task('later')]));
    expect(result.ok).toBe(true);
    expect(result.problems).toMatchObject([
      { severity: 'warning', code: 'condition_order', path: ['nodes', 2, 'condition', 'equals', 0] },
    ]);
    expect(result.problems[0]!.message).toContain('runs later in sequence "main"');
  });

  it("lets a loop's until read its body and its own iterations", () => {
    const result = validatePlan(
      plan([
        {
          type: 'loop',
          id: 'retry',
          title: 'Retry',
          body: 'attempt',
          maxIterations: 3,
          until: {
            any: [
              { equals: ['$.nodes.attempt.status', 'done'] },
              { greaterThan: ['$.nodes.retry.iterations', 2] },
            ],
          },
        },
        task('attempt', { continueOnError: true }),
      ]),
    );
    expect(result.problems).toEqual([]);
  });

  it('speaks Simplified Chinese when asked, zod messages included', () => {
    const input = plan([
      { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'tset'] },
      task('a', { retries: 11 }),
      task('test'),
    ]);
    expect(lines(input, 'zh-cn')).toEqual([
      'plan.json: nodes[0] (id "main"): children[1]: 没有 id 为 "tset" 的节点（是不是 "test"？）',
      'plan.json: nodes[1] (id "a"): retries: 数值过大：期望 number <=10',
      'plan.json: nodes[2] (id "test"): "test"永远不会执行：它不是根节点，也没有会执行的节点包含它（请把它的 id 加入某个 sequence 的 children，或删除它）',
    ]);
  });
});

describe('validatePlan: properties over generated plans', () => {
  it('a plan generated as a tree (every construct, any file order) validates with no problem', () => {
    fc.assert(
      fc.property(treeArbitrary, fc.array(fc.nat(), { maxLength: 40 }), (tree, keys) => {
        const { plan: input } = buildPlan(tree, keys);
        const result = validatePlan(input);
        expect(result.problems).toEqual([]);
        expect(result.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('adding a back edge from a block to itself or an ancestor is reported as a cycle at that reference', () => {
    fc.assert(
      fc.property(treeArbitrary, fc.nat(), fc.nat(), (tree, pickBlock, pickAncestor) => {
        const { plan: input, ancestors } = buildPlan(tree);
        const blocks = input.nodes.filter(
          (n): n is Extract<PlanNodeInput, { children: string[] }> =>
            n.type === 'sequence' || n.type === 'parallel',
        );
        fc.pre(blocks.length > 0);
        const block = blocks[pickBlock % blocks.length]!;
        const chain = [block.id, ...ancestors.get(block.id)!];
        const target = chain[pickAncestor % chain.length]!;
        block.children.push(target);
        const index = input.nodes.indexOf(block);
        const cycles = errorsOf(input, 'cycle');
        expect(cycles.map((p) => p.path)).toContainEqual([
          'nodes',
          index,
          'children',
          block.children.length - 1,
        ]);
        expect(validatePlan(input).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('removing a child from a block leaves that child reported as never running', () => {
    fc.assert(
      fc.property(treeArbitrary, fc.nat(), (tree, pick) => {
        const { plan: input } = buildPlan(tree);
        const blocks = input.nodes.filter(
          (n): n is Extract<PlanNodeInput, { children: string[] }> =>
            (n.type === 'sequence' || n.type === 'parallel') && n.children.length > 1,
        );
        fc.pre(blocks.length > 0);
        const block = blocks[pick % blocks.length]!;
        const [removed] = block.children.splice(pick % block.children.length, 1);
        const unreachable = errorsOf(input, 'unreachable');
        expect(unreachable.map((p) => p.nodeId)).toEqual([removed]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('validatePlan: size', () => {
  it('validates a 1,000-node plan (speed is measured by test/bench/plan-validate.mjs)', () => {
    const input = largePlan(1000);
    expect(input.nodes).toHaveLength(1000);
    const result = validatePlan(input);
    expect(result.problems).toEqual([]);
  });
});
