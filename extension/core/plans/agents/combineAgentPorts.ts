import type { AgentWorkPort } from '../executor/workPorts';
import type { ClosableAgentPort } from './paneAgentPort';

/** One port for the executor: pane targets (`kind`, `pane`) to the pane port, `registry` to the registry port. */
export function combineAgentPorts(ports: {
  panes: ClosableAgentPort;
  registry: AgentWorkPort;
}): ClosableAgentPort {
  return {
    invokeAgent: (node, key, context) =>
      node.agent.type === 'registry'
        ? ports.registry.invokeAgent(node, key, context)
        : ports.panes.invokeAgent(node, key, context),
    close: () => ports.panes.close(),
  };
}
