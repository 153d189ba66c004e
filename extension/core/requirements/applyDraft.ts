import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, modify, parseTree, findNodeAtLocation, type FormattingOptions } from 'jsonc-parser';
import { parseOrchestratorConfig, type TaskConfig } from '../config/orchestratorConfig';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';
import type { TaskDraft } from './draftSchema';
import { unifiedDiff } from '../text/unifiedDiff';
import { USER_FILE, writeTextAtomic } from '../store/jsonStore';

export interface ApplyOptions {
  /** Draft tasks whose id is already a task replace it; without this such a draft is refused. */
  replace?: boolean;
  /** The name the diff shows for the config (default: its path relative to the working directory). */
  displayName?: string;
}

/** What applying a draft would do, before anything is written. */
export interface ApplyPreview {
  file: string;
  /** The config's text now ('' when there is no file yet). */
  before: string;
  after: string;
  /** Unified diff of before and after ('' when nothing changes). */
  diff: string;
  added: string[];
  replaced: string[];
  existed: boolean;
}

/**
 * Merges the draft's tasks into the config's `tasks` with text edits (jsonc-parser `modify`), so comments,
 * key order and formatting of everything else stay as they are: new ids are appended, existing ids replaced only
 * with `replace`. The result is validated as a whole config (schema and references); an invalid merge is a
 * FleetError listing the problems and nothing is written.
 */
export async function previewApply(
  draft: TaskDraft,
  configFile: string,
  options: ApplyOptions = {},
): Promise<ApplyPreview> {
  const file = path.resolve(configFile);
  let before = '';
  let existed = true;
  try {
    before = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new FleetError(
        ErrorCode.ConfigParse,
        `${file}: could not read (${describeError(error)})`,
        { file },
        { cause: error },
      );
    existed = false;
  }
  // The config as it is must be sound: merging into a file the supervisor cannot read would hide its problem.
  const current = parseOrchestratorConfig(file, before);
  const existingIds = new Map(current.tasks.map((t, i) => [t.id, i]));
  const clashes = draft.tasks.filter((t) => existingIds.has(t.id)).map((t) => t.id);
  if (clashes.length > 0 && !options.replace) {
    throw new FleetError(
      ErrorCode.ConfigReference,
      `${file}: tasks ${clashes.map((id) => `"${id}"`).join(', ')} already exist; apply with --replace to replace them`,
      { file, problems: clashes.map((id) => `${file}: tasks: "${id}" already exists`), clashes },
    );
  }
  const tasks = draft.tasks.map(configTask);
  let after: string;
  if (before.trim() === '') {
    after = `${JSON.stringify({ tasks }, null, 2)}\n`;
  } else {
    const formatting = formattingOf(before);
    after = before;
    const tree = parseTree(before, [], { allowTrailingComma: true });
    if (!tree || !findNodeAtLocation(tree, ['tasks'])) {
      after = applyEdits(after, modify(after, ['tasks'], tasks, { formattingOptions: formatting }));
    } else {
      for (const task of tasks) {
        const index = existingIds.get(task.id);
        const at = index === undefined ? ['tasks', -1] : ['tasks', index];
        after = applyEdits(after, modify(after, at, task, { formattingOptions: formatting }));
      }
    }
  }
  try {
    parseOrchestratorConfig(file, after);
  } catch (error) {
    const problems =
      isFleetError(error) && Array.isArray(error.details?.problems)
        ? error.details.problems.map(String)
        : [describeError(error)];
    throw new FleetError(
      isFleetError(error) ? error.code : ErrorCode.ConfigSchema,
      `${file}: the draft's tasks would make the config invalid, so nothing was written:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      { file, problems },
      { cause: error },
    );
  }
  const name = options.displayName ?? path.relative(process.cwd(), file);
  return {
    file,
    before,
    after,
    diff: unifiedDiff(before, after, { old: `a/${name}`, new: `b/${name}` }),
    added: draft.tasks.filter((t) => !existingIds.has(t.id)).map((t) => t.id),
    replaced: clashes,
    existed,
  };
}

/**
 * Writes a preview's text atomically, if the config is still what the preview read (someone may have edited it
 * while the user looked at the diff: then E_CONFIG_INVALID and nothing is written).
 */
export async function commitApply(preview: ApplyPreview): Promise<void> {
  const now = await fs.readFile(preview.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  if (now !== preview.before) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${preview.file} changed since the diff was made; nothing was written. Apply the draft again.`,
      { file: preview.file },
    );
  }
  // The user's config keeps its permissions.
  await writeTextAtomic(preview.file, preview.after, USER_FILE);
}

/** Merges the draft into orchestrator.json (see previewApply) and writes it; returns what was done. */
export async function applyDraft(
  draft: TaskDraft,
  configFile: string,
  options: ApplyOptions = {},
): Promise<ApplyPreview> {
  const preview = await previewApply(draft, configFile, options);
  if (preview.before !== preview.after) await commitApply(preview);
  return preview;
}

/** A draft task as the config holds it: empty defaults (tags) left out, the keys in the schema's order. */
function configTask(task: TaskDraft['tasks'][number]): Record<string, unknown> & { id: string } {
  const { tags, ...rest } = task satisfies TaskConfig;
  const ordered: Record<string, unknown> & { id: string } = { id: rest.id, title: rest.title };
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined && !(key in ordered)) ordered[key] = value;
  if (tags.length > 0) ordered.tags = tags;
  return ordered;
}

/** The file's own indentation and line ends, so inserted tasks look like the rest. */
function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}
