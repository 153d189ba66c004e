import { z } from 'zod';
import { formatPath } from '../schemas/issues';
import { localizeMessage, pick, type PlanLocale } from './planMessages';
import { CONDITION_KEYS, NODE_STATE_FIELDS, NODE_STATUSES, PlanSchema, type Plan } from './planSchema';

/**
 * Checks a plan in the order a person fixes it: structure (the zod schema), references (ids that exist, each
 * node in one place, condition paths), cycles (only `loop` repeats), unreachable nodes. Every problem names the
 * node (`nodes[3] (id "test")`) and the JSON path of the field. The reference, cycle and reachability checks
 * read the raw input leniently, so a plan with a schema error still gets them all in one pass (a Designer
 * repairing a model's plan wants every problem at once).
 */

export type PlanProblemCode =
  /** The file cannot be read, or is not JSON (planFile.ts). */
  | 'file'
  | 'json'
  | 'schema'
  | 'duplicate_id'
  | 'unknown_node'
  | 'multiple_parents'
  | 'root_contained'
  | 'cycle'
  | 'unreachable'
  | 'condition_path'
  | 'condition_status'
  | 'condition_order';

export interface PlanProblem {
  /** Errors refuse the plan; warnings are shown and the plan runs. */
  severity: 'error' | 'warning';
  code: PlanProblemCode;
  /** Where in the file: `['nodes', 3, 'retries']`. */
  path: (string | number)[];
  /** The node the problem is in, when it is in one. */
  nodeIndex?: number;
  nodeId?: string;
  /** In the locale asked for; without the location (see `formatPlanProblem`). */
  message: string;
  /** 1-based, filled in when the plan's text is known (planFile.ts). */
  line?: number;
  column?: number;
}

export interface PlanValidation {
  ok: boolean;
  /** The plan with its defaults filled in; only when `ok`. */
  plan?: Plan;
  /** Errors then warnings, each group in node order. */
  problems: PlanProblem[];
  errors: number;
  warnings: number;
}

export interface ValidatePlanOptions {
  locale?: PlanLocale;
}

export function validatePlan(input: unknown, options: ValidatePlanOptions = {}): PlanValidation {
  const locale = options.locale ?? 'en';
  const say = (en: string, zh: string): string => pick(locale, { en, zh });
  const problems: PlanProblem[] = [];
  const skeleton = readSkeleton(input);
  const add = (
    severity: PlanProblem['severity'],
    code: PlanProblemCode,
    path: (string | number)[],
    message: string,
  ) => {
    const nodeIndex = path[0] === 'nodes' && typeof path[1] === 'number' ? path[1] : undefined;
    const nodeId = nodeIndex !== undefined ? skeleton.nodes[nodeIndex]?.id : undefined;
    problems.push({
      severity,
      code,
      path,
      ...(nodeIndex !== undefined ? { nodeIndex } : {}),
      ...(nodeId !== undefined ? { nodeId } : {}),
      message,
    });
  };

  // 1. Structure.
  const parsed = PlanSchema.safeParse(input, locale === 'zh-cn' ? { error: zhErrorMap() } : undefined);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      // One problem per unknown key, at the key: "nodes[3] (id "test"): retrys: unknown key".
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys) add('error', 'schema', [...path, key], say('unknown key', '未知的键'));
      else add('error', 'schema', path, localizeMessage(issue.message, locale));
    }
  }

  // 2. References.
  const { nodes } = skeleton;
  const firstIndex = new Map<string, number>();
  for (const node of nodes) {
    if (node.id === undefined) continue;
    const earlier = firstIndex.get(node.id);
    if (earlier === undefined) firstIndex.set(node.id, node.index);
    else
      add(
        'error',
        'duplicate_id',
        ['nodes', node.index, 'id'],
        say(
          `id "${node.id}" is already used by nodes[${earlier}]; every node needs its own id`,
          `id "${node.id}" 已被 nodes[${earlier}] 使用；每个节点的 id 必须唯一`,
        ),
      );
  }
  const ids = [...firstIndex.keys()];
  const cycleMessage = (loop: string): string =>
    say(
      `cycle ${loop}: a node cannot contain itself through its children; to repeat steps, put them in the ` +
        'body of a loop node with maxIterations',
      `循环引用 ${loop}：节点不能通过子节点包含它自己；要重复执行步骤，请把它们放进 loop 节点的 body 并设置 maxIterations`,
    );
  const unknown = (id: string): string => {
    const near = closest(id, ids);
    return say(
      `no node has id "${id}"${near ? ` (did you mean "${near}"?)` : ''}`,
      `没有 id 为 "${id}" 的节点${near ? `（是不是 "${near}"？）` : ''}`,
    );
  };
  const rootKnown = skeleton.root !== undefined && firstIndex.has(skeleton.root);
  if (skeleton.root !== undefined && !rootKnown)
    add('error', 'unknown_node', ['root'], unknown(skeleton.root));

  /** The first reference to each node: its place in the tree. */
  const parent = new Map<string, { index: number; field: (string | number)[] }>();
  const selfContained = new Set<string>();
  /** References to a node that already has its place: a second place, or a back edge. */
  const later: { index: number; from: string; ref: SkeletonNode['refs'][number] }[] = [];
  for (const node of nodes) {
    if (node.id === undefined || firstIndex.get(node.id) !== node.index) continue;
    for (const ref of node.refs) {
      const path = ['nodes', node.index, ...ref.field];
      if (!firstIndex.has(ref.id)) {
        add('error', 'unknown_node', path, unknown(ref.id));
      } else if (ref.id === node.id) {
        selfContained.add(node.id);
        add(
          'error',
          'cycle',
          path,
          say(
            `"${node.id}" contains itself; to repeat steps, put them in the body of a loop node with maxIterations`,
            `"${node.id}" 包含了它自己；要重复执行步骤，请把它们放进 loop 节点的 body 并设置 maxIterations`,
          ),
        );
      } else if (parent.has(ref.id)) {
        later.push({ index: node.index, from: node.id, ref });
      } else {
        parent.set(ref.id, { index: node.index, field: ref.field });
      }
    }
  }
  const parentId = (id: string): string | undefined => {
    const ref = parent.get(id);
    return ref ? nodes[ref.index]!.id : undefined;
  };

  // 3. Cycles: with one parent per node, a cycle is a parent chain that comes back to where it started.
  const inCycle = new Set<string>(selfContained);
  const state = new Map<string, 1 | 2>();
  for (const start of ids) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !state.has(current)) {
      state.set(current, 1);
      chain.push(current);
      current = parentId(current);
    }
    if (current !== undefined && state.get(current) === 1) {
      // The chain walked up to `current` twice: the members are `current` and the nodes walked after it.
      const members = chain.slice(chain.indexOf(current));
      for (const member of members) inCycle.add(member);
      // Report once, at the reference to the member listed first in the file.
      const first = members.reduce((a, b) => (firstIndex.get(a)! <= firstIndex.get(b)! ? a : b));
      const from = members.indexOf(first);
      // Walking up gives parents; containment reads the other way.
      const rotated = [...members.slice(from), ...members.slice(0, from)].reverse();
      const loop = [first, ...rotated.slice(0, -1), first].join(' → ');
      const ref = parent.get(first)!;
      add('error', 'cycle', ['nodes', ref.index, ...ref.field], cycleMessage(loop));
    }
    for (const id of chain) state.set(id, 2);
  }
  // A second reference is a back edge when it points at the node's own ancestor (a cycle through the tree),
  // else a second place for a node that already has one.
  for (const { index, from, ref } of later) {
    const path = ['nodes', index, ...ref.field];
    const chain = [from];
    const seen = new Set(chain);
    for (let at = parentId(from); at !== undefined && !seen.has(at); at = parentId(at)) {
      chain.push(at);
      seen.add(at);
      if (at === ref.id) break;
    }
    if (chain[chain.length - 1] === ref.id) {
      const loop = [...chain.reverse(), ref.id].join(' → ');
      add('error', 'cycle', path, cycleMessage(loop));
    } else {
      const first = parent.get(ref.id)!;
      add(
        'error',
        'multiple_parents',
        path,
        say(
          `"${ref.id}" is already placed at nodes[${first.index}].${formatPath(first.field)}; a node has one ` +
            'place in the plan (give a copy its own id)',
          `"${ref.id}" 已经放在 nodes[${first.index}].${formatPath(first.field)}；一个节点在计划中只能出现一次` +
            '（如需复用请复制并使用新的 id）',
        ),
      );
    }
  }
  if (skeleton.root !== undefined && rootKnown && !inCycle.has(skeleton.root)) {
    const ref = parent.get(skeleton.root);
    if (ref)
      add(
        'error',
        'root_contained',
        ['nodes', ref.index, ...ref.field],
        say(
          `"${skeleton.root}" is the plan's root: it cannot also be inside another node`,
          `"${skeleton.root}" 是计划的根节点，不能再放在其他节点里面`,
        ),
      );
  }

  // 4. Unreachable nodes: every node must be the root or inside a node that runs.
  if (rootKnown) {
    const reached = new Set<string>();
    const queue = [skeleton.root!];
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head]!;
      if (reached.has(id)) continue;
      reached.add(id);
      const node = nodes[firstIndex.get(id)!]!;
      for (const ref of node.refs) if (firstIndex.has(ref.id)) queue.push(ref.id);
    }
    // Reported once per detached subtree, at its top node (the one nothing contains), with the nodes inside it
    // counted: one missing reference should read as one problem.
    const inside = new Map<string, number>();
    for (const id of ids) {
      if (reached.has(id) || inCycle.has(id)) continue;
      const seen = new Set([id]);
      let top = id;
      for (let up = parentId(top); up !== undefined; up = parentId(top)) {
        if (seen.has(up)) break;
        seen.add(up);
        top = up;
      }
      if (top !== id && !inCycle.has(top) && parentId(top) === undefined)
        inside.set(top, (inside.get(top) ?? 0) + 1);
    }
    for (const node of nodes) {
      if (node.id === undefined || firstIndex.get(node.id) !== node.index) continue;
      if (reached.has(node.id) || inCycle.has(node.id) || parent.has(node.id)) continue;
      const count = inside.get(node.id) ?? 0;
      add(
        'error',
        'unreachable',
        ['nodes', node.index],
        say(
          `"${node.id}"${count > 0 ? ` and the ${count} node${count > 1 ? 's' : ''} inside it never run` : ' never runs'}` +
            ": it is not the root and no node that runs contains it (add its id to a sequence's children, or " +
            'remove it)',
          `"${node.id}"${count > 0 ? `及其内部的 ${count} 个节点` : ''}永远不会执行：它不是根节点，也没有会执行的节点包含它` +
            '（请把它的 id 加入某个 sequence 的 children，或删除它）',
        ),
      );
    }
  }

  // 5. Condition paths, and whether what they read has run by then.
  const noCycles = inCycle.size === 0;
  for (const node of nodes) {
    for (const use of node.paths) {
      const where = ['nodes', node.index, ...use.field];
      const problem = pathProblem(use.path, skeleton, firstIndex, say, unknown);
      if (problem) {
        add('error', 'condition_path', where, problem);
        continue;
      }
      const target = /^\$\.nodes\.([^.[\]]+)\.(\w+)/.exec(use.path);
      if (!target) continue;
      const [, targetId, field] = target as unknown as [string, string, string];
      if (field === 'status' && use.comparedWith !== undefined) {
        const value = use.comparedWith;
        if (typeof value !== 'string' || !(NODE_STATUSES as readonly string[]).includes(value))
          add(
            'error',
            'condition_status',
            where,
            say(
              `a status is one of ${NODE_STATUSES.join(', ')}; ${JSON.stringify(value)} never matches`,
              `状态只能是 ${NODE_STATUSES.join('、')} 之一；${JSON.stringify(value)} 永远不会匹配`,
            ),
          );
      }
      if (noCycles && node.id !== undefined && firstIndex.get(node.id) === node.index) {
        const late = readsTooEarly(node.id, use.owner, targetId, field, nodes, firstIndex, parent);
        if (late) add('warning', 'condition_order', where, say(...lateMessage(late, targetId)));
      }
    }
  }

  // Stable: within one node the problems keep the order they were found in (structure first).
  const rank = (p: PlanProblem): number => (p.severity === 'error' ? 0 : 1);
  const ordered = [...problems].sort(
    (a, b) => rank(a) - rank(b) || (a.nodeIndex ?? -1) - (b.nodeIndex ?? -1),
  );
  const errors = ordered.filter((p) => p.severity === 'error').length;
  const ok = errors === 0 && parsed.success;
  return {
    ok,
    ...(ok ? { plan: parsed.data } : {}),
    problems: ordered,
    errors,
    warnings: ordered.length - errors,
  };
}

let zhErrors: z.core.$ZodErrorMap | undefined;
/** zod's own messages in Simplified Chinese, made once. */
function zhErrorMap(): z.core.$ZodErrorMap {
  zhErrors ??= z.locales.zhCN().localeError;
  return zhErrors;
}

/** `plan.json:14:18: nodes[3] (id "test"): retries: must be ...`; the parts unknown are left out. */
export function formatPlanProblem(problem: PlanProblem, file?: string, locale: PlanLocale = 'en'): string {
  const location =
    file !== undefined
      ? `${file}${problem.line !== undefined ? `:${problem.line}:${problem.column ?? 1}` : ''}: `
      : '';
  const prefix = problem.severity === 'warning' ? pick(locale, { en: 'warning: ', zh: '警告: ' }) : '';
  const subject = problemSubject(problem);
  return `${location}${prefix}${subject ? `${subject}: ` : ''}${problem.message}`;
}

/** `nodes[3] (id "test"): retries`, `nodes[3] (id "test")`, `root`, or '' for the whole file. */
export function problemSubject(problem: Pick<PlanProblem, 'path' | 'nodeIndex' | 'nodeId'>): string {
  if (problem.nodeIndex === undefined) return formatPath(problem.path);
  const node = `nodes[${problem.nodeIndex}]${problem.nodeId !== undefined ? ` (id ${JSON.stringify(problem.nodeId)})` : ''}`;
  const field = formatPath(problem.path.slice(2));
  return field ? `${node}: ${field}` : node;
}

// ------------------------------------------------------------------------------------------- the skeleton

interface PathUse {
  path: string;
  /** Inside the node: `['condition', 'equals', 0]`. */
  field: (string | number)[];
  /** `condition` or `until`: when the condition is read. */
  owner: 'condition' | 'until';
  /** The other operand of an equals / notEquals, when it is a literal. */
  comparedWith?: unknown;
}

interface SkeletonNode {
  index: number;
  id?: string;
  type?: string;
  refs: { id: string; field: (string | number)[] }[];
  paths: PathUse[];
}

interface Skeleton {
  root?: string;
  inputs: Set<string>;
  nodes: SkeletonNode[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the graph checks need, read from whatever the input is, ignoring what does not fit (zod reports it). */
function readSkeleton(input: unknown): Skeleton {
  const plan = isRecord(input) ? input : {};
  const rawNodes = Array.isArray(plan.nodes) ? (plan.nodes as unknown[]) : [];
  const nodes = rawNodes.map((raw, index): SkeletonNode => {
    const node = isRecord(raw) ? raw : {};
    const refs: SkeletonNode['refs'] = [];
    const ref = (value: unknown, field: (string | number)[]): void => {
      if (typeof value === 'string') refs.push({ id: value, field });
    };
    const type = typeof node.type === 'string' ? node.type : undefined;
    if (type === 'sequence' || type === 'parallel') {
      if (Array.isArray(node.children))
        (node.children as unknown[]).forEach((c, i) => ref(c, ['children', i]));
    } else if (type === 'conditional') {
      ref(node.then, ['then']);
      ref(node.else, ['else']);
    } else if (type === 'loop') {
      ref(node.body, ['body']);
    }
    const paths: PathUse[] = [];
    if (type === 'conditional') collectPaths(node.condition, ['condition'], 'condition', paths, 0);
    if (type === 'loop') collectPaths(node.until, ['until'], 'until', paths, 0);
    return {
      index,
      ...(typeof node.id === 'string' ? { id: node.id } : {}),
      ...(type !== undefined ? { type } : {}),
      refs,
      paths,
    };
  });
  return {
    ...(typeof plan.root === 'string' ? { root: plan.root } : {}),
    inputs: new Set(isRecord(plan.inputs) ? Object.keys(plan.inputs) : []),
    nodes,
  };
}

const PAIR_KEYS = new Set(['equals', 'notEquals', 'greaterThan', 'lessThan', 'contains']);
const MAX_CONDITION_DEPTH = 64;

function collectPaths(
  condition: unknown,
  field: (string | number)[],
  owner: PathUse['owner'],
  out: PathUse[],
  depth: number,
): void {
  if (!isRecord(condition) || depth > MAX_CONDITION_DEPTH) return;
  for (const key of CONDITION_KEYS) {
    const value = condition[key];
    if (value === undefined) continue;
    if (PAIR_KEYS.has(key) && Array.isArray(value)) {
      const pair = value as unknown[];
      pair.forEach((operand, i) => {
        if (typeof operand !== 'string' || !operand.startsWith('$.')) return;
        const other = pair[1 - i];
        const literal = !(typeof other === 'string' && other.startsWith('$.'));
        out.push({
          path: operand,
          field: [...field, key, i],
          owner,
          ...((key === 'equals' || key === 'notEquals') && literal && pair.length === 2
            ? { comparedWith: other }
            : {}),
        });
      });
    } else if (key === 'exists' && typeof value === 'string' && value.startsWith('$.')) {
      out.push({ path: value, field: [...field, key], owner });
    } else if ((key === 'all' || key === 'any') && Array.isArray(value)) {
      (value as unknown[]).forEach((c, i) => collectPaths(c, [...field, key, i], owner, out, depth + 1));
    } else if (key === 'not') {
      collectPaths(value, [...field, key], owner, out, depth + 1);
    }
  }
}

/** Why a `$.` path can never be read, or undefined when it can. */
function pathProblem(
  path: string,
  skeleton: Skeleton,
  firstIndex: Map<string, number>,
  say: (en: string, zh: string) => string,
  unknown: (id: string) => string,
): string | undefined {
  const parts = path.slice(2).split('.');
  const [scope, name, field, ...rest] = parts;
  if (parts.some((p) => p === '')) return say(`"${path}" has an empty segment`, `"${path}" 中有空的路径段`);
  if (scope === 'inputs') {
    if (name === undefined) return say('name an input: "$.inputs.<name>"', '请写出输入名："$.inputs.<name>"');
    if (!skeleton.inputs.has(name))
      return say(
        `no input "${name}": declare it in the plan's inputs`,
        `没有名为 "${name}" 的输入：请在计划的 inputs 中声明`,
      );
    return undefined;
  }
  if (scope !== 'nodes')
    return say(
      `"${path}" is not a path FleetAI knows: paths start with "$.nodes.<id>." or "$.inputs.<name>"`,
      `"${path}" 不是 FleetAI 认识的路径：路径以 "$.nodes.<id>." 或 "$.inputs.<name>" 开头`,
    );
  if (name === undefined)
    return say('name a node: "$.nodes.<id>.status"', '请写出节点："$.nodes.<id>.status"');
  if (!firstIndex.has(name)) return unknown(name);
  const fields = NODE_STATE_FIELDS.join(', ');
  if (field === undefined || !(NODE_STATE_FIELDS as readonly string[]).includes(field))
    return say(
      `"${path}": a node's state has ${fields}${field !== undefined ? ` (not "${field}")` : ''}`,
      `"${path}"：节点状态包含 ${NODE_STATE_FIELDS.join('、')}${field !== undefined ? `（没有 "${field}"）` : ''}`,
    );
  if (field !== 'output' && rest.length > 0)
    return say(
      `"${path}": only output has fields inside it; ${field} is a single value`,
      `"${path}"：只有 output 可以继续取字段；${field} 是单个值`,
    );
  if (field === 'iterations') {
    const target = skeleton.nodes[firstIndex.get(name)!];
    if (target?.type !== 'loop')
      return say(
        `"${path}": only loop nodes count iterations; "${name}" is a ${target?.type ?? 'node'}`,
        `"${path}"：只有 loop 节点记录 iterations；"${name}" 是 ${target?.type ?? '节点'}`,
      );
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------- read order

type Late =
  | { why: 'ancestor' }
  | { why: 'inside_condition' }
  | { why: 'later'; sequence: string }
  | { why: 'parallel'; block: string }
  | { why: 'other_branch'; conditional: string };

/**
 * Whether node `owner`'s condition (`condition` or a loop's `until`) reads `target` before `target` has
 * finished: `target` has finished when it sits in an earlier child of a common sequence, or inside the loop
 * whose `until` reads it.
 */
function readsTooEarly(
  owner: string,
  when: PathUse['owner'],
  target: string,
  field: string,
  nodes: SkeletonNode[],
  firstIndex: Map<string, number>,
  parent: Map<string, { index: number; field: (string | number)[] }>,
): Late | undefined {
  const up = (id: string): string | undefined => {
    const ref = parent.get(id);
    return ref ? nodes[ref.index]?.id : undefined;
  };
  // Each ancestor of target (target included) -> the child of it on the way down to target.
  const targetChain = new Map<string, string | undefined>();
  let below: string | undefined;
  for (let at: string | undefined = target; at !== undefined; below = at, at = up(at))
    targetChain.set(at, below);
  let ownerBelow: string | undefined;
  for (let at: string | undefined = owner; at !== undefined; ownerBelow = at, at = up(at)) {
    if (!targetChain.has(at)) continue;
    const targetBelow = targetChain.get(at);
    if (at === target) {
      // Reading a node that contains the reader (or the reader itself): it is still running. A loop's
      // iteration count is the exception: it is meant to be read from inside.
      return at === owner || field === 'iterations' ? undefined : { why: 'ancestor' };
    }
    if (at === owner) return when === 'until' ? undefined : { why: 'inside_condition' };
    const common = nodes[firstIndex.get(at)!]!;
    if (common.type === 'sequence') {
      const order = (child: string | undefined) => common.refs.findIndex((r) => r.id === child);
      return order(targetBelow) < order(ownerBelow) ? undefined : { why: 'later', sequence: at };
    }
    if (common.type === 'parallel') return { why: 'parallel', block: at };
    if (common.type === 'conditional') return { why: 'other_branch', conditional: at };
    return undefined;
  }
  return undefined;
}

function lateMessage(late: Late, target: string): [string, string] {
  switch (late.why) {
    case 'ancestor':
      return [
        `reads "${target}", which contains this node and is still running when it is read`,
        `读取了 "${target}"，但它包含本节点，读取时仍在运行`,
      ];
    case 'inside_condition':
      return [
        `reads "${target}", which is one of this conditional's branches and has not run when the condition is checked`,
        `读取了 "${target}"，它是本条件节点的分支，检查条件时尚未执行`,
      ];
    case 'later':
      return [
        `reads "${target}", which runs later in sequence "${late.sequence}": it is still pending when this is checked`,
        `读取了 "${target}"，它在 sequence "${late.sequence}" 中排在后面：检查时仍是 pending`,
      ];
    case 'parallel':
      return [
        `reads "${target}", which runs at the same time in parallel block "${late.block}": the result depends on timing`,
        `读取了 "${target}"，它在 parallel "${late.block}" 中同时运行：结果取决于时机`,
      ];
    case 'other_branch':
      return [
        `reads "${target}", which is in the other branch of conditional "${late.conditional}": it is skipped whenever this runs`,
        `读取了 "${target}"，它在条件节点 "${late.conditional}" 的另一个分支：本节点运行时它总被跳过`,
      ];
  }
}

// ------------------------------------------------------------------------------------------- messages

/** The id closest to a misspelt one (at most a third of its letters wrong), for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit ("tset" is one edit from "test"),
 * giving up (returning `cap`) once it cannot be below `cap`.
 */
function editDistance(a: string, b: string, cap: number): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= cap) return cap;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
