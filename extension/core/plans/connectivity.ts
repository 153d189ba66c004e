import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadProfiles, WORKSPACE_PROFILES_DIR, type LoadedProfiles } from '../agents/profiles';
import { loadOrchestratorConfig } from '../config/orchestratorConfig';
import { describeError } from '../errors';
import { locateCommand } from '../executables';
import type { McpBridge } from '../mcp';
import { checkMcpTool } from '../mcp/mcpToolCheck';
import { workspacePaths } from '../workspacePaths';
import { pick, type PlanLocale } from './planMessages';
import type { LocalAction, Plan, PlanNode } from './planSchema';

/**
 * The dry run (seed 004 "Dry Run 验证节点连通性"): for a plan that validates, checks what each node needs from
 * this machine without running anything: a command's program is on PATH, a URL parses, the environment
 * variables named for headers are set, an agent kind has a profile and its program is installed, a pane is
 * declared, an MCP server alias is configured. What cannot be checked yet is reported as `not_checked` with the
 * reason (MCP tool names need the MCP bridge; registry agents need the agent registry), never as `ok`.
 */

export type DryRunStatus = 'ok' | 'warning' | 'error' | 'not_checked';

export type DryRunCheckKind =
  | 'program'
  | 'url'
  | 'env'
  | 'path'
  | 'agent_profile'
  | 'agent_program'
  | 'pane'
  | 'registry_agent'
  | 'mcp_server'
  | 'mcp_tool';

export interface DryRunCheck {
  nodeIndex: number;
  nodeId: string;
  /** The field checked: `['nodes', 3, 'action', 'command']`. */
  path: (string | number)[];
  check: DryRunCheckKind;
  status: DryRunStatus;
  message: string;
}

export interface DryRunReport {
  /** No check failed (warnings and not_checked do not fail a dry run). */
  ok: boolean;
  checks: DryRunCheck[];
  counts: Record<DryRunStatus, number>;
}

export interface DryRunOptions {
  /** Commands, files and agent folders are relative to it; its `.fleetai/` holds the configs read. */
  workspace: string;
  /** The shipped agent profiles (`agents-config/`). */
  builtinProfilesDir: string;
  /** PATH and the header variables are looked up here; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  locale?: PlanLocale;
  /** FleetAI's shipped `config/mcp.servers.json` (the workspace's `.fleetai/mcp.servers.json` is always read). */
  shippedMcpConfig?: string;
  /**
   * Start (stdio) or connect to the MCP servers the plan names and look its tools up. Off by default: a dry run
   * does not start programs unless asked to; the aliases are checked against the config either way.
   */
  connectMcp?: boolean;
}

export async function dryRunPlan(plan: Plan, options: DryRunOptions): Promise<DryRunReport> {
  const locale = options.locale ?? 'en';
  const say = (en: string, zh: string): string => pick(locale, { en, zh });
  const env = options.env ?? process.env;
  const workspace = path.resolve(options.workspace);
  const paths = workspacePaths(workspace);
  const checks: DryRunCheck[] = [];
  const context = new Context(workspace, env, options, paths.root);

  const tasks = plan.nodes.map(async (node, index) => {
    const found: DryRunCheck[] = [];
    const add = (field: (string | number)[], check: DryRunCheckKind, status: DryRunStatus, message: string) =>
      found.push({
        nodeIndex: index,
        nodeId: node.id,
        path: ['nodes', index, ...field],
        check,
        status,
        message,
      });
    await checkNode(node, add, context, say);
    return found;
  });
  try {
    for (const found of await Promise.all(tasks)) checks.push(...found);
  } finally {
    await context.close();
  }

  const counts: Record<DryRunStatus, number> = { ok: 0, warning: 0, error: 0, not_checked: 0 };
  for (const check of checks) counts[check.status]++;
  return { ok: counts.error === 0, checks, counts };
}

type Add = (
  field: (string | number)[],
  check: DryRunCheckKind,
  status: DryRunStatus,
  message: string,
) => void;
type Say = (en: string, zh: string) => string;

async function checkNode(node: PlanNode, add: Add, context: Context, say: Say): Promise<void> {
  switch (node.type) {
    case 'local_task': {
      const action = node.action;
      switch (action.kind) {
        case 'command':
        case 'script': {
          const program = action.kind === 'command' ? action.command : action.shell;
          const field = ['action', action.kind === 'command' ? 'command' : 'shell'];
          if (action.branch !== undefined && /[\\/]/.test(program)) {
            // Relative to a worktree that may not exist before the run.
            add(
              field,
              'program',
              'not_checked',
              say(
                `${program} is looked up in the worktree of branch ${action.branch}, which is only known when the plan runs`,
                `${program} 要在分支 ${action.branch} 的工作树中查找，运行时才能确定`,
              ),
            );
            return;
          }
          if (action.branch === undefined)
            await checkFolder(action.cwd, ['action', 'cwd'], add, context, say);
          await checkProgram(
            program,
            action.branch === undefined ? action.cwd : undefined,
            field,
            add,
            context,
            say,
          );
          return;
        }
        case 'http':
          checkHttp(action, ['action'], add, context, say);
          return;
        case 'file':
          await checkFile(action, add, context, say);
          return;
        case 'timer':
          return;
      }
      return;
    }
    case 'external_service':
      checkHttp(node, [], add, context, say);
      return;
    case 'agent_invocation':
      await checkAgent(node, add, context, say);
      return;
    case 'mcp_tool':
      await checkMcp(node, add, context, say);
      return;
    default:
      return;
  }
}

async function checkProgram(
  command: string,
  cwd: string | undefined,
  field: (string | number)[],
  add: Add,
  context: Context,
  say: Say,
): Promise<void> {
  const found = await context.locate(command, cwd);
  if (found) add(field, 'program', 'ok', say(`${command} found at ${found}`, `已找到 ${command}：${found}`));
  else
    add(
      field,
      'program',
      'error',
      /[\\/]/.test(command)
        ? say(`${command} is not an executable file`, `${command} 不是可执行文件`)
        : say(`${command} is not on PATH`, `PATH 中找不到 ${command}`),
    );
}

async function checkFolder(
  cwd: string | undefined,
  field: (string | number)[],
  add: Add,
  context: Context,
  say: Say,
): Promise<void> {
  if (cwd === undefined) return;
  const folder = context.resolve(cwd);
  const isFolder = await fs.stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isFolder) add(field, 'path', 'ok', say(`folder ${folder} exists`, `文件夹 ${folder} 存在`));
  else
    add(
      field,
      'path',
      'warning',
      say(
        `folder ${folder} does not exist yet (fine if an earlier node creates it)`,
        `文件夹 ${folder} 尚不存在（如果前面的节点会创建它则没有问题）`,
      ),
    );
}

interface HttpFields {
  url: string;
  headersFromEnv?: Record<string, string> | undefined;
}

function checkHttp(
  request: HttpFields,
  field: (string | number)[],
  add: Add,
  context: Context,
  say: Say,
): void {
  const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
  if (!url)
    add(
      [...field, 'url'],
      'url',
      'error',
      say(`"${request.url}" is not a URL`, `"${request.url}" 不是有效的 URL`),
    );
  else if (url.protocol !== 'http:' && url.protocol !== 'https:')
    add(
      [...field, 'url'],
      'url',
      'error',
      say(
        `${url.protocol} URLs cannot be called; use http:// or https://`,
        `不能调用 ${url.protocol} URL；请使用 http:// 或 https://`,
      ),
    );
  else
    add(
      [...field, 'url'],
      'url',
      'ok',
      say(
        `${url.origin} parses (not contacted: a dry run sends nothing)`,
        `${url.origin} 格式正确（未连接：试运行不发送任何请求）`,
      ),
    );
  for (const [header, variable] of Object.entries(request.headersFromEnv ?? {})) {
    const where = [...field, 'headersFromEnv', header];
    if (context.env[variable] !== undefined && context.env[variable] !== '')
      add(where, 'env', 'ok', say(`${variable} is set`, `${variable} 已设置`));
    else
      add(
        where,
        'env',
        'warning',
        say(
          `${variable} is not set here: the ${header} header would be missing`,
          `此处未设置 ${variable}：请求将缺少 ${header} 头`,
        ),
      );
  }
}

async function checkFile(
  action: Extract<LocalAction, { kind: 'file' }>,
  add: Add,
  context: Context,
  say: Say,
): Promise<void> {
  // Relative to a worktree that may only exist once the plan runs.
  if (action.branch !== undefined) return;
  const targets: [string, (string | number)[]][] = [[action.path, ['action', 'path']]];
  if (action.to !== undefined) targets.push([action.to, ['action', 'to']]);
  for (const [target, field] of targets) {
    const full = context.resolve(target);
    const relative = path.relative(context.workspace, full);
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative))
      add(field, 'path', 'warning', say(`${full} is outside the workspace`, `${full} 在工作区之外`));
  }
  if (action.operation === 'read' || action.operation === 'copy' || action.operation === 'move') {
    const full = context.resolve(action.path);
    const exists = await fs.stat(full).then(
      () => true,
      () => false,
    );
    add(
      ['action', 'path'],
      'path',
      exists ? 'ok' : 'warning',
      exists
        ? say(`${full} exists`, `${full} 存在`)
        : say(
            `${full} does not exist yet (fine if an earlier node creates it)`,
            `${full} 尚不存在（如果前面的节点会创建它则没有问题）`,
          ),
    );
  }
}

async function checkAgent(
  node: Extract<PlanNode, { type: 'agent_invocation' }>,
  add: Add,
  context: Context,
  say: Say,
): Promise<void> {
  const agent = node.agent;
  if (agent.type === 'registry') {
    add(
      ['agent', 'name'],
      'registry_agent',
      'not_checked',
      say(
        `registry agent "${agent.name}" was not checked: FleetAI has no agent registry yet`,
        `未检查注册表智能体 "${agent.name}"：FleetAI 目前还没有智能体注册表`,
      ),
    );
  } else if (agent.type === 'pane') {
    const declared = await context.declaredPanes();
    if (declared instanceof Error)
      add(
        ['agent', 'paneId'],
        'pane',
        'warning',
        say(
          `could not read the orchestrator config to look for pane "${agent.paneId}": ${declared.message}`,
          `无法读取 orchestrator 配置来查找窗格 "${agent.paneId}"：${declared.message}`,
        ),
      );
    else if (declared.has(agent.paneId))
      add(
        ['agent', 'paneId'],
        'pane',
        'ok',
        say(
          `pane "${agent.paneId}" is declared in orchestrator.json`,
          `窗格 "${agent.paneId}" 已在 orchestrator.json 中声明`,
        ),
      );
    else
      add(
        ['agent', 'paneId'],
        'pane',
        'warning',
        say(
          `pane "${agent.paneId}" is not declared in .fleetai/orchestrator.json: it must be running when this node runs`,
          `窗格 "${agent.paneId}" 未在 .fleetai/orchestrator.json 中声明：此节点运行时它必须已在运行`,
        ),
      );
  } else {
    if (agent.branch === undefined) await checkFolder(agent.cwd, ['agent', 'cwd'], add, context, say);
    const profiles = await context.profiles();
    const profile = profiles.profiles.get(agent.agentKind);
    if (!profile) {
      const known = [...profiles.profiles.keys()].join(', ') || 'none';
      add(
        ['agent', 'agentKind'],
        'agent_profile',
        'error',
        say(
          `no agent profile "${agent.agentKind}" (known: ${known}); add one in .fleetai/agents/`,
          `没有名为 "${agent.agentKind}" 的智能体配置（已有：${known}）；可在 .fleetai/agents/ 中添加`,
        ),
      );
    } else {
      add(
        ['agent', 'agentKind'],
        'agent_profile',
        'ok',
        say(`agent profile "${agent.agentKind}" exists`, `智能体配置 "${agent.agentKind}" 存在`),
      );
      const found = await context.locate(profile.command, agent.cwd);
      add(
        ['agent', 'agentKind'],
        'agent_program',
        found ? 'ok' : 'error',
        found
          ? say(`${profile.command} found at ${found}`, `已找到 ${profile.command}：${found}`)
          : say(
              `${profile.displayName} is not installed: ${profile.command} is not on PATH`,
              `${profile.displayName} 未安装：PATH 中找不到 ${profile.command}`,
            ),
      );
    }
  }
  for (const [index, criterion] of node.completion.entries()) {
    if (criterion.kind === 'command_succeeds')
      await checkProgram(criterion.command, undefined, ['completion', index, 'command'], add, context, say);
  }
}

async function checkMcp(
  node: Extract<PlanNode, { type: 'mcp_tool' }>,
  add: Add,
  context: Context,
  say: Say,
): Promise<void> {
  const bridge = await context.mcpBridge();
  const { config } = bridge;
  const files = config.files.join(', ') || context.mcpServersFile;
  const broken = config.broken.get(node.server);
  if (broken) {
    add(['server'], 'mcp_server', 'error', say(broken.message, broken.message));
    add(['tool'], 'mcp_tool', 'not_checked', say('the server entry is wrong', '服务器配置有误'));
    return;
  }
  if (!config.servers.has(node.server)) {
    const known = [...config.servers.keys()];
    add(
      ['server'],
      'mcp_server',
      'error',
      say(
        `no MCP server "${node.server}" in ${files} (configured: ${known.join(', ') || 'none'})`,
        `${files} 中没有 MCP 服务器 "${node.server}"（已配置：${known.join('、') || '无'}）`,
      ),
    );
    add(['tool'], 'mcp_tool', 'not_checked', say('no such server', '没有该服务器'));
    return;
  }
  if (!context.connectMcp) {
    add(
      ['server'],
      'mcp_server',
      'ok',
      say(
        `server "${node.server}" is configured in ${files}`,
        `服务器 "${node.server}" 已在 ${files} 中配置`,
      ),
    );
    add(
      ['tool'],
      'mcp_tool',
      'not_checked',
      say(
        `tool "${node.tool}" was not checked: that needs starting or connecting to the server (--check-mcp-tools)`,
        `未检查工具 "${node.tool}"：需要启动或连接服务器（--check-mcp-tools）`,
      ),
    );
    return;
  }
  const checked = await checkMcpTool(bridge, node.server, node.tool);
  if (checked.field === 'server') {
    add(['server'], 'mcp_server', 'error', say(checked.en, checked.zh));
    add(['tool'], 'mcp_tool', 'not_checked', say('the server did not answer', '服务器未响应'));
    return;
  }
  add(
    ['server'],
    'mcp_server',
    'ok',
    say(`server "${node.server}" answered`, `服务器 "${node.server}" 已响应`),
  );
  add(['tool'], 'mcp_tool', checked.status, say(checked.en, checked.zh));
}

/** What the checks share, loaded once per dry run. */
class Context {
  readonly mcpServersFile: string;
  readonly connectMcp: boolean;
  private profilesPromise?: Promise<LoadedProfiles>;
  private panesPromise?: Promise<Set<string> | Error>;
  private mcpPromise?: Promise<McpBridge>;
  private readonly located = new Map<string, Promise<string | undefined>>();

  constructor(
    readonly workspace: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly options: DryRunOptions,
    private readonly fleetDir: string,
  ) {
    this.mcpServersFile = path.join(fleetDir, 'mcp.servers.json');
    this.connectMcp = options.connectMcp === true;
  }

  resolve(relative: string): string {
    return path.resolve(this.workspace, relative);
  }

  locate(command: string, cwd: string | undefined): Promise<string | undefined> {
    const folder = cwd === undefined ? this.workspace : this.resolve(cwd);
    const key = `${folder}\0${command}`;
    let found = this.located.get(key);
    if (!found) {
      found = locateCommand(command, { cwd: folder, pathEnv: this.env.PATH ?? '' });
      this.located.set(key, found);
    }
    return found;
  }

  /** The agent profiles the pane registry would use: shipped ones and the workspace's (`PaneRegistry.loadProfiles`). */
  profiles(): Promise<LoadedProfiles> {
    this.profilesPromise ??= loadProfiles({
      builtinDir: this.options.builtinProfilesDir,
      workspaceDir: path.join(this.fleetDir, WORKSPACE_PROFILES_DIR),
    });
    return this.profilesPromise;
  }

  declaredPanes(): Promise<Set<string> | Error> {
    this.panesPromise ??= loadOrchestratorConfig(workspacePaths(this.workspace).orchestratorConfig).then(
      (loaded) => new Set(loaded.config.panes.map((pane) => pane.id)),
      (error: unknown) => new Error(describeError(error)),
    );
    return this.panesPromise;
  }

  /** FleetAI's MCP bridge over the shipped and workspace servers files; it connects only when asked to. */
  mcpBridge(): Promise<McpBridge> {
    // Loaded on use: the MCP SDK is not needed by plans without MCP nodes.
    this.mcpPromise ??= import('../mcp').then(({ openMcpBridge }) =>
      openMcpBridge({
        workspace: this.workspace,
        env: this.env,
        ...(this.options.shippedMcpConfig ? { shippedConfig: this.options.shippedMcpConfig } : {}),
      }),
    );
    return this.mcpPromise;
  }

  async close(): Promise<void> {
    if (this.mcpPromise) await (await this.mcpPromise).close();
  }
}
