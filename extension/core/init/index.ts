/**
 * `fleet init` and FleetAI: Initialize Workspace (issue 10): plan what a workspace needs (`planInit`: the
 * configs with their schemas, the agent CLIs found and the panes offered for them, the `.gitignore` lines), then
 * write it (`applyInit`) without ever replacing what the user wrote.
 */
export { applyInit, createExclusive, type ApplyInitOptions, type InitResult } from './applyInit';
export { detectAgentClis, type DetectOptions, type DetectedCli } from './detectClis';
export { appendGitignoreLines, missingGitignoreLines, proposedGitignoreLines } from './gitignore';
export {
  addPanes,
  planInit,
  type GitignorePlan,
  type InitFileAction,
  type InitPlan,
  type OfferedProfile,
  type PlanInitOptions,
  type PlannedFile,
} from './planInit';
export {
  INIT_FILES,
  mcpServersTemplate,
  offeredPane,
  orchestratorTemplate,
  type OfferedPane,
} from './templates';
