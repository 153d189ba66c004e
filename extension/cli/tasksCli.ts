import type { ConfigModelSection } from '../core/decisions/modelSettings';
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../core/errors';
import type { DecomposeModel } from '../core/requirements';
import { workspacePaths } from '../core/workspacePaths';
import { askYes, runBilingual, type Say } from './bilingualAction';
import type { CliIo } from './io';

interface DecomposeOpts {
  workspace: string;
  model: boolean;
  out?: string;
  maxRepairs: string;
  json?: boolean;
}

interface ApplyOpts {
  workspace: string;
  config?: string;
  yes?: boolean;
  replace?: boolean;
  json?: boolean;
}

/**
 * `fleet tasks:decompose DOC.md` (a requirements document -> an editable draft in .fleetai/drafts/),
 * `fleet tasks:apply DRAFT` (the draft's tasks merged into orchestrator.json after its diff is shown) and
 * `fleet tasks:list` (the task board of the config). Messages in English or Chinese (FLEETAI_LOCALE, else the
 * locale variables); errors name the file and field, exit code 1.
 */
export function registerTasksCommands(program: Command, io: CliIo): void {
  program
    .command('tasks:decompose')
    .description(
      'decompose a requirements document (Markdown) into a task draft you edit before applying it: with the ' +
        'configured model (its answers checked, problems sent back), else by the Markdown structure',
    )
    .argument('<doc>', 'the requirements document, e.g. docs/plan.md')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--no-model', 'decompose by the Markdown rules even when a model is configured')
    .option('--out <file>', 'where to write the draft (default: .fleetai/drafts/<doc>.tasks.json)')
    .option('--max-repairs <n>', "times the model is sent its answer's problems back", '2')
    .option('--json', 'print the result as one JSON object')
    .action((doc: string, opts: DecomposeOpts) =>
      runBilingual(io, opts.json, (say) => decomposeCommand(io, doc, opts, say)),
    );

  program
    .command('tasks:apply')
    .description(
      "merge a task draft's tasks into .fleetai/orchestrator.json (comments and formatting kept): prints the " +
        'diff, then asks (or needs --yes when not on a terminal)',
    )
    .argument('<draft>', 'the draft file, e.g. .fleetai/drafts/plan.tasks.json')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('-c, --config <file>', 'the config to change (default: <workspace>/.fleetai/orchestrator.json)')
    .option('-y, --yes', 'apply without asking')
    .option('--replace', 'replace tasks that already exist with the same id')
    .option('--json', 'print the result as one JSON object (needs --yes)')
    .action((draft: string, opts: ApplyOpts) =>
      runBilingual(io, opts.json, (say) => applyCommand(io, draft, opts, say)),
    );

  program
    .command('tasks:list')
    .description('list the tasks of the workspace config: id, title, dependencies, acceptance')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action((opts: { workspace: string; json?: boolean }) =>
      runBilingual(io, opts.json, () => listCommand(io, opts)),
    );
}

async function decomposeCommand(io: CliIo, docArg: string, opts: DecomposeOpts, say: Say): Promise<void> {
  const { decompose, draftPathFor, writeDraft, validateDraft } = await import('../core/requirements');
  const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
  const { ErrorCode, FleetError } = await import('../core/errors');
  const workspace = path.resolve(opts.workspace);
  const paths = workspacePaths(workspace);
  const docFile = path.resolve(docArg);
  let markdown: string;
  try {
    markdown = await fs.readFile(docFile, 'utf8');
  } catch (error) {
    throw new FleetError(
      ErrorCode.ConfigParse,
      say(`cannot read ${docFile}: ${describeError(error)}`, `无法读取 ${docFile}：${describeError(error)}`),
      { file: docFile },
    );
  }
  const maxRepairs = Number(opts.maxRepairs);
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0)
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `--max-repairs must be a whole number >= 0, got "${opts.maxRepairs}"`,
    );
  const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
  const model = opts.model ? await configuredModel(config) : undefined;
  const doc = relativeName(workspace, docFile);
  const { draft, attempts } = await decompose(markdown, {
    model,
    doc,
    maxRepairs,
    existingTaskIds: config.tasks.map((t) => t.id),
  });
  const out = path.resolve(opts.out ?? draftPathFor(paths.root, docFile));
  await writeDraft(out, draft);
  // Clashes with the config's tasks are for the user to settle in the draft: shown now, enforced at apply.
  const { problems } = validateDraft(out, await fs.readFile(out, 'utf8'), { existingTasks: config.tasks });
  if (opts.json) {
    io.out(
      `${JSON.stringify({ ok: true, draft: out, attempts, source: draft.source, tasks: draft.tasks, notes: draft.notes, problems: problems.map((p) => p.text) }, null, 2)}\n`,
    );
    return;
  }
  const how =
    draft.source.decomposed_by === 'model'
      ? say(
          `by the model ${draft.source.model ?? ''} in ${attempts} attempt(s)`,
          `由模型 ${draft.source.model ?? ''} 分解（${attempts} 次尝试）`,
        )
      : model === undefined && opts.model
        ? say('by the Markdown rules (no model is configured)', '按 Markdown 规则分解（未配置模型）')
        : say('by the Markdown rules', '按 Markdown 规则分解');
  io.out(
    say(
      `${draft.tasks.length} task(s) from ${doc}, ${how}:\n`,
      `从 ${doc} 得到 ${draft.tasks.length} 个任务，${how}：\n`,
    ),
  );
  for (const task of draft.tasks) {
    const deps = task.depends_on.length > 0 ? `  <- ${task.depends_on.join(', ')}` : '';
    io.out(`  ${task.id}  ${task.title}${deps}\n`);
  }
  for (const note of draft.notes) io.out(`${say('note: ', '注意：')}${note}\n`);
  for (const problem of problems)
    io.out(`${say('to fix before applying: ', '应用前需修正：')}${problem.text}\n`);
  io.out(say(`wrote ${out}\n`, `已写入 ${out}\n`));
  io.out(
    say(
      `edit it, then: fleet tasks:apply ${relativeName(process.cwd(), out)}\n`,
      `编辑后运行：fleet tasks:apply ${relativeName(process.cwd(), out)}\n`,
    ),
  );
}

async function applyCommand(io: CliIo, draftArg: string, opts: ApplyOpts, say: Say): Promise<void> {
  const { loadDraft, previewApply, commitApply } = await import('../core/requirements');
  const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
  const { ErrorCode, FleetError } = await import('../core/errors');
  const configFile = path.resolve(
    opts.config ?? workspacePaths(path.resolve(opts.workspace)).orchestratorConfig,
  );
  const { config } = await loadOrchestratorConfig(configFile);
  const { draft } = await loadDraft(path.resolve(draftArg), {
    existingTasks: config.tasks,
    replace: opts.replace === true,
  });
  const preview = await previewApply(draft, configFile, {
    replace: opts.replace === true,
    displayName: relativeName(process.cwd(), configFile),
  });
  if (opts.json && !opts.yes)
    throw new FleetError(ErrorCode.ConfigInvalid, say('--json needs --yes', '--json 需要同时使用 --yes'));
  if (!opts.json) io.out(preview.diff || say('nothing to change\n', '没有需要修改的内容\n'));
  if (preview.before === preview.after) return;
  if (!opts.yes) {
    if (!process.stdin.isTTY)
      throw new FleetError(
        ErrorCode.ConfigInvalid,
        say(
          'not a terminal: nothing was written; run again with --yes to apply',
          '不是终端：未写入；加 --yes 再运行以应用',
        ),
      );
    if (!(await askYes(say(`Apply to ${configFile}? [y/N] `, `应用到 ${configFile}？[y/N] `)))) {
      io.out(say('cancelled: nothing was written\n', '已取消：未写入\n'));
      return;
    }
  }
  await commitApply(preview);
  if (opts.json) {
    io.out(
      `${JSON.stringify({ ok: true, file: preview.file, added: preview.added, replaced: preview.replaced, diff: preview.diff }, null, 2)}\n`,
    );
    return;
  }
  io.out(
    say(
      `${preview.file}: added ${preview.added.length} task(s)${preview.replaced.length > 0 ? `, replaced ${preview.replaced.length}` : ''}\n`,
      `${preview.file}：新增 ${preview.added.length} 个任务${preview.replaced.length > 0 ? `，替换 ${preview.replaced.length} 个` : ''}\n`,
    ),
  );
  // The supervisor reads its config when it starts; it does not watch the file.
  io.out(
    say(
      'a running supervisor picks the tasks up when it is restarted (fleet orchestrator, or FleetAI: Start Orchestrator)\n',
      '正在运行的监督器重启后才会读取这些任务（fleet orchestrator，或 FleetAI: Start Orchestrator）\n',
    ),
  );
}

async function listCommand(io: CliIo, opts: { workspace: string; json?: boolean }): Promise<void> {
  const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
  const { config, file } = await loadOrchestratorConfig(
    workspacePaths(path.resolve(opts.workspace)).orchestratorConfig,
  );
  if (opts.json) {
    io.out(`${JSON.stringify({ file, tasks: config.tasks }, null, 2)}\n`);
    return;
  }
  for (const task of config.tasks) {
    const deps = task.depends_on.length > 0 ? `  <- ${task.depends_on.join(', ')}` : '';
    const checks = task.acceptance?.checklist?.length ?? 0;
    const command = task.acceptance?.command ? `  $ ${task.acceptance.command}` : '';
    io.out(`${task.id}  ${task.title}${deps}${checks > 0 ? `  [${checks} check(s)]` : ''}${command}\n`);
  }
}

/** The workspace config's model (its `model` section, the key from `api_key_env`) or the environment's. */
async function configuredModel(config: { model: ConfigModelSection }): Promise<DecomposeModel | undefined> {
  const { modelSettingsFromConfig } = await import('../core/decisions/modelSettings');
  const { createStructuredModel } = await import('../core/decisions/modelDecider');
  const { structuredDecomposeModel } = await import('../core/requirements');
  const { createMemoryLog } = await import('../core/observability/appLog');
  const settings = await modelSettingsFromConfig(config.model);
  return settings
    ? structuredDecomposeModel(createStructuredModel(settings, { log: createMemoryLog() }))
    : undefined;
}

function relativeName(from: string, file: string): string {
  const rel = path.relative(from, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}
