import type { Condition, Operand } from '../planSchema';
import type { NodeStates } from './runState';

/** Reads `$.nodes.<id>.<field>[.deeper]` or `$.inputs.<name>`; anything else is a literal. */
export function resolveOperand(
  operand: Operand,
  nodes: NodeStates,
  inputs: Record<string, unknown>,
): unknown {
  if (typeof operand !== 'string' || !operand.startsWith('$.')) return operand;
  const [scope, ...rest] = operand.slice(2).split('.');
  let value: unknown = scope === 'nodes' ? nodes : scope === 'inputs' ? inputs : undefined;
  for (const key of rest) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  // A node never touched yet reads as pending, so `equals [$.nodes.x.status, "pending"]` means what it says.
  if (scope === 'nodes' && rest.length === 2 && rest[1] === 'status' && value === undefined) return 'pending';
  return value;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates a data condition against the run's state (the schema guarantees exactly one operator). */
export function evaluateCondition(
  condition: Condition,
  nodes: NodeStates,
  inputs: Record<string, unknown>,
): boolean {
  const get = (operand: Operand): unknown => resolveOperand(operand, nodes, inputs);
  if (condition.equals) return jsonEqual(get(condition.equals[0]), get(condition.equals[1]));
  if (condition.notEquals) return !jsonEqual(get(condition.notEquals[0]), get(condition.notEquals[1]));
  if (condition.greaterThan || condition.lessThan) {
    const [a, b] = (condition.greaterThan ?? condition.lessThan)!.map(get);
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    return condition.greaterThan ? a > b : a < b;
  }
  if (condition.contains) {
    const [a, b] = condition.contains.map(get);
    if (typeof a === 'string') return typeof b === 'string' && a.includes(b);
    if (Array.isArray(a)) return a.some((item) => jsonEqual(item, b));
    return false;
  }
  if (condition.exists !== undefined) {
    const value = get(condition.exists);
    return value !== undefined && value !== null;
  }
  if (condition.all) return condition.all.every((c) => evaluateCondition(c, nodes, inputs));
  if (condition.any) return condition.any.some((c) => evaluateCondition(c, nodes, inputs));
  if (condition.not) return !evaluateCondition(condition.not, nodes, inputs);
  return false;
}
