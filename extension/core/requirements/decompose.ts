import { createHash } from 'node:crypto';
import { taskDraftSchema, type TaskDraft } from './draftSchema';
import { modelDecompose, type DecomposeModel } from './modelDecompose';
import { rulesDecompose } from './rulesDecompose';

export interface DecomposeOptions {
  /** Decompose with this model; by the Markdown rules when left out. */
  model?: DecomposeModel | undefined;
  /** The document's name as the draft records it (relative to the workspace). Default "requirements.md". */
  doc?: string;
  /** Model answers sent back with their problems before giving up. */
  maxRepairs?: number;
  /** Tasks already in orchestrator.json, so the model avoids their ids. */
  existingTaskIds?: readonly string[];
  /** The draft's `created_at` (tests). */
  now?: Date;
}

export interface Decomposition {
  draft: TaskDraft;
  /** Model requests made (0 by the rules). */
  attempts: number;
}

/**
 * A requirements document (Markdown) becomes a task draft: through the model when one is given (its answers
 * checked, the problems sent back), by the Markdown rules otherwise. Nothing is written here.
 */
export async function decompose(markdown: string, options: DecomposeOptions = {}): Promise<Decomposition> {
  const source = {
    doc: options.doc ?? 'requirements.md',
    sha256: sha256(markdown),
    created_at: (options.now ?? new Date()).toISOString(),
  };
  if (options.model) {
    const { tasks, attempts } = await modelDecompose(markdown, options.model, {
      ...(options.maxRepairs !== undefined ? { maxRepairs: options.maxRepairs } : {}),
      ...(options.existingTaskIds ? { existingTaskIds: options.existingTaskIds } : {}),
    });
    const draft = taskDraftSchema.parse({
      source: { ...source, decomposed_by: 'model', model: options.model.name },
      tasks,
    });
    return { draft, attempts };
  }
  const { tasks, notes } = rulesDecompose(markdown);
  return {
    draft: taskDraftSchema.parse({ source: { ...source, decomposed_by: 'rules' }, notes, tasks }),
    attempts: 0,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
