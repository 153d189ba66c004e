import * as path from 'node:path';
import type { ApprovalStore } from '../../approvals';
import { loadOrchestratorConfig } from '../../config/orchestratorConfig';
import { resolveModelSettings } from '../../decisions/modelSettings';
import type { Logger } from '../../observability/appLog';
import { PaneRegistry } from '../../panes/paneRegistry';
import { nodePtyHost, type PtyHost } from '../../panes/ptyHost';
import type { WorkspacePaths } from '../../workspacePaths';
import { combineAgentPorts } from './combineAgentPorts';
import { paneAgentPort, type ClosableAgentPort } from './paneAgentPort';
import { BUILTIN_REGISTRY_FILE, WORKSPACE_REGISTRY_FILE, registryAgentPort } from './registryAgentPort';
import { registryPaneDriver } from './registryDriver';

export interface WorkspaceAgentsOptions {
  workspace: string;
  paths: WorkspacePaths;
  /** The shipped profiles (`agents-config`); the shipped agent registry lives under it too. */
  builtinProfilesDir: string;
  log: Logger;
  approvals?: ApprovalStore;
  ptyHost?: PtyHost;
  env?: () => Record<string, string | undefined>;
  /** Where agent nodes note that their prompt went out. Default `.fleetai/state/agent-journal`. */
  journalDir?: string;
  /**
   * The supervisor's own panes, when a supervisor runs the plan: `pane` targets then name its panes, and new
   * panes join its registry (not disposed by `close()`, which ends only the panes the port started).
   */
  registry?: PaneRegistry;
}

/**
 * The agents a headless plan run (`fleet run:auto`) gives its agent_invocation nodes: panes in a PaneRegistry of
 * its own (started as orchestrator.json's `agents` settings say, ended by `close()`), and the agent registry
 * with the model of orchestrator.json's `model` section (or FLEETAI_MODEL_*), read as the supervisor reads it.
 */
export async function openWorkspaceAgents(options: WorkspaceAgentsOptions): Promise<ClosableAgentPort> {
  const { paths, log } = options;
  const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
  const owned = options.registry === undefined;
  const registry =
    options.registry ??
    new PaneRegistry({
      builtinProfilesDir: options.builtinProfilesDir,
      paths,
      ptyHost: options.ptyHost ?? nodePtyHost(),
      log,
      headless: true,
      stallTimeoutMs: () => config.stall_timeout_seconds * 1000,
      ...(options.env ? { env: options.env } : {}),
    });
  const env = options.env?.() ?? process.env;
  let settings;
  try {
    settings = await resolveModelSettings({
      settings: {
        baseUrl: config.model.base_url,
        model: config.model.model,
        apiKey: env[config.model.api_key_env],
        timeoutSeconds: config.model.timeout_seconds,
      },
      env,
    });
  } catch (error) {
    // A broken model setting only matters to registry nodes: they fail naming it, panes still run.
    log.warn('plans', 'plan.agents.model_invalid', { error: String(error) });
  }
  const panes = paneAgentPort({
    driver: registryPaneDriver({ registry, config, workspace: options.workspace, log }),
    journalDir: options.journalDir ?? path.join(paths.stateDir, 'agent-journal'),
    ...(options.approvals ? { approvals: options.approvals } : {}),
  });
  const combined = combineAgentPorts({
    panes,
    registry: registryAgentPort({
      files: [
        path.join(options.builtinProfilesDir, BUILTIN_REGISTRY_FILE),
        path.join(options.workspace, WORKSPACE_REGISTRY_FILE),
      ],
      settings,
    }),
  });
  return {
    invokeAgent: (node, key, context) => combined.invokeAgent(node, key, context),
    close: async () => {
      await combined.close();
      if (owned) await registry.disposeAll();
    },
  };
}
