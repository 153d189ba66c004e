import { ControlError, type ControlHandler } from '../control/controlServer';
import {
  askParamsSchema,
  decideParamsSchema,
  sendParamsSchema,
  unblockParamsSchema,
} from '../control/controlProtocol';
import type { McpControl } from '../mcp/mcpControl';
import type { Logger } from '../observability/appLog';
import type { PaneRegistry } from '../panes/paneRegistry';
import { agentReports } from '../mcpServer/agentReports';
import type { Orchestrator } from './orchestrator';
import type { ApprovalsPort, NotifierPort } from './ports';

/**
 * What a running supervisor answers on its control socket (`fleet status`, `send`, `ask`, `approvals:*`,
 * `unblock`), whoever hosts it: the same answers from a VS Code window as from `fleet orchestrator`. Decisions
 * and questions arriving here are recorded as the CLI's (`cli`), the only client of the socket.
 */
export function supervisorControlHandler(options: {
  orchestrator: Orchestrator;
  registry: Pick<PaneRegistry, 'list' | 'get'>;
  approvals: Pick<ApprovalsPort, 'pending' | 'request' | 'decide' | 'onDecided'>;
  /** Who hosts the supervisor, reported by `status` (`vscode`, `cli`). */
  host: string;
  /** The supervisor's log, for what agents report through MCP (the MCP server process logs them too). */
  log?: Pick<Logger, 'log'>;
  /** The supervisor's notifier, so an approval an agent asks for through MCP is announced like any other. */
  notifier?: NotifierPort;
  /** The host's workspace MCP bridge (mcpControl over it), so `fleet mcp:*` use its sessions. */
  mcp?: McpControl;
}): ControlHandler {
  const { orchestrator, registry, approvals } = options;
  const reports = agentReports({
    orchestrator,
    registry,
    approvals,
    ...(options.log ? { log: options.log } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
  });
  const mcpOf = (): McpControl => {
    if (!options.mcp)
      throw new ControlError(
        'E_MCP_UNAVAILABLE',
        'this supervisor has no MCP bridge / 此监督器没有 MCP 桥接',
      );
    return options.mcp;
  };
  return async (request) => {
    switch (request.method) {
      case 'status':
        return {
          pid: process.pid,
          host: options.host,
          dry_run: orchestrator.settings.dryRun,
          state: { ...orchestrator.snapshot(), dry_run: orchestrator.settings.dryRun },
          panes: registry.list().map((p) => ({
            id: p.id,
            agent: p.kind,
            branch: p.branch,
            state: p.state.name,
            reason: p.state.reason,
            since: p.state.since,
            ...reports.latest(p.id),
          })),
          pending_approvals: await approvals.pending(),
        };
      case 'send': {
        const params = sendParamsSchema.parse(request.params);
        if (!registry.get(params.pane))
          throw new ControlError('E_PANE_NOT_FOUND', `No agent pane "${params.pane}"`);
        return orchestrator.submit({ pane: params.pane, text: params.text, source: 'cli' });
      }
      case 'ask': {
        const params = askParamsSchema.parse(request.params);
        const result = await orchestrator.ask(
          params.pane,
          params.question,
          'cli',
          params.timeoutSeconds * 1000,
        );
        if (!result.ok) throw new ControlError(result.error.code, result.error.message);
        return result;
      }
      case 'approvals.list':
        return approvals.pending();
      case 'approvals.decide': {
        const params = decideParamsSchema.parse(request.params);
        const result = await orchestrator.decideApproval(params.id, params.decision, 'cli', params.message);
        if (!result.ok) throw new ControlError(result.error.code, result.error.message);
        return result.record;
      }
      case 'unblock': {
        const params = unblockParamsSchema.parse(request.params);
        orchestrator.unblock(params.pane, 'cli');
        return { pane: params.pane };
      }
      case 'pane.report':
        return reports.report(request.params);
      case 'pane.note':
        return reports.note(request.params);
      case 'pane.task':
        return reports.task(request.params);
      case 'tasks.list':
        return reports.tasks();
      case 'approvals.request':
        return reports.requestApproval(request.params);
      case 'approvals.withdraw':
        return reports.withdrawApproval(request.params);
      case 'mcp.list':
        return mcpOf().list();
      case 'mcp.tools':
        return mcpOf().tools(request.params);
      case 'mcp.call':
        return mcpOf().call(request.params);
      case 'mcp.reconnect':
        return mcpOf().reconnect(request.params);
      default: {
        // A method added to the protocol must be answered here too (a type error until it is).
        const unknown: never = request.method;
        throw new ControlError('E_CONTROL_MALFORMED', `unknown method ${String(unknown)}`);
      }
    }
  };
}
