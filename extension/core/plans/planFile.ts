import { promises as fs } from 'node:fs';
import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import { describeError } from '../errors';
import { pick, type PlanLocale } from './planMessages';
import { validatePlan, type PlanProblem, type PlanValidation } from './validatePlan';

/**
 * A plan file checked as a person sees it: problems carry the line and column of the offending value, so
 * `plan.json:14:18: nodes[3] (id "test"): retries: ...` opens at the right place in an editor or a terminal.
 * Plans are strict JSON (the Designer and the store write them); a JSON error is one problem with its place.
 */
export async function validatePlanFile(
  file: string,
  options: { locale?: PlanLocale } = {},
): Promise<PlanValidation> {
  const locale = options.locale ?? 'en';
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const message = pick(locale, {
      en: `cannot read the file (${describeError(error)})`,
      zh: `无法读取文件（${describeError(error)}）`,
    });
    return failed({ severity: 'error', code: 'file', path: [], message });
  }
  return validatePlanText(text, options);
}

/** Like `validatePlanFile`, for text already in hand (an editor buffer, a model's answer). */
export function validatePlanText(raw: string, options: { locale?: PlanLocale } = {}): PlanValidation {
  const locale = options.locale ?? 'en';
  // A byte-order mark becomes a space: ignored by the parser, and every offset still matches the file.
  const text = raw.startsWith('\uFEFF') ? ` ${raw.slice(1)}` : raw;
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  if (first || tree === undefined) {
    const offset = first?.offset ?? 0;
    const what = first ? describeParseError(first) : 'empty';
    const message = pick(locale, { en: `not valid JSON (${what})`, zh: `不是有效的 JSON（${what}）` });
    return failed({ severity: 'error', code: 'json', path: [], message, ...lineColumn(text, offset) });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = pick(locale, {
      en: `not valid JSON (${describeError(error)})`,
      zh: `不是有效的 JSON（${describeError(error)}）`,
    });
    return failed({ severity: 'error', code: 'json', path: [], message });
  }
  const result = validatePlan(data, { locale });
  for (const problem of result.problems)
    Object.assign(problem, lineColumn(text, offsetOf(tree, problem.path)));
  return result;
}

/**
 * Finds where JSON paths point in a plan's text (for dry-run checks, which know only the path); undefined for
 * text that is not JSON.
 */
export function planLocator(
  raw: string,
): ((path: (string | number)[]) => { line: number; column: number }) | undefined {
  const text = raw.startsWith('\uFEFF') ? ` ${raw.slice(1)}` : raw;
  const tree = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  return tree ? (path) => lineColumn(text, offsetOf(tree, path)) : undefined;
}

function failed(problem: PlanProblem): PlanValidation {
  return { ok: false, problems: [problem], errors: 1, warnings: 0 };
}

/** The offending value, or for a missing field the nearest object that lacks it. */
function offsetOf(tree: JsonNode, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, path.slice(0, n));
    if (node) return node.offset;
  }
  return tree.offset;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

function describeParseError(error: ParseError): string {
  // "PropertyNameExpected" -> "property name expected"
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}
