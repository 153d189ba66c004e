import type { Command } from 'commander';
import * as path from 'node:path';
import type { CliIo } from './io';

/**
 * `fleet orchestrator` and the commands that act on a running one: status, send, approvals:list,
 * approvals:approve, approvals:deny, unblock. They reach the supervisor over its control socket (path and token in
 * `.fleetai/state/control.json`); with no supervisor running, `status` and the approval commands fall back to the
 * state files (approvals are decided there with a lock, exactly once, and applied when a supervisor next looks).
 */
export function registerSupervisorCommands(program: Command, io: CliIo): void {
  program
    .command('orchestrator')
    .description('run the panes and the supervisor of a workspace config headless, until stopped (Ctrl-C)')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('-c, --config <file>', 'workspace config (default: <workspace>/.fleetai/orchestrator.json)')
    .option('--dry-run', 'decide and log, but type nothing into any pane')
    .option(
      '--metrics-port <port>',
      'Prometheus /metrics and /healthz on this port (0: none; default: metrics_port)',
    )
    .option('--metrics-host <host>', 'address the exporter listens on (default: metrics_host, 127.0.0.1)')
    .option(
      '--portal-port <port>',
      'approval portal and chat callbacks on this port (0: none; default: portal.port)',
    )
    .option('--portal-host <host>', 'address the portal listens on (default: portal.host, 127.0.0.1)')
    .action(
      async (opts: {
        workspace: string;
        config?: string;
        dryRun?: boolean;
        metricsPort?: string;
        metricsHost?: string;
        portalPort?: string;
        portalHost?: string;
      }) => {
        const { runOrchestratorCli } = await import('./orchestratorCli');
        process.exitCode = await runOrchestratorCli({
          workspace: path.resolve(opts.workspace),
          ...(opts.config ? { config: path.resolve(opts.config) } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
          ...(opts.metricsHost !== undefined ? { metricsHost: opts.metricsHost } : {}),
          ...(opts.portalPort !== undefined ? { portalPort: opts.portalPort } : {}),
          ...(opts.portalHost !== undefined ? { portalHost: opts.portalHost } : {}),
          io,
        });
      },
    );

  program
    .command('portal')
    .description("print the approval portal's link with its token (open it on a phone through a TLS tunnel)")
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('-c, --config <file>', 'workspace config (default: <workspace>/.fleetai/orchestrator.json)')
    .option('--portal-port <port>', 'the port the portal was started with (default: portal.port)')
    .option('--portal-host <host>', 'the address the portal was started with (default: portal.host)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        workspace: string;
        config?: string;
        portalPort?: string;
        portalHost?: string;
        json?: boolean;
      }) => {
        const { runPortalCli } = await import('./portalCli');
        process.exitCode = await runPortalCli({
          workspace: path.resolve(opts.workspace),
          ...(opts.config ? { config: path.resolve(opts.config) } : {}),
          ...(opts.portalPort !== undefined ? { portalPort: opts.portalPort } : {}),
          ...(opts.portalHost !== undefined ? { portalHost: opts.portalHost } : {}),
          json: opts.json === true,
          io,
        });
      },
    );

  program
    .command('status')
    .description('the supervisor: heartbeat, panes with state, phase and blockers, queues, pending approvals')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; json?: boolean }) => {
      const { status } = await import('./controlCommands');
      process.exitCode = await status(path.resolve(opts.workspace), io, opts.json === true);
    });

  program
    .command('send')
    .description("queue TEXT for PANE: typed once the agent waits for input, after the approval rules' check")
    .argument('<pane>', 'pane id')
    .argument('<text...>', 'what to type')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action(async (pane: string, text: string[], opts: { workspace: string; json?: boolean }) => {
      const { send } = await import('./controlCommands');
      process.exitCode = await send(
        path.resolve(opts.workspace),
        pane,
        text.join(' '),
        io,
        opts.json === true,
      );
    });

  program
    .command('ask')
    .description("ask PANE's agent a question and print its answer once its turn is over")
    .argument('<pane>', 'pane id')
    .argument('<question...>', 'the question')
    .option('-t, --timeout <seconds>', 'longest wait for the answer', '120')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action(
      async (
        pane: string,
        question: string[],
        opts: { workspace: string; timeout: string; json?: boolean },
      ) => {
        const { ask } = await import('./controlCommands');
        process.exitCode = await ask(
          path.resolve(opts.workspace),
          pane,
          question.join(' '),
          Number(opts.timeout),
          io,
          opts.json === true,
        );
      },
    );

  program
    .command('approvals:list')
    .description('pending approval requests')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; json?: boolean }) => {
      const { listApprovals } = await import('./controlCommands');
      process.exitCode = await listApprovals(path.resolve(opts.workspace), io, opts.json === true);
    });

  for (const [name, decision, describe] of [
    ['approvals:approve', 'approve', 'approve a pending request (the first answer wins)'],
    ['approvals:deny', 'deny', 'deny a pending request; --reason is passed to the agent'],
  ] as const) {
    program
      .command(name)
      .description(describe)
      .argument('<id>', 'approval id (fleet approvals:list)')
      .option('-r, --reason <text>', 'message for the agent')
      .option('--session', 'approve for the rest of the session (where the agent offers it)')
      .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
      .option('--json', 'print JSON')
      .action(
        async (
          id: string,
          opts: { workspace: string; reason?: string; session?: boolean; json?: boolean },
        ) => {
          const { decideApproval } = await import('./controlCommands');
          process.exitCode = await decideApproval(
            path.resolve(opts.workspace),
            id,
            decision === 'approve' && opts.session ? 'approve_for_session' : decision,
            opts.reason,
            io,
            opts.json === true,
          );
        },
      );
  }

  program
    .command('unblock')
    .description("clear a pane's blockers (after fixing the cause) so automatic recovery starts over")
    .argument('<pane>', 'pane id')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .action(async (pane: string, opts: { workspace: string }) => {
      const { unblock } = await import('./controlCommands');
      process.exitCode = await unblock(path.resolve(opts.workspace), pane, io);
    });
}
