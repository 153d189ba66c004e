import { type Command, InvalidArgumentError, Option } from 'commander';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpControl, McpServerSummary, McpToolSummary } from '../core/mcp/mcpControl';
import type { CliIo } from './io';

interface CommonOptions {
  workspace?: string;
  json?: boolean;
}

type Method = 'mcp.list' | 'mcp.tools' | 'mcp.call' | 'mcp.reconnect';
type Outcome =
  { ok: true; value: unknown; via: 'supervisor' | 'own' } | { ok: false; code: string; message: string };

/** Control-socket answers that mean "do it yourself": nobody listening, or a supervisor without a bridge. */
const FALL_BACK = new Set([
  'E_CONTROL_FILE',
  'E_CONTROL_UNREACHABLE',
  'E_MCP_UNAVAILABLE',
  'ECONNREFUSED',
  'ENOENT',
]);

/**
 * `fleet mcp:list`, `mcp:tools ALIAS`, `mcp:call ALIAS TOOL --args JSON`, `mcp:reconnect ALIAS`: through the running
 * supervisor's control socket when one runs (its one shared session per server, its approvals for risky tools),
 * else with a bridge of this process's own for this one command. See docs/mcp.md.
 */
export function registerMcpCommands(program: Command, io: CliIo): void {
  const common = (command: Command): Command =>
    command
      .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
      .option('--json', 'print JSON');

  common(
    program
      .command('mcp:list')
      .description('MCP servers of the workspace: state, transport, tools, last error'),
  ).action(async (opts: CommonOptions) => {
    process.exitCode = await run(io, 'mcp:list', opts, 'mcp.list', {}, (value, zh) =>
      formatList(value as McpServerSummary[], zh),
    );
  });

  common(
    program.command('mcp:tools').argument('<alias>', 'server alias').description('tools of one MCP server'),
  ).action(async (alias: string, opts: CommonOptions) => {
    process.exitCode = await run(io, 'mcp:tools', opts, 'mcp.tools', { alias }, (value, zh) =>
      formatTools(alias, value as McpToolSummary[], zh),
    );
  });

  common(
    program
      .command('mcp:call')
      .argument('<alias>', 'server alias')
      .argument('<tool>', 'tool name')
      .description(
        'call one tool of an MCP server (a high/critical tool not in alwaysAllow asks for approval)',
      )
      .option('--args <json>', 'the arguments as a JSON object', '{}')
      .addOption(
        new Option('--timeout <ms>', 'timeout of the call in milliseconds').argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n <= 0)
            throw new InvalidArgumentError(`--timeout must be a positive integer, got "${v}"`);
          return n;
        }),
      )
      .addOption(
        new Option(
          '--wait <seconds>',
          'when the server is down, wait up to this long for it to reconnect before failing (default: fail at once)',
        ).argParser((v) => {
          const n = Number(v);
          if (!Number.isFinite(n) || n < 0 || n > 3600)
            throw new InvalidArgumentError(`--wait must be a number of seconds from 0 to 3600, got "${v}"`);
          return n;
        }),
      ),
  ).action(
    async (
      alias: string,
      tool: string,
      opts: CommonOptions & { args: string; timeout?: number; wait?: number },
    ) => {
      const zh = chinese();
      let args: unknown;
      try {
        args = JSON.parse(opts.args);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        process.exitCode = fail(
          io,
          'mcp:call',
          {
            code: 'E_MCP_ARGS',
            message: zh
              ? `${alias}/${tool} 的 --args 不是合法 JSON：${why}`
              : `--args for ${alias}/${tool} is not valid JSON: ${why}`,
          },
          opts.json === true,
        );
        return;
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        process.exitCode = fail(
          io,
          'mcp:call',
          {
            code: 'E_MCP_ARGS',
            message: zh
              ? `${alias}/${tool} 的 --args 必须是 JSON 对象（例如 {"message":"hi"}）`
              : `--args for ${alias}/${tool} must be a JSON object (e.g. {"message":"hi"})`,
          },
          opts.json === true,
        );
        return;
      }
      const params = {
        alias,
        tool,
        args,
        ...(opts.timeout === undefined ? {} : { timeoutMs: opts.timeout }),
        ...(opts.wait === undefined ? {} : { waitForConnectionMs: Math.round(opts.wait * 1000) }),
      };
      process.exitCode = await run(
        io,
        'mcp:call',
        opts,
        'mcp.call',
        params,
        (value) => formatResult(value as CallToolResult),
        (value) => ((value as CallToolResult).isError === true ? 1 : 0),
      );
    },
  );

  common(
    program
      .command('mcp:reconnect')
      .argument('<alias>', 'server alias')
      .description('drop and reconnect one MCP server now'),
  ).action(async (alias: string, opts: CommonOptions) => {
    process.exitCode = await run(io, 'mcp:reconnect', opts, 'mcp.reconnect', { alias }, (value, zh) =>
      formatList([value as McpServerSummary], zh),
    );
  });
}

function chinese(): boolean {
  const raw =
    process.env.FLEETAI_LOCALE ?? process.env.LC_ALL ?? process.env.LC_MESSAGES ?? process.env.LANG ?? '';
  return /^zh/i.test(raw);
}

function fail(io: CliIo, command: string, error: { code: string; message: string }, json: boolean): number {
  if (json) io.out(`${JSON.stringify({ ok: false, error })}\n`);
  io.err(`fleet ${command}: ${error.message} (${error.code})\n`);
  return 1;
}

async function run(
  io: CliIo,
  command: string,
  opts: CommonOptions,
  method: Method,
  params: Record<string, unknown>,
  format: (value: unknown, zh: boolean) => string,
  exitOf: (value: unknown) => number = () => 0,
): Promise<number> {
  const workspace = path.resolve(opts.workspace ?? process.cwd());
  const zh = chinese();
  const outcome =
    (await viaSupervisor(workspace, method, params)) ?? (await viaOwnBridge(workspace, method, params));
  if (!outcome.ok) return fail(io, command, outcome, opts.json === true);
  if (opts.json) io.out(`${JSON.stringify({ ok: true, via: outcome.via, value: outcome.value }, null, 2)}\n`);
  else io.out(`${format(outcome.value, zh)}\n`);
  return exitOf(outcome.value);
}

/** Undefined when no supervisor answers (or it has no bridge): the caller uses a bridge of its own. */
async function viaSupervisor(
  workspace: string,
  method: Method,
  params: Record<string, unknown>,
): Promise<Outcome | undefined> {
  const [{ askSupervisor }, { controlFileOf }] = await Promise.all([
    import('../core/control/controlClient'),
    import('./controlCommands'),
  ]);
  // A risky call waits for a person's decision (up to its approval timeout, 600 s), and maybe for its server to
  // come back (`--wait`): the socket waits longer than both.
  const waited = typeof params.waitForConnectionMs === 'number' ? params.waitForConnectionMs : 0;
  const timeoutMs = method === 'mcp.call' ? 15 * 60_000 + waited : 60_000;
  const answer = await askSupervisor(controlFileOf(workspace), method, params, timeoutMs);
  if (!answer || (!answer.ok && FALL_BACK.has(answer.code))) return undefined;
  return answer.ok ? { ...answer, via: 'supervisor' } : answer;
}

async function viaOwnBridge(
  workspace: string,
  method: Method,
  params: Record<string, unknown>,
): Promise<Outcome> {
  const [
    { openWorkspaceMcpBridge, mcpControl },
    { createAppLog },
    { workspacePaths },
    { builtinProfilesDir },
    { describeError },
  ] = await Promise.all([
    import('../core/mcp/mcpControl'),
    import('../core/observability/appLog'),
    import('../core/workspacePaths'),
    import('./resolveAgent'),
    import('../core/errors'),
  ]);
  const log = createAppLog({ file: workspacePaths(workspace).appLog });
  const bridge = await openWorkspaceMcpBridge({ workspace, builtinProfilesDir: builtinProfilesDir(), log });
  // No supervisor: nobody can approve a risky tool, so mcpControl refuses one (naming its risk).
  const control: McpControl = mcpControl({ bridge, log });
  try {
    let value: unknown;
    if (method === 'mcp.list') {
      // A short-lived bridge has nothing to report until it tries: connect every enabled server first.
      await Promise.allSettled(
        bridge
          .aliases()
          .filter((a) => !bridge.config.servers.get(a)?.disabled)
          .map((a) => bridge.connect(a)),
      );
      value = control.list();
    } else if (method === 'mcp.tools') value = await control.tools(params);
    else if (method === 'mcp.call') value = await control.call(params);
    else value = await control.reconnect(params);
    return { ok: true, value, via: 'own' };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, code: typeof code === 'string' ? code : 'E_MCP', message: describeError(error) };
  } finally {
    await bridge.close();
    await log.close();
  }
}

function formatList(servers: McpServerSummary[], zh: boolean): string {
  if (servers.length === 0)
    return zh
      ? '没有配置 MCP 服务器（.fleetai/mcp.servers.json）'
      : 'no MCP servers configured (.fleetai/mcp.servers.json)';
  return servers
    .map((s) => {
      const parts = [
        s.alias,
        s.state,
        s.transport,
        zh ? `${s.tools} 个工具` : `${s.tools} tools`,
        // Most servers offer neither: shown only when they do.
        ...(s.resources ? [zh ? `${s.resources} 个资源` : `${s.resources} resources`] : []),
        ...(s.prompts ? [zh ? `${s.prompts} 个提示` : `${s.prompts} prompts`] : []),
        ...(s.nextRetryAt ? [zh ? `下次重试 ${s.nextRetryAt}` : `next retry ${s.nextRetryAt}`] : []),
        ...(s.lastError ? [zh ? `最近错误：${s.lastError}` : `last error: ${s.lastError}`] : []),
      ];
      return parts.join('  ');
    })
    .join('\n');
}

function formatTools(alias: string, tools: McpToolSummary[], zh: boolean): string {
  if (tools.length === 0) return zh ? `服务器 ${alias} 没有工具` : `server ${alias} lists no tools`;
  return tools
    .map((t) => {
      const flags = [
        t.risk,
        ...(t.alwaysAllow ? ['alwaysAllow'] : []),
        ...(t.disabled ? [zh ? '已禁用' : 'disabled'] : []),
      ];
      const about = (t.description ?? t.title ?? '').split('\n')[0] ?? '';
      return `${t.name}  [${flags.join(', ')}]${about ? `  ${about.slice(0, 100)}` : ''}`;
    })
    .join('\n');
}

function formatResult(result: CallToolResult): string {
  const text = result.content
    .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
    .join('\n');
  const structured = result.structuredContent ? `\n${JSON.stringify(result.structuredContent, null, 2)}` : '';
  return `${result.isError ? 'tool error: ' : ''}${text}${structured}`;
}
