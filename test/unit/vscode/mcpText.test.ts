import { describe, expect, it } from 'vitest';
import {
  argsTemplate,
  docSlug,
  mcpLogLines,
  mcpServerContext,
  mcpStateIcon,
  mcpToolNeedsApproval,
  parseToolArgs,
  retryInSeconds,
} from '../../../extension/vscode/mcpText';

describe('MCP Servers view text', () => {
  it('gives each state its own icon, green when connected and red when down or broken', () => {
    expect(mcpStateIcon('connected')).toEqual({ icon: 'pass-filled', color: 'charts.green' });
    expect(mcpStateIcon('reconnecting').color).toBe('charts.yellow');
    expect(mcpStateIcon('disconnected').color).toBe('errorForeground');
    expect(mcpStateIcon('broken')).toEqual({ icon: 'error', color: 'errorForeground' });
    expect(mcpStateIcon('disabled').icon).toBe('circle-slash');
    const icons = (
      ['idle', 'connecting', 'connected', 'reconnecting', 'disconnected', 'disabled', 'broken'] as const
    ).map((s) => mcpStateIcon(s).icon);
    expect(new Set(icons).size).toBe(icons.length);
  });

  it('counts the retry down in whole seconds, never below zero', () => {
    expect(retryInSeconds(10_000, 0)).toBe(10);
    expect(retryInSeconds(10_000, 9_001)).toBe(1);
    expect(retryInSeconds(10_000, 10_000)).toBe(0);
    expect(retryInSeconds(10_000, 20_000)).toBe(0);
  });

  it('marks a server turned off for this session apart from one disabled in its file', () => {
    expect(mcpServerContext('connected')).toBe('fleetai.mcp.server.connected');
    expect(mcpServerContext('disabled')).toBe('fleetai.mcp.server.disabled');
    expect(mcpServerContext('disabled', true)).toBe('fleetai.mcp.server.disabled.session');
    expect(mcpServerContext('connected', true)).toBe('fleetai.mcp.server.connected');
  });

  it('asks before a high or critical tool unless it is always allowed', () => {
    expect(mcpToolNeedsApproval({ risk: 'high', alwaysAllow: false })).toBe(true);
    expect(mcpToolNeedsApproval({ risk: 'critical', alwaysAllow: false })).toBe(true);
    expect(mcpToolNeedsApproval({ risk: 'critical', alwaysAllow: true })).toBe(false);
    expect(mcpToolNeedsApproval({ risk: 'medium', alwaysAllow: false })).toBe(false);
    expect(mcpToolNeedsApproval({ risk: 'low', alwaysAllow: false })).toBe(false);
  });
});

describe('MCP tool arguments typed in the palette', () => {
  const schema = {
    type: 'object',
    properties: { message: { type: 'string' }, count: { type: 'integer' }, loud: { type: 'boolean' } },
    required: ['message', 'count'],
  };

  it('accepts a JSON object with the required properties', () => {
    expect(parseToolArgs('{"message":"hi","count":2}', schema)).toEqual({
      ok: true,
      args: { message: 'hi', count: 2 },
    });
    expect(parseToolArgs('  ', { required: [] })).toEqual({ ok: true, args: {} });
  });

  it('refuses text that is not JSON, not an object, or lacks required properties', () => {
    expect(parseToolArgs('{message: hi}', schema)).toMatchObject({ ok: false, problem: 'json' });
    expect(parseToolArgs('[1]', schema)).toEqual({ ok: false, problem: 'object' });
    expect(parseToolArgs('null', schema)).toEqual({ ok: false, problem: 'object' });
    expect(parseToolArgs('{"message":"hi"}', schema)).toEqual({
      ok: false,
      problem: 'missing',
      detail: 'count',
    });
  });

  it('starts the box with the required properties as empty values of their types', () => {
    expect(JSON.parse(argsTemplate(schema))).toEqual({ message: '', count: 0 });
    expect(argsTemplate({ properties: {} })).toBe('{}');
    expect(argsTemplate(undefined)).toBe('{}');
  });
});

describe('MCP log lines and document names', () => {
  const line = (category: string, context: Record<string, unknown>): string =>
    JSON.stringify({ ts: '2026-11-21T15:00:00.000Z', level: 'info', category, event: 'x', context });

  it('keeps the mcp lines of one alias, or all mcp lines, and skips what is not JSON', () => {
    const text = [
      line('mcp', { alias: 'everything', to: 'connected' }),
      line('mcp', { alias: 'other', to: 'connected' }),
      line('supervisor', { alias: 'everything' }),
      'not json',
      '',
      line('mcp', { alias: 'everything', to: 'reconnecting' }),
    ].join('\n');
    expect(
      mcpLogLines(text, 'everything').map((l) => (JSON.parse(l) as { context: { to: string } }).context.to),
    ).toEqual(['connected', 'reconnecting']);
    expect(mcpLogLines(text)).toHaveLength(3);
  });

  it('turns names into safe document paths', () => {
    expect(docSlug('everything.echo.result.json')).toBe('everything.echo.result.json');
    expect(docSlug('a/b c?')).toBe('a_b_c_');
    expect(docSlug('')).toBe('_');
  });
});
