/** The plan executor (issue 6): a plan compiled to LangGraph.js, checkpointed in JSON files, with approvals. */
export * from './runState';
export * from './conditions';
export * from './scheduler';
export * from './workPorts';
export * from './localTasks';
export * from './approvalGate';
export * from './compilePlan';
export * from './runRecord';
export * from './runPlan';
export * from './runOwner';
export * from './resumeRuns';
