import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_SCHEMA_FILE, planJsonSchema } from '../../../extension/core/plans/planSchema';
import { PLAN_TEMPLATES } from '../../../extension/core/plans/templates';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { repoRoot } from '../helpers';

const committedFile = path.join(repoRoot, 'config', PLAN_SCHEMA_FILE);
const exampleFile = path.join(repoRoot, 'config/plans/example.plan.json');
const example = JSON.parse(readFileSync(exampleFile, 'utf8')) as unknown;

// ajv (8, draft-07) is not a direct dependency: it comes with @modelcontextprotocol/sdk. It stands in for the
// editor's JSON validation, which cannot run here.
function editorValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(committedFile, 'utf8')) as object);
}

describe('config/plan.schema.json', () => {
  it('equals the one generated from the zod schema (regenerate: node extension/build/gen-schemas.mjs)', () => {
    expect(JSON.parse(readFileSync(committedFile, 'utf8'))).toEqual(planJsonSchema());
  });

  it('accepts the example plan and every template, as the zod schema does', () => {
    const check = editorValidator();
    const plans = [example, ...PLAN_TEMPLATES.map((t) => t.build({ goal: 'Add a CSV export' }))];
    for (const input of plans) {
      expect(check(input), JSON.stringify(check.errors)).toBe(true);
    }
  });

  it('refuses what zod refuses for a wrong type, an unknown key and a missing maxIterations', () => {
    const check = editorValidator();
    const wrong = structuredClone(example) as { nodes: Record<string, unknown>[] };
    wrong.nodes[1]!.retries = 'three';
    expect(check(wrong)).toBe(false);
    const unknownKey = structuredClone(example) as { nodes: Record<string, unknown>[] };
    unknownKey.nodes[1]!.retrys = 1;
    expect(check(unknownKey)).toBe(false);
    const unbounded = structuredClone(example) as { nodes: Record<string, unknown>[] };
    const loop = unbounded.nodes.find((n) => n.type === 'loop')!;
    delete loop.maxIterations;
    expect(check(unbounded)).toBe(false);
    for (const input of [wrong, unknownKey, unbounded]) expect(validatePlan(input).ok).toBe(false);
  });
});

describe('config/plans/example.plan.json', () => {
  it('validates with no problem and uses every kind of step the issue names', () => {
    const result = validatePlan(example);
    expect(result.problems).toEqual([]);
    const types = new Set(result.plan!.nodes.map((n) => n.type));
    for (const type of [
      'local_task',
      'agent_invocation',
      'human_approval',
      'parallel',
      'conditional',
      'loop',
    ])
      expect(types, type).toContain(type);
    const actions = new Set(
      result.plan!.nodes.flatMap((n) => (n.type === 'local_task' ? [n.action.kind] : [])),
    );
    expect([...actions].sort()).toEqual(['command', 'file', 'script', 'timer']);
  });
});
