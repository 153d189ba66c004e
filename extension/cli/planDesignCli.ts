import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError, isFleetError } from '../core/errors';
import type { DesignModel, DesignOutcome, ReplanOutcome } from '../core/plans/designer';
import type { Plan } from '../core/plans/planSchema';
import type { PlanStore, SavedPlanVersion } from '../core/plans/planStore';
import type { CliIo } from './io';

interface DesignOptions {
  workspace: string;
  out?: string;
  save?: boolean;
  fromRun?: string;
  template?: string;
  maxRepairs: string;
  json?: boolean;
}

/**
 * `fleet plan:design "goal"`: the Designer from the command line. The model is the workspace config's (the
 * `model` section of `.fleetai/orchestrator.json`, the key from the variable its `api_key_env` names) or the
 * FLEETAI_MODEL* environment; without one, a built-in template gives the plan and the output says so.
 * `--from-run THREAD` re-plans the rest of a run instead (saved as a new version). Messages in English or
 * Chinese (FLEETAI_LOCALE, else the locale variables); exit code 0, or 1 when no plan came out.
 */
export function registerPlanDesignCommand(program: Command, io: CliIo): void {
  program
    .command('plan:design')
    .description(
      'design a plan for a goal: with the configured model (validated, its problems sent back at most ' +
        '--max-repairs times) or, without a model, a built-in template; --from-run re-plans what a run left undone',
    )
    .argument('[goal]', 'what the plan is for, in quotes (optional with --from-run)')
    .option('-w, --workspace <dir>', 'workspace the plan is for', process.cwd())
    .option('--out <file>', 'write the plan JSON to this file')
    .option('--save', 'save the plan as a new version in .fleetai/state/plans/<id>/')
    .option('--from-run <thread>', 're-plan from this run: its done nodes are left out (always saved)')
    .option('--template <name>', 'use this built-in template: feature-on-branch, fix-until-tests-pass')
    .option('--max-repairs <n>', 'times the model is sent its plan problems back', '2')
    .option('--json', 'print the result as one JSON object')
    .action(async (goal: string | undefined, opts: DesignOptions) => {
      const { planLocaleFromEnv } = await import('../core/plans/planMessages');
      const zh = planLocaleFromEnv() === 'zh-cn';
      const say = (en: string, cn: string): string => (zh ? cn : en);
      try {
        await design(io, goal, opts, say);
      } catch (error) {
        process.exitCode = 1;
        if (opts.json) {
          const fleet = isFleetError(error)
            ? { code: error.code, message: error.message, details: error.details ?? {} }
            : { code: 'E_INTERNAL', message: describeError(error), details: {} };
          io.out(`${JSON.stringify({ ok: false, error: fleet }, null, 2)}\n`);
          return;
        }
        const problems = isFleetError(error) ? error.details?.problems : undefined;
        const attempts = isFleetError(error) ? error.details?.attempts : undefined;
        // The Designer gave up: a headline in the reader's language; the problems are the validator's English,
        // as the model was sent them.
        const headline =
          typeof attempts === 'number' && Array.isArray(problems)
            ? say(
                `the model's plan still has problems after ${attempts} attempt(s)`,
                `模型设计的计划在 ${attempts} 次尝试后仍有问题`,
              )
            : describeError(error);
        io.err(`${isFleetError(error) ? `${error.code}: ` : ''}${headline}\n`);
        if (Array.isArray(problems) && problems.length > 0) {
          io.err(say('problems of the last answer:\n', '最后一次回答的问题：\n'));
          for (const problem of problems) io.err(`  ${String(problem)}\n`);
        }
      }
    });
}

async function design(
  io: CliIo,
  goalArg: string | undefined,
  opts: DesignOptions,
  say: (en: string, zh: string) => string,
): Promise<void> {
  const { ErrorCode, FleetError } = await import('../core/errors');
  const designer = await import('../core/plans/designer');
  const { PlanStore } = await import('../core/plans/planStore');
  const { workspacePaths } = await import('../core/workspacePaths');
  const workspace = path.resolve(opts.workspace);
  const paths = workspacePaths(workspace);
  const store = new PlanStore({ stateDir: paths.stateDir });
  const goal = goalArg?.trim() || undefined;
  const maxRepairs = Number(opts.maxRepairs);
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0 || maxRepairs > 10)
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      say(
        `--max-repairs must be a whole number from 0 to 10: ${opts.maxRepairs}`,
        `--max-repairs 必须是 0 到 10 的整数：${opts.maxRepairs}`,
      ),
    );

  if (opts.fromRun !== undefined) {
    const { builtinProfilesDir } = await import('./resolveAgent');
    const outcome = await fromRun(opts.fromRun, goal, paths.stateDir, store, say, {
      model: goal ? await configuredModel(paths) : undefined,
      workspace,
      builtinProfilesDir: builtinProfilesDir(),
      maxRepairs,
    });
    const out = opts.out ? await writePlan(opts.out, outcome.plan) : undefined;
    if (opts.json) {
      io.out(
        `${JSON.stringify({ ok: true, replannedFrom: opts.fromRun, ...outcome, ...(out ? { out } : {}) }, null, 2)}\n`,
      );
      return;
    }
    io.out(
      (outcome.source === 'model'
        ? say(
            `the model re-designed the rest for the new goal in ${outcome.attempts} attempt(s)\n`,
            `模型已按新目标重新设计剩余工作（${outcome.attempts} 次尝试）\n`,
          )
        : '') +
        say(
          `re-planned from run ${opts.fromRun}: ${outcome.removed.length} done node(s) left out` +
            `${outcome.removed.length ? ` (${outcome.removed.join(', ')})` : ''}, ${outcome.plan.nodes.length} remain\n`,
          `已根据运行 ${opts.fromRun} 重新规划：去掉 ${outcome.removed.length} 个已完成的节点` +
            `${outcome.removed.length ? `（${outcome.removed.join('、')}）` : ''}，剩余 ${outcome.plan.nodes.length} 个\n`,
        ),
    );
    printTree(io, outcome.plan);
    for (const warning of outcome.warnings) io.out(`${say('warning: ', '警告: ')}${warning}\n`);
    if (out) io.out(say(`wrote ${out}\n`, `已写入 ${out}\n`));
    if (outcome.saved) printSaved(io, outcome.plan, outcome.saved, paths.stateDir, say);
    return;
  }

  if (!goal)
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      say('a goal is needed: fleet plan:design "what to do"', '需要一个目标：fleet plan:design "要做什么"'),
    );
  const { findTemplate, PLAN_TEMPLATES } = await import('../core/plans/templates');
  const templateIds = PLAN_TEMPLATES.map((template) => template.id);
  if (opts.template !== undefined && !findTemplate(opts.template))
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      say(
        `no plan template "${opts.template}" (templates: ${templateIds.join(', ')})`,
        `没有名为 "${opts.template}" 的计划模板（可用模板：${templateIds.join('、')}）`,
      ),
      { template: opts.template },
    );
  const { builtinProfilesDir } = await import('./resolveAgent');
  const model = opts.template === undefined ? await configuredModel(paths) : undefined;
  const outcome = await designer.designPlan({
    goal,
    model,
    workspace,
    maxRepairs,
    builtinProfilesDir: builtinProfilesDir(),
    ...(opts.template !== undefined ? { template: opts.template } : {}),
  });
  const out = opts.out ? await writePlan(opts.out, outcome.plan) : undefined;
  const saved = opts.save ? await store.save(outcome.plan, { note: noteOf(outcome, goal) }) : undefined;
  if (opts.json) {
    io.out(
      `${JSON.stringify({ ok: true, ...outcome, ...(out ? { out } : {}), ...(saved ? { saved } : {}) }, null, 2)}\n`,
    );
    return;
  }
  const n = outcome.plan.nodes.length;
  const id = outcome.plan.id;
  if (outcome.source === 'model')
    io.out(
      say(
        `designed plan "${id}" with the model ${outcome.model ?? ''} in ${outcome.attempts} attempt(s) (${n} nodes)\n`,
        `已用模型 ${outcome.model ?? ''} 设计计划 "${id}"（${outcome.attempts} 次尝试，${n} 个节点）\n`,
      ),
    );
  else if (opts.template !== undefined)
    io.out(
      say(
        `plan "${id}" from the built-in template "${outcome.template ?? ''}" (${n} nodes)\n`,
        `计划 "${id}" 来自内置模板 "${outcome.template ?? ''}"（${n} 个节点）\n`,
      ),
    );
  else
    io.out(
      say(
        `no model is configured: plan "${id}" comes from the built-in template "${outcome.template ?? ''}" (${n} nodes)\n`,
        `未配置模型：计划 "${id}" 来自内置模板 "${outcome.template ?? ''}"（${n} 个节点）\n`,
      ),
    );
  for (const round of outcome.rounds)
    io.out(
      say(
        `  attempt ${round.attempt} refused: ${round.problems.length} problem(s) sent back\n`,
        `  第 ${round.attempt} 次尝试被拒绝：已把 ${round.problems.length} 个问题发回模型\n`,
      ),
    );
  printTree(io, outcome.plan);
  for (const warning of outcome.warnings) io.out(`${say('warning: ', '警告: ')}${warning}\n`);
  if (out) io.out(say(`wrote ${out}\n`, `已写入 ${out}\n`));
  if (saved) printSaved(io, outcome.plan, saved, paths.stateDir, say);
}

function noteOf(outcome: DesignOutcome, goal: string): string {
  const how =
    outcome.source === 'model'
      ? `designed by ${outcome.model ?? 'the model'}`
      : `template ${outcome.template ?? ''}`;
  return `plan:design (${how}): ${goal}`.slice(0, 500);
}

/** The model of the workspace config, or of the environment; undefined when none is named. */
async function configuredModel(paths: { orchestratorConfig: string }): Promise<DesignModel | undefined> {
  const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
  const { modelSettingsFromConfig } = await import('../core/decisions/modelSettings');
  const { createDesignModel } = await import('../core/plans/designer');
  const { createMemoryLog } = await import('../core/observability/appLog');
  const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
  const settings = await modelSettingsFromConfig(config.model);
  return settings ? createDesignModel(settings, { log: createMemoryLog() }) : undefined;
}

async function fromRun(
  thread: string,
  goal: string | undefined,
  stateDir: string,
  store: PlanStore,
  say: (en: string, zh: string) => string,
  design: {
    model: DesignModel | undefined;
    workspace: string;
    builtinProfilesDir: string;
    maxRepairs: number;
  },
): Promise<ReplanOutcome> {
  const { ErrorCode, FleetError } = await import('../core/errors');
  const { listRuns } = await import('../core/plans/executor/runRecord');
  const { replan } = await import('../core/plans/designer');
  const run = (await listRuns(stateDir)).find((each) => each.thread === thread);
  if (!run)
    throw new FleetError(
      ErrorCode.PlanNotFound,
      say(`no run ${thread} in ${stateDir}`, `${stateDir} 中没有运行 ${thread}`),
      { thread },
    );
  const record = await store.load(run.planId, run.planVersion);
  if (!record)
    throw new FleetError(
      ErrorCode.PlanNotFound,
      say(
        `run ${thread} ran plan "${run.planId}" v${run.planVersion ?? '?'}, which is not saved`,
        `运行 ${thread} 使用的计划 "${run.planId}" v${run.planVersion ?? '?'} 未保存`,
      ),
      { thread, planId: run.planId },
    );
  return replan({ plan: record.plan, run, ...(goal ? { goal } : {}), store, ...design });
}

async function writePlan(file: string, plan: Plan): Promise<string> {
  const absolute = path.resolve(file);
  await fs.mkdir(path.dirname(absolute), { recursive: true });
  await fs.writeFile(absolute, `${JSON.stringify(plan, null, 2)}\n`);
  return file;
}

function printSaved(
  io: CliIo,
  plan: Plan,
  saved: SavedPlanVersion,
  stateDir: string,
  say: (en: string, zh: string) => string,
): void {
  const file = path.relative(path.dirname(path.dirname(stateDir)), saved.file);
  io.out(
    saved.created
      ? say(
          `saved as version v${saved.version} of plan "${plan.id}" (${file})\n`,
          `已保存为计划 "${plan.id}" 的版本 v${saved.version}（${file}）\n`,
        )
      : say(
          `plan "${plan.id}" is unchanged: its newest version is already v${saved.version}\n`,
          `计划 "${plan.id}" 没有变化：最新版本已是 v${saved.version}\n`,
        ),
  );
}

/** The plan as an indented tree from its root: `  test  local_task  Run the tests`. */
function printTree(io: CliIo, plan: Plan): void {
  const byId = new Map(plan.nodes.map((node) => [node.id, node]));
  const seen = new Set<string>();
  const walk = (id: string, depth: number, label: string): void => {
    const node = byId.get(id);
    if (!node || seen.has(id)) return;
    seen.add(id);
    io.out(`${'  '.repeat(depth + 1)}${label}${node.id}  ${node.type}  ${node.title}\n`);
    const refs: [string, string][] =
      node.type === 'sequence' || node.type === 'parallel'
        ? node.children.map((child) => [child, ''])
        : node.type === 'conditional'
          ? [[node.then, 'then: '], ...(node.else ? [[node.else, 'else: '] as [string, string]] : [])]
          : node.type === 'loop'
            ? [[node.body, 'body: ']]
            : [];
    for (const [child, childLabel] of refs) walk(child, depth + 1, childLabel);
  };
  walk(plan.root, 0, '');
}
