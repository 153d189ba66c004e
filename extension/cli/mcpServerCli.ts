import { type Command, InvalidArgumentError, Option } from 'commander';
import * as path from 'node:path';
import type { CliIo } from './io';

interface McpServerOptions {
  workspace: string;
  pane?: string;
  http?: boolean;
  port?: number;
}

/**
 * `fleet mcp-server`: FleetAI's own MCP server, the process an agent's MCP configuration starts (stdio), or one
 * Streamable HTTP endpoint on 127.0.0.1 for agents configured with a URL (`--http`). Its tools reach the
 * workspace's running supervisor over the control socket; see docs/mcp-server.md.
 */
export function registerMcpServerCommand(program: Command, io: CliIo): void {
  program
    .command('mcp-server')
    .description(
      "FleetAI's MCP server for agents (report_status, request_approval, get_task, list_tasks, add_note): " +
        'stdio by default, or Streamable HTTP on 127.0.0.1 with a bearer token (--http)',
    )
    .option(
      '-w, --workspace <dir>',
      'workspace whose supervisor answers (default: $FLEETAI_WORKSPACE or the current folder)',
    )
    .option('-p, --pane <id>', 'the pane the agent runs in (default: $FLEETAI_PANE_ID)')
    .option('--http', 'serve Streamable HTTP on 127.0.0.1 instead of stdio')
    .addOption(
      new Option('--port <n>', 'HTTP port (default: a free one, printed on stderr)').argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535)
          throw new InvalidArgumentError(`--port must be a port number, got "${v}"`);
        return n;
      }),
    )
    .action(async (opts: Omit<McpServerOptions, 'workspace'> & { workspace?: string }) => {
      const workspace = path.resolve(opts.workspace ?? process.env.FLEETAI_WORKSPACE ?? process.cwd());
      const pane = opts.pane ?? (process.env.FLEETAI_PANE_ID?.trim() || undefined);
      process.exitCode = await runMcpServer({ ...opts, workspace, ...(pane ? { pane } : {}) }, io);
    });
}

async function runMcpServer(opts: McpServerOptions, io: CliIo): Promise<number> {
  const [{ createAppLog }, { workspacePaths }, { createFleetMcpServer }, { supervisorLink }] =
    await Promise.all([
      import('../core/observability/appLog'),
      import('../core/workspacePaths'),
      import('../core/mcpServer/fleetMcpServer'),
      import('../core/mcpServer/supervisorLink'),
    ]);
  const paths = workspacePaths(opts.workspace);
  // Synchronous: an agent may end this process at any moment, and its reports must already be in the log.
  const log = createAppLog({ file: paths.appLog, sync: true });
  const call = supervisorLink(opts.workspace);
  const serverFor = (pane: string | undefined) =>
    createFleetMcpServer({ call, log, ...(pane ? { pane } : {}) });

  if (opts.http) {
    const [{ mcpServerToken }, { startMcpHttpServer }] = await Promise.all([
      import('../core/mcpServer/mcpToken'),
      import('../core/mcpServer/mcpHttpServer'),
    ]);
    const token = await mcpServerToken(paths.stateDir);
    let http;
    try {
      http = await startMcpHttpServer({
        token: token.token,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.pane ? { defaultPane: opts.pane } : {}),
        serverFor,
        log,
      });
    } catch (error) {
      io.err(`fleet mcp-server: cannot listen: ${error instanceof Error ? error.message : String(error)}\n`);
      await log.close();
      return 1;
    }
    log.log('info', 'mcp-server', 'mcp.http.started', { url: http.url, token_source: token.source });
    io.err(
      `fleet mcp-server: listening on ${http.url}; send "Authorization: Bearer <token>" with the token ` +
        `${token.source === 'env' ? 'from FLEETAI_MCP_TOKEN' : `in ${token.file}`}; Ctrl-C stops\n`,
    );
    await untilSignal();
    await http.close();
    await log.close();
    return 0;
  }

  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = serverFor(opts.pane);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The agent closing our stdin is the normal end of a stdio MCP server.
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  log.log('info', 'mcp-server', 'mcp.stdio.started', { pane: opts.pane ?? null, pid: process.pid });
  await Promise.race([closed, untilSignal()]);
  await server.close().catch(() => undefined);
  await log.close();
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
