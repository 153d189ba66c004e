import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { dependencyCycle } from '../config/orchestratorConfig';
import { ErrorCode, FleetError, describeError } from '../errors';
import { formatPath } from '../schemas/issues';
import {
  DRAFT_SCHEMA_FILE,
  DRAFTS_DIR,
  taskDraftJsonSchema,
  taskDraftSchema,
  type TaskDraft,
} from './draftSchema';
import { USER_FILE, writeTextAtomic } from '../store/jsonStore';
import { describeParseError, lineColumn, nodeValue } from '../config/jsoncText';

/** `.fleetai/drafts/<doc name>.tasks.json` for a document (its name without the extension). */
export function draftPathFor(fleetaiDir: string, doc: string): string {
  const name = path.basename(doc).replace(/\.(md|markdown|txt)$/i, '') || 'requirements';
  return path.join(fleetaiDir, DRAFTS_DIR, `${name}.tasks.json`);
}

/** Writes the draft (and the JSON Schema its `$schema` names, next to it) for the user to edit. */
export async function writeDraft(file: string, draft: TaskDraft): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  // writeTextAtomic makes the folder, and names a read-only or full disk (E_STATE_WRITE).
  await writeTextAtomic(
    path.join(dir, DRAFT_SCHEMA_FILE),
    `${JSON.stringify(taskDraftJsonSchema(), null, 2)}\n`,
    USER_FILE,
  );
  // Whatever `$schema` the draft had, it now points at the schema written next to it.
  const { source, notes, tasks } = draft;
  const ordered = {
    $schema: `./${DRAFT_SCHEMA_FILE}`,
    source,
    ...(notes.length > 0 ? { notes } : {}),
    // Empty tag lists are the schema's default, not something the user wrote: left out of the file.
    tasks: tasks.map(({ tags, ...rest }) => ({ ...rest, ...(tags.length > 0 ? { tags } : {}) })),
  };
  await writeTextAtomic(file, `${JSON.stringify(ordered, null, 2)}\n`, USER_FILE);
}

export interface DraftProblem {
  /** `tasks[2].depends_on[0]`, or `(root)`. */
  field: string;
  message: string;
  /** `file:line:column: field: message`. */
  text: string;
}

export interface ExistingTask {
  id: string;
  depends_on: readonly string[];
}

export interface DraftCheckOptions {
  /** The tasks of orchestrator.json: dependencies may name them; draft ids may not clash with them. */
  existingTasks?: readonly ExistingTask[];
  /** Draft tasks replace existing ones of the same id (no clash then). */
  replace?: boolean;
}

export interface DraftCheck {
  draft?: TaskDraft;
  problems: DraftProblem[];
}

/**
 * Checks draft text from `file`: JSONC, the draft schema, unique ids, dependencies that name a task of the draft
 * or of orchestrator.json, no cycle, no id that is already a task (unless replacing). Every problem names the
 * draft file, line, column and field.
 */
export function validateDraft(file: string, raw: string, options: DraftCheckOptions = {}): DraftCheck {
  const text = raw.startsWith('\uFEFF') ? ` ${raw.slice(1)}` : raw;
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problem = (segments: (string | number)[], message: string): DraftProblem => {
    const field = formatPath(segments) || '(root)';
    return {
      field,
      message,
      text: `${file}:${lineColumn(text, offsetOf(tree, segments))}: ${field}: ${message}`,
    };
  };
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const message = first ? describeParseError(first) : 'empty file';
    return {
      problems: [
        { field: '(root)', message, text: `${file}:${lineColumn(text, first?.offset ?? 0)}: ${message}` },
      ],
    };
  }
  const parsed = taskDraftSchema.safeParse(JSON.parse(JSON.stringify(nodeValue(tree))));
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const segments = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
            : issue.message;
        return problem(segments, message);
      }),
    };
  }
  const draft = parsed.data;
  const problems: DraftProblem[] = [];
  const existing = options.existingTasks ?? [];
  const existingIds = new Set(existing.map((t) => t.id));
  const seen = new Map<string, number>();
  draft.tasks.forEach((task, i) => {
    const first = seen.get(task.id);
    if (first !== undefined)
      problems.push(problem(['tasks', i, 'id'], `duplicate id "${task.id}" (first at tasks[${first}])`));
    else seen.set(task.id, i);
    if (existingIds.has(task.id) && !options.replace) {
      problems.push(
        problem(
          ['tasks', i, 'id'],
          `"${task.id}" is already a task in orchestrator.json (rename it, or apply with --replace to replace it)`,
        ),
      );
    }
  });
  draft.tasks.forEach((task, i) =>
    task.depends_on.forEach((dep, j) => {
      if (dep === task.id)
        problems.push(problem(['tasks', i, 'depends_on', j], 'a task cannot depend on itself'));
      else if (!seen.has(dep) && !existingIds.has(dep))
        problems.push(
          problem(['tasks', i, 'depends_on', j], `no task "${dep}" in the draft or in orchestrator.json`),
        );
    }),
  );
  // Cycles through the merged board: the draft's tasks over the existing ones they replace.
  // A repeated id is reported above; the cycle check follows its first occurrence.
  const firsts = draft.tasks.filter((t, i) => seen.get(t.id) === i);
  const merged = [...existing.filter((t) => !seen.has(t.id)), ...firsts];
  const cycle = dependencyCycle(merged);
  if (cycle) {
    const index = draft.tasks.findIndex((t) => cycle.includes(t.id));
    if (index >= 0)
      problems.push(problem(['tasks', index, 'depends_on'], `dependency cycle: ${cycle.join(' -> ')}`));
  }
  return { draft, problems };
}

/** Reads and checks a draft file; a problem is a FleetError naming the file and fields (details.problems). */
export async function loadDraft(
  file: string,
  options: DraftCheckOptions = {},
): Promise<{ draft: TaskDraft; text: string }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new FleetError(
      ErrorCode.ConfigParse,
      `${file}: cannot read the draft (${describeError(error)})`,
      { file },
      { cause: error },
    );
  }
  return { draft: checkedDraft(file, text, options), text };
}

/** Draft text (an editor's, unsaved edits included) checked as validateDraft does; problems are thrown. */
export function checkedDraft(file: string, text: string, options: DraftCheckOptions = {}): TaskDraft {
  const { draft, problems } = validateDraft(file, text, options);
  if (!draft || problems.length > 0) {
    throw new FleetError(
      draft ? ErrorCode.ConfigReference : ErrorCode.ConfigSchema,
      problems.map((p) => p.text).join('\n'),
      { file, problems: problems.map((p) => p.text), fields: problems.map((p) => p.field) },
    );
  }
  return draft;
}

function offsetOf(tree: JsonNode | undefined, segments: (string | number)[]): number {
  if (!tree) return 0;
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) return node.offset;
  }
  return 0;
}
