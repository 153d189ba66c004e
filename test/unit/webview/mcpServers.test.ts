import { describe, expect, it } from 'vitest';
import { MCP_SERVER_STATES } from '../../../extension/protocol/messages';
import { retryRemainingMs } from '../../../webview/dashboard/model';
import { translator } from '../../../webview/shared/i18n';
import { mcpStateText } from '../../../webview/shared/words';

// What the dashboard's MCP section shows is rendered in chromium by test/e2e/dashboardMcp.e2e.test.ts (the unit
// project cannot load the .tsx components); these are its pure parts.

describe('retryRemainingMs (the MCP countdown)', () => {
  const now = Date.parse('2026-11-21T10:00:00.000Z');
  it('rounds up to whole seconds and stops at 0', () => {
    expect(retryRemainingMs('2026-11-21T10:00:04.200Z', now)).toBe(5000);
    expect(retryRemainingMs('2026-11-21T10:00:05.000Z', now)).toBe(5000);
    expect(retryRemainingMs('2026-11-21T09:59:00.000Z', now)).toBe(0);
  });
  it('has nothing to count down to without a valid time', () => {
    expect(retryRemainingMs(undefined, now)).toBeUndefined();
    expect(retryRemainingMs('soon', now)).toBeUndefined();
  });
});

describe('MCP state words', () => {
  it('has every protocol state in English and Simplified Chinese', () => {
    const en = translator('en');
    const zh = translator('zh-cn');
    expect(Object.keys(mcpStateText).sort()).toEqual([...MCP_SERVER_STATES].sort());
    expect(MCP_SERVER_STATES.map((s) => en(mcpStateText[s]))).toEqual([
      'idle',
      'connecting',
      'connected',
      'reconnecting',
      'disconnected',
      'disabled',
      'broken',
    ]);
    expect(MCP_SERVER_STATES.map((s) => zh(mcpStateText[s]))).toEqual([
      '空闲',
      '连接中',
      '已连接',
      '重新连接中',
      '已断开',
      '已停用',
      '配置错误',
    ]);
    expect(zh('next attempt in {0}', '7 秒')).toBe('7 秒 后再次尝试');
  });
});
