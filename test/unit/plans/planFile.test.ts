import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locatePaths, validatePlanFile, validatePlanText } from '../../../extension/core/plans/planFile';
import { formatPlanProblem } from '../../../extension/core/plans/validatePlan';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

const text = `{
  "schemaVersion": 1,
  "id": "p",
  "title": "P",
  "root": "main",
  "nodes": [
    { "type": "sequence", "id": "main", "title": "Main", "children": ["test"] },
    {
      "type": "local_task",
      "id": "test",
      "title": "Test",
      "retries": 99,
      "action": { "kind": "timer", "seconds": 1 }
    }
  ]
}
`;

describe('validatePlanText / validatePlanFile', () => {
  it('puts the line and column of the offending value in front of the node and field', () => {
    const result = validatePlanText(text);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => formatPlanProblem(p, 'plan.json'))).toEqual([
      'plan.json:12:18: nodes[1] (id "test"): retries: Too big: expected number to be <=10',
    ]);
  });

  it('reports where the text stops being JSON', () => {
    const broken = text.replace('"title": "P",', '"title": "P"');
    const result = validatePlanText(broken);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'json', line: 5, column: 3 });
    expect(result.problems[0]!.message).toBe('not valid JSON (comma expected)');
  });

  it('reads a file, and names a missing one without throwing', async () => {
    const file = path.join(tempDir(), 'p.plan.json');
    writeFileSync(file, text.replace('99', '1'));
    expect((await validatePlanFile(file)).ok).toBe(true);
    const missing = await validatePlanFile(path.join(tempDir(), 'nope.json'));
    expect(missing.problems[0]).toMatchObject({ code: 'file' });
    expect(missing.problems[0]!.message).toMatch(/^cannot read the file/);
  });

  it('locates JSON paths (for dry-run lines): the value, or the nearest enclosing one for a missing field', () => {
    expect(
      locatePaths(text, [
        ['nodes', 1, 'action', 'seconds'],
        ['nodes', 0, 'children', 0],
        ['nodes', 1, 'action', 'missing'],
        ['nodes', 7],
        ['root'],
        [],
      ]),
    ).toEqual([
      { line: 13, column: 47 },
      { line: 7, column: 71 },
      { line: 13, column: 17 },
      { line: 6, column: 12 },
      { line: 5, column: 11 },
      { line: 1, column: 1 },
    ]);
    expect(locatePaths('', [['x']])).toEqual([undefined]);
  });
});
