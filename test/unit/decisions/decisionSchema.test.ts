import { describe, expect, it } from 'vitest';
import {
  RISK_LEVELS,
  checkDecomposition,
  decisionSchema,
  normaliseDecision,
  stricter,
} from '../../../extension/core/decisions/decisionSchema';

describe('stricter', () => {
  it('takes the higher of two levels, in either order', () => {
    for (const a of RISK_LEVELS) {
      for (const b of RISK_LEVELS) {
        const expected = RISK_LEVELS[Math.max(RISK_LEVELS.indexOf(a), RISK_LEVELS.indexOf(b))];
        expect(stricter(a, b), `${a} ${b}`).toBe(expected);
      }
    }
    expect(stricter('critical', 'low')).toBe('critical');
    expect(stricter('low', 'medium')).toBe('medium');
  });
});

describe('decision schema', () => {
  it('turns nulls into absent fields, and is never calmer than its riskiest command', () => {
    const wire = decisionSchema.parse({
      commands: [
        { text: 'continue', pane: null, reason: 'idle', risk: 'low' },
        { text: 'git push --force', pane: 'p2', reason: 'publish', risk: 'high' },
      ],
      summary: 's',
      phase: 'EXECUTING',
      blockers: [{ reason: 'r', since: null }],
      next_actions: [],
      requires_confirmation: true,
      risk: 'low',
    });
    const decision = normaliseDecision(wire);
    expect(decision.commands[0]).toEqual({ text: 'continue', reason: 'idle', risk: 'low' });
    expect(decision.commands[1]?.pane).toBe('p2');
    expect(decision.blockers).toEqual([{ reason: 'r' }]);
    expect(decision.risk).toBe('high');
  });

  it('accepts a missing optional field (non-strict endpoints leave them out)', () => {
    expect(
      decisionSchema.safeParse({
        commands: [{ text: 'x', reason: 'y', risk: 'medium' }],
        summary: '',
        phase: 'DONE',
        blockers: [],
        next_actions: [],
        requires_confirmation: false,
        risk: 'low',
      }).success,
    ).toBe(true);
  });
});

describe('checkDecomposition', () => {
  const task = (id: string, depends_on: string[] = []) => ({ id, title: id, depends_on, acceptance: {} });
  it('accepts a chain and a diamond', () => {
    expect(
      checkDecomposition([task('T1'), task('T2', ['T1']), task('T3', ['T1']), task('T4', ['T2', 'T3'])]),
    ).toEqual([]);
  });
  it('names duplicate ids, unknown dependencies, self-dependencies and cycles', () => {
    expect(checkDecomposition([task('T1'), task('T1')])).toEqual(['tasks[1].id: "T1" is used twice']);
    expect(checkDecomposition([task('T1', ['T9'])])).toEqual([
      'tasks[0].depends_on[0]: no task has the id "T9"',
    ]);
    expect(checkDecomposition([task('T1', ['T1'])])).toEqual([
      'tasks[0].depends_on[0]: a task cannot depend on itself',
    ]);
    expect(checkDecomposition([task('T1', ['T3']), task('T2', ['T1']), task('T3', ['T2'])])).toEqual([
      'tasks[0].depends_on: "T1" is part of a dependency cycle',
    ]);
  });
});
