import { ErrorCode, FleetError } from '../errors';
import { PLAN_SCHEMA_VERSION, type PlanInput, type PlanNodeInput } from './planSchema';

/**
 * Built-in plans: what the Designer gives when no model is configured (issue 6 "with no model configured,
 * built-in templates give a plan anyway"), and a starting point a person edits. Each template is a function of
 * a few parameters and returns a plan that validates (test/unit/plans/templates.test.ts checks every one).
 */

export interface TemplateParams {
  /** What the plan is for, in the person's words; it goes into the agents' prompts. */
  goal: string;
  /** The branch the work happens on (a new worktree); `feature/<slug of the goal>` by default. */
  branch?: string;
  /** The branch merged into at the end; `main` by default. */
  base?: string;
  /** The agent that plans and implements; `codex` by default. */
  agentKind?: string;
  /** The agent that reviews; the implementing agent by default. */
  reviewerKind?: string;
  /** The test command, program first; `npm test` by default. */
  testCommand?: string[];
  /** The plan id; derived from the branch by default. */
  id?: string;
}

export interface PlanTemplate {
  id: string;
  title: { en: string; zh: string };
  description: { en: string; zh: string };
  build(params: TemplateParams): PlanInput;
}

/** Lowercase words joined by dashes, at most 40 characters: `Add a CSV export!` -> `add-a-csv-export`. */
export function slug(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return words.slice(0, 40).replace(/-+$/, '') || 'work';
}

/** Branch names go into a shell script (the merge): only plain git ref characters are accepted. */
const SAFE_BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,100}$/;

function resolved(params: TemplateParams): Required<TemplateParams> {
  const goal = params.goal.trim();
  if (!goal) throw new FleetError(ErrorCode.ConfigInvalid, 'A plan template needs a goal');
  const branch = params.branch ?? `feature/${slug(goal)}`;
  const base = params.base ?? 'main';
  for (const [name, value] of [
    ['branch', branch],
    ['base', base],
  ] as const) {
    if (!SAFE_BRANCH.test(value))
      throw new FleetError(
        ErrorCode.ConfigInvalid,
        `${name} "${value}" is not a plain branch name (letters, digits, ".", "_", "/", "-")`,
        { [name]: value },
      );
  }
  const agentKind = params.agentKind ?? 'codex';
  const testCommand = params.testCommand ?? ['npm', 'test'];
  if (testCommand.length === 0 || !testCommand[0])
    throw new FleetError(ErrorCode.ConfigInvalid, 'testCommand needs a program');
  return {
    goal,
    branch,
    base,
    agentKind,
    reviewerKind: params.reviewerKind ?? agentKind,
    testCommand,
    id: params.id ?? slug(branch.replaceAll('/', '-')),
  };
}

/** A merge that refuses to run unless the workspace is on the base branch (it never switches branches). */
function mergeScript(branch: string, base: string): string {
  return [
    `current="$(git branch --show-current)"`,
    `if [ "$current" != '${base}' ]; then echo "the workspace is on $current, not ${base}: not merging" >&2; exit 1; fi`,
    `git merge --no-ff --no-edit '${branch}'`,
  ].join('\n');
}

const featureOnBranch: PlanTemplate = {
  id: 'feature-on-branch',
  title: { en: 'Feature on a branch', zh: '在分支上开发功能' },
  description: {
    en: 'An agent plans and implements on its own branch, the tests run, an agent reviews, a person approves the merge.',
    zh: '智能体在独立分支上规划并实现，运行测试，智能体评审，由人批准合并。',
  },
  build(params) {
    const p = resolved(params);
    const [program, ...args] = p.testCommand as [string, ...string[]];
    const worker = { type: 'kind' as const, agentKind: p.agentKind, branch: p.branch };
    const reviewer = { type: 'kind' as const, agentKind: p.reviewerKind, branch: p.branch };
    const nodes: PlanNodeInput[] = [
      {
        type: 'sequence',
        id: 'feature',
        title: `Feature: ${p.goal}`.slice(0, 200),
        children: ['plan', 'implement', 'test', 'review', 'merge-approval', 'merge'],
      },
      {
        type: 'agent_invocation',
        id: 'plan',
        title: 'Plan the work',
        agent: worker,
        prompt:
          `Goal: ${p.goal}\n\nRead the code that matters for this goal and write a short, step-by-step plan to ` +
          'PLAN.md (what to change, where, and how to test it). Do not change any code yet.',
        completion: [{ kind: 'turn_end' }, { kind: 'file_exists', path: 'PLAN.md' }],
      },
      {
        type: 'agent_invocation',
        id: 'implement',
        title: 'Implement the plan',
        riskLevel: 'medium',
        agent: worker,
        prompt:
          `Implement PLAN.md for the goal "${p.goal}". Add or update tests. Run \`${p.testCommand.join(' ')}\` ` +
          `until it passes, then commit your work on branch ${p.branch} with clear messages.`,
      },
      {
        type: 'local_task',
        id: 'test',
        title: 'Run the tests',
        timeoutSeconds: 1800,
        action: { kind: 'command', command: program, args, branch: p.branch },
      },
      {
        type: 'agent_invocation',
        id: 'review',
        title: 'Review the change',
        agent: reviewer,
        prompt:
          `Review the changes on branch ${p.branch} since ${p.base} (git diff ${p.base}...HEAD) for the goal ` +
          `"${p.goal}": correctness, tests, readability. Write your findings to REVIEW.md, fix what blocks a ` +
          'merge, and commit.',
        completion: [{ kind: 'turn_end' }, { kind: 'file_exists', path: 'REVIEW.md' }],
      },
      {
        type: 'human_approval',
        id: 'merge-approval',
        title: `Approve merging ${p.branch}`,
        riskLevel: 'high',
        question: `Merge ${p.branch} into ${p.base}?`,
        details: `Read PLAN.md, REVIEW.md and the diff (git diff ${p.base}...${p.branch}); the tests passed.`,
      },
      {
        type: 'local_task',
        id: 'merge',
        title: `Merge ${p.branch} into ${p.base}`,
        riskLevel: 'high',
        retries: 0,
        action: { kind: 'script', script: mergeScript(p.branch, p.base) },
      },
    ];
    return {
      schemaVersion: PLAN_SCHEMA_VERSION,
      id: p.id,
      title: `Feature on ${p.branch}`.slice(0, 200),
      goal: p.goal,
      root: 'feature',
      nodes,
    };
  },
};

const fixUntilGreen: PlanTemplate = {
  id: 'fix-until-tests-pass',
  title: { en: 'Fix until the tests pass', zh: '修复直到测试通过' },
  description: {
    en: 'An agent reproduces the problem, then fixes and re-runs the tests at most three times; a person approves the merge.',
    zh: '智能体先复现问题，再最多三轮修复并重跑测试；由人批准合并。',
  },
  build(params) {
    const p = resolved({ ...params, branch: params.branch ?? `fix/${slug(params.goal)}` });
    const [program, ...args] = p.testCommand as [string, ...string[]];
    const worker = { type: 'kind' as const, agentKind: p.agentKind, branch: p.branch };
    const nodes: PlanNodeInput[] = [
      {
        type: 'sequence',
        id: 'fix',
        title: `Fix: ${p.goal}`.slice(0, 200),
        children: ['reproduce', 'attempts', 'green', 'merge-approval', 'merge'],
      },
      {
        type: 'agent_invocation',
        id: 'reproduce',
        title: 'Reproduce the problem',
        agent: worker,
        prompt:
          `Problem: ${p.goal}\n\nWrite a test that fails because of this problem, and explain the cause in ` +
          'FIX.md. Do not fix it yet.',
      },
      {
        type: 'loop',
        id: 'attempts',
        title: 'Fix and test, at most 3 times',
        body: 'attempt',
        maxIterations: 3,
        until: { equals: ['$.nodes.test.status', 'done'] },
      },
      {
        type: 'sequence',
        id: 'attempt',
        title: 'One attempt',
        children: ['repair', 'test'],
      },
      {
        type: 'agent_invocation',
        id: 'repair',
        title: 'Fix the cause',
        riskLevel: 'medium',
        agent: worker,
        prompt:
          `Fix the cause described in FIX.md so that \`${p.testCommand.join(' ')}\` passes. If a previous ` +
          'attempt failed, read its test output first. Commit your work.',
      },
      {
        type: 'local_task',
        id: 'test',
        title: 'Run the tests',
        retries: 0,
        continueOnError: true,
        timeoutSeconds: 1800,
        action: { kind: 'command', command: program, args, branch: p.branch },
      },
      {
        type: 'conditional',
        id: 'green',
        title: 'Did the tests pass?',
        condition: { equals: ['$.nodes.test.status', 'done'] },
        then: 'tests-passed',
        else: 'give-up',
      },
      {
        type: 'local_task',
        id: 'tests-passed',
        title: 'Note the fix',
        action: {
          kind: 'file',
          operation: 'append',
          path: 'FIX.md',
          content: '\nThe tests pass.\n',
          branch: p.branch,
        },
      },
      {
        type: 'human_approval',
        id: 'give-up',
        title: 'The tests still fail',
        riskLevel: 'medium',
        question: `Three attempts did not make the tests pass on ${p.branch}. Look at it yourself, then approve to continue to the merge question?`,
      },
      {
        type: 'human_approval',
        id: 'merge-approval',
        title: `Approve merging ${p.branch}`,
        riskLevel: 'high',
        question: `Merge ${p.branch} into ${p.base}?`,
        details: `Read FIX.md and the diff (git diff ${p.base}...${p.branch}).`,
      },
      {
        type: 'local_task',
        id: 'merge',
        title: `Merge ${p.branch} into ${p.base}`,
        riskLevel: 'high',
        retries: 0,
        action: { kind: 'script', script: mergeScript(p.branch, p.base) },
      },
    ];
    return {
      schemaVersion: PLAN_SCHEMA_VERSION,
      id: p.id,
      title: `Fix on ${p.branch}`.slice(0, 200),
      goal: p.goal,
      root: 'fix',
      nodes,
    };
  },
};

export const PLAN_TEMPLATES: readonly PlanTemplate[] = [featureOnBranch, fixUntilGreen];

export function findTemplate(id: string): PlanTemplate | undefined {
  return PLAN_TEMPLATES.find((template) => template.id === id);
}
