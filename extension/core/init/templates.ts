import type { DetectedCli } from './detectClis';

/** File names inside the FleetAI folder that `fleet init` writes. */
export const INIT_FILES = {
  orchestrator: 'orchestrator.json',
  orchestratorSchema: 'orchestrator.schema.json',
  mcpServers: 'mcp.servers.json',
  mcpServersSchema: 'mcp.servers.schema.json',
} as const;

/** A pane `fleet init` offers for an agent CLI it found. */
export interface OfferedPane {
  id: string;
  agent: string;
  autostart: false;
}

/**
 * The pane offered for a CLI. `autostart: false` rather than a commented-out entry: the pane is real config (the
 * loader validates it, `fleet doctor` checks its program and version, the views list it), yet nothing starts by
 * surprise when the window opens or `fleet orchestrator` runs; setting `autostart` to true is the one edit left.
 */
export function offeredPane(cli: Pick<DetectedCli, 'name'>, takenIds: ReadonlySet<string>): OfferedPane {
  let id = cli.name;
  for (let n = 2; takenIds.has(id); n++) id = `${cli.name}-${n}`;
  return { id, agent: cli.name, autostart: false };
}

function paneLine(pane: OfferedPane, cli: DetectedCli | undefined, last: boolean): string {
  const where = cli?.version ? `${cli.name} ${cli.version}` : cli?.name;
  const note = where ? ` // ${where}${cli?.path ? ` (${cli.path})` : ''}` : '';
  const entry = `{ "id": ${JSON.stringify(pane.id)}, "agent": ${JSON.stringify(pane.agent)}, "autostart": false }`;
  return `    ${entry}${last ? '' : ','}${note}`;
}

/**
 * `.fleetai/orchestrator.json` as `fleet init` writes it: the settings people change first with their defaults,
 * the panes offered for the CLIs found, and comments in English and Simplified Chinese. Every key left out
 * keeps its default (see config/orchestrator.example.jsonc for all of them).
 */
export function orchestratorTemplate(panes: readonly OfferedPane[], clis: readonly DetectedCli[]): string {
  const paneLines = panes.map((pane, i) =>
    paneLine(
      pane,
      clis.find((c) => c.name === pane.agent),
      i === panes.length - 1,
    ),
  );
  const panesBlock =
    paneLines.length > 0
      ? `[\n${paneLines.join('\n')}\n  ]`
      : '[\n    // No agent CLI was found on PATH. (未在 PATH 中找到 agent CLI)\n    // { "id": "codex", "agent": "codex", "autostart": false }\n  ]';
  return `// FleetAI supervisor settings for this workspace, written by \`fleet init\`. Comments and trailing commas are
// allowed; every key is optional and a key left out keeps its default (all keys: config/orchestrator.example.jsonc
// in the FleetAI folder, or docs/configuration.md). \`fleet doctor\` checks this file.
// (FleetAI 监督器的工作区配置，由 \`fleet init\` 生成。所有键均可省略，省略即默认值；\`fleet doctor\` 会检查本文件。)
{
  "$schema": "./${INIT_FILES.orchestratorSchema}",

  // A pane working without visible progress this long counts as stalled. (卡顿判定秒数)
  "stall_timeout_seconds": 120,
  // Nudges of a stalled pane before a human is told. (通知人工前的自动重试次数)
  "stall_retries_before_notify": 2,
  // Failed commands in a row on one pane before an alert; the pane is then blocked. (连续失败告警阈值)
  "failure_alert_threshold": 3,
  // Decide and log, but never type into a pane. (演练模式，不落地命令)
  "dry_run": false,

  // Prometheus: http://127.0.0.1:9108/metrics ; 0 turns it off. (监控指标端口，0 表示关闭)
  "metrics_host": "127.0.0.1",
  "metrics_port": 9108,

  // Medium-risk requests no rule decides: "ask" a human, "auto" approve, or "deny". (中风险请求的处理方式)
  "approvals": { "medium": "ask", "allow": [], "deny": [] },

  // Per agent kind, like [codex] in orchestrator.toml, e.g. (每种 agent 的启动设置，例如)
  //   "codex": { "bin": "codex", "extra_args": ["--dangerously-bypass-approvals-and-sandbox"] }
  "agents": {},

  // The agent CLIs found on PATH when \`fleet init\` ran. Nothing starts by itself: set "autostart" to true for the
  // panes the supervisor should start and watch. (init 时在 PATH 中找到的 agent；设 "autostart": true 才会自动启动)
  "panes": ${panesBlock},

  // The task board: { "id": "api", "title": "Build the API", "pane": "codex", "depends_on": [] }. (任务看板)
  "tasks": []
}
`;
}

/** `.fleetai/mcp.servers.json` as `fleet init` writes it: no servers yet, the schema linked for editors. */
export function mcpServersTemplate(): string {
  return `// MCP servers that FleetAI's plans (mcp_tool nodes) and the MCP Servers view use, by alias, e.g.
//   "everything": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"] }
//   "remote": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer \${env:TOKEN}" } }
// (FleetAI 计划与 MCP 视图使用的 MCP 服务器，按别名配置；密钥请用 \${env:NAME} 引用环境变量。)
{
  "$schema": "./${INIT_FILES.mcpServersSchema}",
  "servers": {}
}
`;
}

/** A JSON Schema as written next to the configs (what their `$schema` names). */
export function schemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
