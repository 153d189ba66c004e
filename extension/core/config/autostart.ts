import { loadOrchestratorConfig } from './orchestratorConfig';

/**
 * Whether the workspace's orchestrator.json asks for agents at start. A missing file asks for none; a broken
 * one too (the supervisor reports the file's problem when it starts, and nothing should start by surprise).
 */
export async function hasAutostartPanes(file: string): Promise<boolean> {
  try {
    const loaded = await loadOrchestratorConfig(file);
    return loaded.found && loaded.config.panes.some((p) => p.autostart);
  } catch {
    return false;
  }
}
