import { findTemplate, PLAN_TEMPLATES, type PlanTemplate } from '../templates';

/**
 * Words that say the goal is a repair (English and Chinese): those goals get "fix until the tests pass",
 * every other goal "feature on a branch". A keyword match, not understanding: it only has to pick the better
 * of two starting points a person then edits.
 */
const FIX_WORDS =
  /\b(fix(es|ed|ing)?|bug(s|gy)?|broken|break(s|ing)?|crash(es|ed|ing)?|fail(s|ed|ing|ure)?|regression|repair|error|flaky)\b|修复|修正|错误|故障|缺陷|崩溃|失败|问题|报错|回归/i;

export function chooseTemplate(goal: string): PlanTemplate {
  const id = FIX_WORDS.test(goal) ? 'fix-until-tests-pass' : 'feature-on-branch';
  return findTemplate(id) ?? (PLAN_TEMPLATES[0] as PlanTemplate);
}
