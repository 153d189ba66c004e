import type { OrchestratorConfig } from '../../config/orchestratorConfig';
import type { Logger } from '../../observability/appLog';
import type { AgentPane, PaneRegistry } from '../../panes/paneRegistry';
import { startConfiguredPane } from '../../supervisor/configuredPane';
import type { PaneAgentDriver } from './paneAgentPort';
import type { TurnPane } from './turnPane';

/** An agent of the registry as a TurnPane; `supervised` is read each time, since a restart replaces it. */
export function turnPaneOf(agent: AgentPane): TurnPane {
  return {
    id: agent.id,
    kind: agent.kind,
    cwd: agent.cwd,
    get state() {
      return agent.supervised.state;
    },
    onState: (listener) => agent.supervised.onState(listener),
    send: (text) => agent.supervised.send(text),
    answerApproval: (decision, message) => agent.supervised.answerApproval(decision, message),
    tail: async (lines) => {
      await agent.supervised.pane.whenParsed();
      return agent.supervised.pane.screen.tail(lines);
    },
  };
}

/**
 * The plan's panes in a PaneRegistry (the `fleet` CLI's, headless): started like the panes of
 * orchestrator.json (the config's `agents.<kind>` bin, extra args and env; a branch gets its worktree through
 * the same helper), with ids `plan-<kind>[-<branch>]` (a number added when taken).
 */
export function registryPaneDriver(options: {
  registry: PaneRegistry;
  config: OrchestratorConfig;
  workspace: string;
  log: Logger;
}): PaneAgentDriver {
  const { registry } = options;
  return {
    start: async (request) => {
      let id = request.name.replace(/[^A-Za-z0-9_-]/g, '-');
      for (let n = 2; registry.get(id); n++) id = `${request.name}-${n}`;
      const agent = await startConfiguredPane(
        registry,
        options.config,
        {
          id,
          agent: request.kind,
          ...(request.cwd ? { cwd: request.cwd } : {}),
          ...(request.branch ? { branch: request.branch, worktree: true } : { worktree: false }),
          env: {},
          autostart: false,
        },
        options.workspace,
        options.log,
      );
      return turnPaneOf(agent);
    },
    find: (id) => {
      const agent = registry.get(id);
      return agent ? turnPaneOf(agent) : undefined;
    },
    known: () => registry.list().map((agent) => agent.id),
    stop: async (id) => {
      if (registry.get(id)) await registry.remove(id);
    },
  };
}
