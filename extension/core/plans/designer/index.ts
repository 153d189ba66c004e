/**
 * The plan Designer (issue 6): a goal becomes a plan through a model (a design answered as structured output,
 * validated and repaired a bounded number of times), or through a built-in template when no model is
 * configured; and the rest of a run becomes a new plan version (re-plan).
 */
export * from './designSchema';
export * from './designModel';
export * from './workspaceFacts';
export * from './chooseTemplate';
export * from './designPlan';
export * from './replan';
