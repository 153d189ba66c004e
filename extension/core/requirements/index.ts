/**
 * Requirements to tasks (issue 9, seed 003 scenario D): a Markdown requirements document becomes a task draft
 * (by the model when configured, by Markdown rules otherwise) that the user edits in `.fleetai/drafts/`, then
 * applies to orchestrator.json's `tasks` with a diff shown first.
 */
export { applyDraft, commitApply, previewApply, type ApplyOptions, type ApplyPreview } from './applyDraft';
export { decompose, sha256, type DecomposeOptions, type Decomposition } from './decompose';
export {
  checkedDraft,
  draftPathFor,
  loadDraft,
  validateDraft,
  writeDraft,
  type DraftCheck,
  type DraftCheckOptions,
  type DraftProblem,
  type ExistingTask,
} from './draftFile';
export {
  DRAFT_SCHEMA_FILE,
  taskDraftJsonSchema,
  taskDraftSchema,
  type DraftTask,
  type TaskDraft,
} from './draftSchema';
export {
  DEFAULT_MAX_REPAIRS,
  modelDecompose,
  structuredDecomposeModel,
  type DecomposeModel,
} from './modelDecompose';
export { rulesDecompose } from './rulesDecompose';
