import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, formatPath } from '../../extension/core/schemas/issues';

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [['panes', 2, 'cwd'], 'panes[2].cwd'],
    [[], ''],
    [[0], '[0]'],
    [[0, 'name'], '[0].name'],
    [['a', 'b', 'c'], 'a.b.c'],
    [['$ref', '_x1'], '$ref._x1'],
    [['env', 'MY-VAR'], 'env["MY-VAR"]'],
    [['env', 'with space', 1], 'env["with space"][1]'],
    [['odd', 'a]b"c'], 'odd["a]b\\"c"]'],
    [['1abc'], '["1abc"]'],
    [['', 'x'], '[""].x'],
    [['k', Symbol('s')], 'k[Symbol(s)]'],
  ])('formats %j as %s', (input, expected) => {
    expect(formatPath(input)).toBe(expected);
  });
});

describe('formatIssues', () => {
  it('names each offending field the way it is written in JSON', () => {
    const schema = z.object({ panes: z.array(z.object({ cwd: z.string() })), name: z.string() });
    const result = schema.safeParse({ panes: [{ cwd: '/a' }, { cwd: 1 }, {}], name: 'ok' });
    expect(result.success).toBe(false);
    const lines = formatIssues(result.error?.issues ?? []);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^panes\[1\]\.cwd: /);
    expect(lines[1]).toMatch(/^panes\[2\]\.cwd: /);
  });

  it('says (root) for a problem with the whole value', () => {
    const result = z.object({}).safeParse('text');
    expect(formatIssues(result.error?.issues ?? [])).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
