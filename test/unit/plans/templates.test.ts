import { describe, expect, it } from 'vitest';
import { isFleetError } from '../../../extension/core/errors';
import { planFlow } from '../../../extension/core/plans/planGraph';
import { findTemplate, PLAN_TEMPLATES, slug } from '../../../extension/core/plans/templates';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { caught } from '../helpers';

describe('plan templates', () => {
  it.each(PLAN_TEMPLATES.map((t) => [t.id, t] as const))(
    '%s builds a plan that validates with no problem',
    (_id, template) => {
      for (const params of [
        { goal: 'Add a CSV export to the report page' },
        {
          goal: '修复登录超时',
          branch: 'fix/login',
          base: 'develop',
          agentKind: 'claude',
          reviewerKind: 'gemini',
          testCommand: ['pytest', '-q'],
        },
      ]) {
        const result = validatePlan(template.build(params));
        expect(result.problems).toEqual([]);
        expect(result.plan!.goal).toBe(params.goal);
      }
    },
  );

  it('"feature on a branch" runs plan, implement, test, review, then a merge approval and the merge', () => {
    const built = validatePlan(findTemplate('feature-on-branch')!.build({ goal: 'Add a CSV export' })).plan!;
    expect(built.id).toBe('feature-add-a-csv-export');
    const flow = planFlow(built);
    const next = flow.edges.filter((e) => e.kind === 'next').map((e) => `${e.from}>${e.to}`);
    expect(next).toEqual(
      expect.arrayContaining([
        'plan>implement',
        'implement>test',
        'test>review',
        'review>merge-approval',
        'merge-approval>merge',
      ]),
    );
    const approval = built.nodes.find((n) => n.id === 'merge-approval')!;
    expect(approval).toMatchObject({ type: 'human_approval', riskLevel: 'high' });
    const worker = built.nodes.find((n) => n.id === 'implement')!;
    expect(worker).toMatchObject({
      agent: { type: 'kind', agentKind: 'codex', branch: 'feature/add-a-csv-export' },
    });
  });

  it('"fix until the tests pass" loops at most three times until the tests are done', () => {
    const built = validatePlan(
      findTemplate('fix-until-tests-pass')!.build({ goal: 'Login times out' }),
    ).plan!;
    const loop = built.nodes.find((n) => n.type === 'loop')!;
    expect(loop).toMatchObject({ maxIterations: 3, until: { equals: ['$.nodes.test.status', 'done'] } });
    expect(built.nodes.find((n) => n.id === 'test')).toMatchObject({ continueOnError: true, retries: 0 });
  });

  it('refuses a branch name that is not plain (it goes into the merge script)', async () => {
    const error = await caught(() =>
      findTemplate('feature-on-branch')!.build({ goal: 'x', branch: "x'; rm -rf ~; '" }),
    );
    expect(isFleetError(error) && error.message).toContain('is not a plain branch name');
    const empty = await caught(() => findTemplate('feature-on-branch')!.build({ goal: '  ' }));
    expect(isFleetError(empty) && empty.message).toBe('A plan template needs a goal');
  });

  it('makes ids and branch names from any goal', () => {
    expect(slug('Add a CSV export!')).toBe('add-a-csv-export');
    expect(slug('修复登录')).toBe('work');
    expect(slug('x'.repeat(100))).toHaveLength(40);
  });
});
