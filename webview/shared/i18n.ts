/**
 * Webview strings in English and Simplified Chinese, chosen from the editor's language that the host reports.
 * Kept beside the apps because webviews cannot use `vscode.l10n`.
 */
const zhCN: Record<string, string> = {
  'FleetAI Dashboard': 'FleetAI 仪表盘',
  'Connecting to FleetAI…': '正在连接 FleetAI…',
  'Could not reach the extension': '无法连接扩展',
  Version: '版本',
  Editor: '编辑器',
  Workspace: '工作区',
  'No folder open': '未打开文件夹',
  Heartbeat: '心跳',
  Agents: '代理',
  'Pending approvals': '待审批',
  idle: '空闲',
  running: '运行中',
  stale: '已过期',
  'Open log': '打开日志',
  'No agents yet. Later versions show the fleet here.': '还没有代理。之后的版本会在这里显示整个代理队列。',
};

export function translator(language: string): (text: string) => string {
  const table = language.toLowerCase().startsWith('zh') ? zhCN : undefined;
  return (text) => table?.[text] ?? text;
}
