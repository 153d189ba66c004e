/** Plans (issue 6): the schema, validation, the dry run, versions, templates and the derived graph. */
export * from './planSchema';
export * from './planMessages';
export * from './validatePlan';
export * from './planFile';
export * from './planGraph';
export * from './connectivity';
export * from './planStore';
export * from './templates';
