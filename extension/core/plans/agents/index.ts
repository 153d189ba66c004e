export {
  paneAgentPort,
  type ClosableAgentPort,
  type PaneAgentDriver,
  type PaneAgentPortOptions,
} from './paneAgentPort';
export {
  BUILTIN_REGISTRY_FILE,
  WORKSPACE_REGISTRY_FILE,
  loadAgentRegistry,
  registryAgentPort,
  type RegistryAgentPortOptions,
  type RegistryEntry,
  type RegistryRunner,
} from './registryAgentPort';
export { runTurn, type TurnPane, type TurnResult } from './turnPane';
export { checkableWithoutAgent, unmetCriteria } from './criteria';
export { readJournal, writeJournal, type AgentJournalEntry } from './agentJournal';

export { combineAgentPorts } from './combineAgentPorts';
export { openWorkspaceAgents, type WorkspaceAgentsOptions } from './workspaceAgents';
