import { checkDecomposition, decompositionSchema, normaliseDecomposition } from '../decisions/decisionSchema';
import type { ModelResult, StructuredModel } from '../decisions/modelDecider';
import { ErrorCode, FleetError } from '../errors';
import { formatIssues } from '../schemas/issues';
import { draftTaskSchema, type DraftTaskInput } from './draftSchema';

export const DEFAULT_MAX_REPAIRS = 2;

/** What the requirements decomposition needs of a model: one structured `decompose` answer per request. */
export interface DecomposeModel {
  readonly name: string;
  decompose(request: { instructions: string; input: string }): Promise<ModelResult<DraftTaskInput[]>>;
}

export const DECOMPOSE_INSTRUCTIONS = [
  'You split a software requirements document (Markdown, English or Chinese) into tasks for AI coding agents.',
  'Each task: a short id (ASCII letters, digits, "-", "_" or ".", at most 64, starting with a letter or digit),',
  'a one-line title in the language of the document, depends_on (ids of tasks of your list that must be done',
  'first; no cycles), and acceptance: a checklist of what must be true when it is done, and a shell command whose',
  'exit code 0 proves it when the document names one (else null). Prefer the tasks the document itself names.',
  'When the input has "problems", they are the problems of your previous answer ("previous_answer" when given;',
  'paths such as tasks[2].id name its fields): answer the whole list again with every problem fixed.',
].join('\n');

/**
 * The configured endpoint as a decompose model: the decider's structured call with the decompose schema (the one
 * the supervisor's automatic decomposition uses), each task then held to the config's task schema.
 */
export function structuredDecomposeModel(model: StructuredModel): DecomposeModel {
  return {
    name: model.model,
    decompose: async (request) => {
      // An answer that fits the wire schema but not the checks after it goes back with its problems, so the
      // model can fix its own list (the SDK keeps no conversation between calls).
      let refused: unknown;
      const result = await model.call(
        'decompose',
        () => request,
        decompositionSchema,
        (wire): { value: DraftTaskInput[] } | { problems: string[] } => {
          const tasks = normaliseDecomposition(wire);
          const problems = [...checkDecomposition(tasks), ...configProblems(tasks)];
          if (problems.length > 0) {
            refused = wire;
            return { problems };
          }
          return {
            value: tasks.map((t) => ({
              id: t.id,
              title: t.title,
              depends_on: t.depends_on,
              ...(hasAcceptance(t) ? { acceptance: t.acceptance } : {}),
            })),
          };
        },
      );
      return result.ok || refused === undefined
        ? result
        : { ...result, error: { ...result.error, details: { ...result.error.details, answer: refused } } };
    },
  };
}

function hasAcceptance(task: { acceptance: { checklist?: string[]; command?: string } }): boolean {
  return task.acceptance.checklist !== undefined || task.acceptance.command !== undefined;
}

/** The config's own checks (id pattern, empty titles) that the wire schema does not make. */
function configProblems(tasks: readonly unknown[]): string[] {
  return tasks.flatMap((task, i) => {
    const checked = draftTaskSchema.safeParse(task);
    return checked.success ? [] : formatIssues(checked.error.issues).map((p) => `tasks[${i}].${p}`);
  });
}

export interface ModelDecomposition {
  tasks: DraftTaskInput[];
  attempts: number;
}

/**
 * Asks the model, and sends the problems of an answer that does not fit back with it, at most `maxRepairs`
 * times; then gives up with E_MODEL_BAD_OUTPUT listing the last problems (details: problems, attempts). An error
 * that is not about the answer (unreachable, HTTP, timeout) ends it at once with its own code.
 */
export async function modelDecompose(
  markdown: string,
  model: DecomposeModel,
  options: { maxRepairs?: number; existingTaskIds?: readonly string[] } = {},
): Promise<ModelDecomposition> {
  const maxRepairs = options.maxRepairs ?? DEFAULT_MAX_REPAIRS;
  let problems: string[] = [];
  let previous: unknown;
  for (let attempt = 1; attempt <= maxRepairs + 1; attempt++) {
    const input = JSON.stringify({
      requirements_doc: markdown,
      ...(options.existingTaskIds?.length ? { existing_task_ids: options.existingTaskIds } : {}),
      ...(problems.length > 0
        ? { problems, ...(previous !== undefined ? { previous_answer: previous } : {}) }
        : {}),
    });
    const result = await model.decompose({ instructions: DECOMPOSE_INSTRUCTIONS, input });
    if (result.ok) return { tasks: result.value, attempts: attempt };
    if (result.error.code !== ErrorCode.ModelBadOutput) {
      throw new FleetError(result.error.code, result.error.message, {
        ...result.error.details,
        attempts: attempt,
      });
    }
    const details = result.error.details?.problems;
    problems = Array.isArray(details) ? details.map(String) : [result.error.message];
    previous = result.error.details?.answer;
    if (attempt === maxRepairs + 1) {
      throw new FleetError(
        ErrorCode.ModelBadOutput,
        `The model's decomposition still does not fit after ${attempt} attempt(s): ${problems.join('; ')}`,
        { problems, attempts: attempt },
      );
    }
  }
  // Unreachable: the loop returns or throws.
  throw new FleetError(ErrorCode.Internal, 'decomposition loop ended without an answer');
}
