/**
 * Webview strings in English and Simplified Chinese, chosen from the editor's language that the host reports
 * (`HostInfo.uiLanguage`), or from the browser's language before the host has answered. Kept beside the apps
 * because webviews cannot use `vscode.l10n`.
 *
 * The English text is the key, and the `t()` of `translate()` accepts only keys of this table, so a string the
 * code uses without a Chinese entry does not compile. `{0}`, `{1}`… are placeholders filled from `t()`'s further arguments.
 */
export const zhCN = {
  // Both apps
  'FleetAI Dashboard': 'FleetAI 仪表盘',
  'FleetAI Approvals': 'FleetAI 审批',
  connecting: '连接中',
  connected: '已连接',
  disconnected: '已断开',
  reconnecting: '重新连接中',
  Retry: '重试',
  'retry in {0}': '{0} 后重试',
  'FleetAI does not answer: {0}': 'FleetAI 没有响应：{0}',
  'Showing the last known state from {0}; it may be out of date.':
    '显示的是 {0} 的最后已知状态，可能已过时。',
  'Waiting for FleetAI…': '正在等待 FleetAI…',
  'Open log': '打开日志',
  Editor: '编辑器',
  Workspace: '工作区',
  'No folder open': '未打开文件夹',
  '{0} ago': '{0}前',
  '{0}s': '{0} 秒',
  '{0}m': '{0} 分',
  '{0}h': '{0} 小时',
  '{0}h {1}m': '{0} 小时 {1} 分',
  '{0}d': '{0} 天',
  // Supervisor line
  Supervisor: '监管器',
  'not running': '未运行',
  'runs in this window': '在本窗口中运行',
  'runs in another process (pid {0})': '在另一个进程中运行（pid {0}）',
  'runs in another process': '在另一个进程中运行',
  'did not start: {0}': '未能启动：{0}',
  'did not start': '未能启动',
  Heartbeat: '心跳',
  idle: '空闲',
  running: '运行中',
  stale: '已过期',
  'no heartbeat yet': '尚无心跳',
  'dry run': '演练模式',
  'dry run: decides and logs, types nothing': '演练模式：只做决策并记录，不输入任何内容',
  // Counts
  Agents: '代理',
  'Pending approvals': '待审批',
  Approvals: '审批',
  'No agents yet. Start one with "FleetAI: New Agent".': '还没有代理。使用 “FleetAI: 新建代理” 启动一个。',
  'No branch': '无分支',
  // Pane states (seed 000)
  starting: '启动中',
  working: '工作中',
  'awaiting approval': '等待审批',
  'awaiting input': '等待输入',
  stalled: '卡顿',
  error: '出错',
  exited: '已退出',
  // Phases, in the sidebar's words (extension/l10n)
  PLANNING: '规划中',
  EXECUTING: '执行中',
  VERIFYING: '验证中',
  BLOCKED: '已阻塞',
  DONE: '已完成',
  // A pane
  'time in this state': '处于此状态的时间',
  Task: '任务',
  Owner: '负责人',
  'owner {0}': '负责人 {0}',
  Blockers: '阻碍',
  'retries {0}': '重试 {0} 次',
  'Next actions': '下一步',
  Queued: '排队中',
  'waits for approval': '等待审批',
  'Last result': '上次结果',
  'Failure streak': '连续失败',
  '{0} failures in a row': '连续失败 {0} 次',
  'Recent actions': '最近动作',
  'Show details': '显示详情',
  'Hide details': '隐藏详情',
  Focus: '聚焦',
  Nudge: '催促',
  Restart: '重启',
  Stop: '停止',
  'Open transcript': '打开记录',
  '{0} pending approvals': '{0} 个待审批',
  // Tasks
  Tasks: '任务',
  'No tasks.': '没有任务。',
  Title: '标题',
  Phase: '阶段',
  Status: '状态',
  Pane: '窗格',
  'Depends on': '依赖',
  'unknown task': '未知任务',
  done: '已完成',
  blocked: '已阻塞',
  waiting: '等待依赖',
  ready: '就绪',
  'in progress': '进行中',
  // Events
  'Recent events': '最近事件',
  'No events yet.': '还没有事件。',
  Time: '时间',
  Kind: '类型',
  Text: '内容',
  // Approvals
  'Nothing is waiting for your approval.': '没有等待你审批的事项。',
  'Show the dashboard': '显示仪表盘',
  'run a command': '运行命令',
  'edit files': '编辑文件',
  'a permission': '一项权限',
  'low risk': '低风险',
  'medium risk': '中风险',
  'high risk': '高风险',
  'critical risk': '严重风险',
  Command: '命令',
  Edit: '编辑',
  Why: '原因',
  'asked by the agent': '由代理请求',
  'asked by FleetAI': '由 FleetAI 请求',
  requested: '请求于',
  'Show transcript excerpt': '显示记录片段',
  'Hide transcript excerpt': '隐藏记录片段',
  'No transcript excerpt.': '没有记录片段。',
  'Note (optional, sent with your answer)': '备注（可选，随答复一起发送）',
  Approve: '批准',
  Deny: '拒绝',
  'Approved.': '已批准。',
  'Denied.': '已拒绝。',
  'Not recorded: {0}': '未记录：{0}',
  'FleetAI did not answer, so your decision may not have been recorded: {0}':
    'FleetAI 没有响应，因此你的决定可能没有被记录：{0}',
  Dismiss: '关闭',
  'All panes': '所有窗格',
  'All risks': '所有风险',
  'Showing {0} of {1}': '显示 {0} / {1}',
  'Filter by pane': '按窗格筛选',
  'Filter by risk': '按风险筛选',
  'oldest first': '最早的在前',
  // Plan graph
  'FleetAI Plan': 'FleetAI 计划',
  '{0} nodes': '{0} 个节点',
  'Plan graph': '计划图',
  'Plan overview': '计划概览',
  'Select a node to see its details.': '选择一个节点以查看详情。',
  Type: '类型',
  State: '状态',
  Risk: '风险',
  Attempts: '尝试次数',
  Approval: '审批',
  'requires approval': '需要审批',
  'Open output': '打开输出',
  Output: '输出',
  'No output yet.': '尚无输出。',
  then: '则',
  else: '否则',
  pending: '等待中',
  'waiting for approval': '等待审批',
  failed: '失败',
  skipped: '已跳过',
  Sequence: '顺序',
  Parallel: '并行',
  Conditional: '条件',
  Loop: '循环',
  'Human approval': '人工审批',
  'Local task': '本地任务',
  Agent: '智能体',
  'MCP tool': 'MCP 工具',
  'External service': '外部服务',
  Join: '汇合',
  // MCP servers on the dashboard (the MCP Servers view's words, extension/l10n)
  'MCP servers': 'MCP 服务器',
  'No MCP servers are configured. Add them to .fleetai/mcp.servers.json.':
    '未配置 MCP 服务器。请在 .fleetai/mcp.servers.json 中添加。',
  Server: '服务器',
  Transport: '传输方式',
  Tools: '工具',
  'Last error': '最近错误',
  'next attempt in {0}': '{0} 后再次尝试',
  'next attempt now': '正在再次尝试',
  'turned off for this session': '已在本次会话中停用',
  disabled: '已停用',
  broken: '配置错误',
  // The project review on the dashboard (issue 9)
  'Project review': '项目评审',
  'Run review': '运行评审',
  'Run with tests': '评审并运行测试',
  'Also runs the configured test commands (each judged by the risk rules first)':
    '同时运行配置的测试命令（每条命令先经风险规则判断）',
  'Reviewing the project…': '正在评审项目…',
  'Reviewing the project and running its tests…': '正在评审项目并运行测试…',
  'The review failed: {0}': '评审失败：{0}',
  'Newest review ({0}, {1} of {2} tasks done): {3}': '最近一次评审（{0}，已完成 {1}/{2} 个任务）：{3}',
  'Run review to see its details here.': '运行评审即可在此查看详情。',
  'No review yet. "Run review" reads the tasks, panes, approvals, plans and git, and says what to do next.':
    '还没有评审。“运行评审”会读取任务、窗格、审批、计划和 git，并给出下一步建议。',
  'Recommendations by the model {0}': '建议来自模型 {0}',
  'Recommendations by the rules': '建议来自规则',
  'tests run': '已运行测试',
  Progress: '进度',
  'Since the last review': '自上次评审以来',
  Bottlenecks: '瓶颈',
  Forecast: '预测',
  'Next steps': '下一步',
  'Not read': '未能读取',
  'in about {0} ({1} to {2}), around {3}': '约 {0} 后（{1} 至 {2}），约在 {3}',
  '{0} of {1} tasks done ({2}%)': '已完成 {0}/{1} 个任务（{2}%）',
  Branch: '分支',
  'Commits ahead': '领先提交',
  Behind: '落后提交',
  Diff: '改动',
  Expected: '预计',
  'Last commit': '最近提交',
  'done {0}': '{0} 完成',
  Plan: '计划',
  'Nodes done': '已完成节点',
  Failed: '失败',
  'Waiting for approval': '等待审批',
  'This is the first review: the next one will say what changed.': '这是第一次评审：下一次评审会说明变化。',
  'Compared with the review of {0}.': '与 {0} 的评审相比。',
  'Done since: {0}': '此后完成：{0}',
  '{0}: {1} → {2}': '{0}：{1} → {2}',
  '{0}: {1} new commits': '{0}：{1} 个新提交',
  '{0} approvals answered': '已答复 {0} 个审批',
  'Resolved: {0}': '已解决：{0}',
  'New bottlenecks: {0}': '新瓶颈：{0}',
  'Nothing changed.': '没有变化。',
  'Nothing is stuck.': '没有卡住的事项。',
  'supervisor down': '监管器未运行',
  'blocked task': '任务被阻塞',
  'approval wait': '等待审批',
  stall: '卡顿',
  'failing commands': '命令连续失败',
  'idle agent': '代理空闲',
  'dependency chain': '依赖链',
  'failed plan': '计划失败',
  'failing tests': '测试失败',
  'long-running task': '长时间运行的任务',
  'approval {0}': '审批 {0}',
  'pane {0}': '窗格 {0}',
  'task {0}': '任务 {0}',
  'plan {0}': '计划 {0}',
  'for {0}': '已持续 {0}',
  'Holds up: {0}': '阻挡：{0}',
  'The last task: {0}': '最后一个任务：{0}',
  'Nothing remains.': '没有剩余任务。',
  'Not enough history for a forecast yet ({0} completions measured).':
    '历史记录不足，暂无法预测（已测得 {0} 次完成）。',
  'A task finishes every {0} (median; fastest {1}, slowest {2}).':
    '每 {0} 完成一个任务（中位数；最快 {1}，最慢 {2}）。',
  'Nothing to do.': '没有需要做的事。',
  'Open approvals': '打开审批',
  'Copy command': '复制命令',
  Copied: '已复制',
  'Could not copy': '无法复制',
} as const;

export type MessageKey = keyof typeof zhCN;
export type Translate = (key: MessageKey, ...args: (string | number)[]) => string;

function fill(text: string, args: readonly (string | number)[]): string {
  return text.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/** `zh`, `zh-cn`, `zh-Hans`… get Chinese; everything else English (the only other language shipped). */
export function isChinese(language: string): boolean {
  return language.toLowerCase().startsWith('zh');
}

const cache = new Map<boolean, Translate>();

/**
 * One function per language, so React components can depend on its identity. Typed: only keys of the table
 * compile. A key that is not in the table (only reachable through `translator`) shows in English.
 */
export function translate(language: string): Translate {
  const zh = isChinese(language);
  let t = cache.get(zh);
  if (!t) {
    const table: Readonly<Record<string, string>> = zhCN;
    t = zh
      ? (key, ...args) => fill(Object.hasOwn(table, key) ? (table[key] ?? key) : key, args)
      : (key, ...args) => fill(key, args);
    cache.set(zh, t);
  }
  return t;
}

/** The same function, unchecked: for callers (and tests) that hold the English text as a plain string. */
export function translator(language: string): (text: string, ...args: (string | number)[]) => string {
  return translate(language) as (text: string, ...args: (string | number)[]) => string;
}

/** The host's word wins; before it answers, the browser's language (a webview inherits the editor's). */
export function pickLanguage(hostLanguage: string | undefined, browserLanguage: string | undefined): string {
  return hostLanguage ?? browserLanguage ?? 'en';
}
