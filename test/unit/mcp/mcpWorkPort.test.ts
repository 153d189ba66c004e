import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { toolRisk, type McpBridge, type McpInvokeRecord } from '../../../extension/core/mcp/mcpBridge';
import { parseMcpServers } from '../../../extension/core/mcp/mcpConfig';
import { journalFileName, mcpWorkPort, type McpJournalEntry } from '../../../extension/core/mcp/mcpWorkPort';
import type { PlanNodeOf } from '../../../extension/core/plans/planSchema';
import type { WorkContext } from '../../../extension/core/plans/executor/workPorts';
import { useTempDirs } from '../helpers';
import { everythingStdio, writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

function node(
  tool: string,
  args: Record<string, unknown> = {},
  server = 'everything',
): PlanNodeOf<'mcp_tool'> {
  return { type: 'mcp_tool', id: 'n1', server, tool, arguments: args, retries: 0 } as PlanNodeOf<'mcp_tool'>;
}

async function setup(servers: Record<string, unknown> = { everything: everythingStdio() }) {
  const workspace = tempDir();
  writeWorkspaceServers(workspace, servers);
  const calls: McpInvokeRecord[] = [];
  const bridge = await openMcpBridge({ workspace, onToolInvoke: (r) => calls.push(r) });
  open.push(bridge);
  const journalDir = path.join(workspace, '.fleetai', 'state', 'mcp-journal');
  const port = mcpWorkPort(bridge, { journalDir });
  const context: WorkContext = { workspace, signal: new AbortController().signal, env: process.env };
  return { bridge, calls, port, journalDir, context };
}

describe('mcpWorkPort (the executor mcp_tool port) against the real server-everything', () => {
  it('returns content and structuredContent as the node output', async () => {
    const { port, context } = await setup();
    const echoed = await port.callTool(node('echo', { message: 'plan' }), 'run/n1/1', context);
    expect(echoed).toEqual({
      ok: true,
      output: { content: [{ type: 'text', text: 'Echo: plan' }], isError: false },
    });
    const weather = await port.callTool(
      node('get-structured-content', { location: 'New York' }),
      'run/n2/1',
      context,
    );
    expect(weather.ok).toBe(true);
    expect(weather.output).toMatchObject({ structuredContent: { temperature: 33 }, isError: false });
  });

  it('turns a tool error result (isError) into ok:false with its text', async () => {
    const { port, context } = await setup();
    // get-sum validates its arguments; the SDK server answers a bad one with isError rather than a JSON-RPC error.
    const result = await port.callTool(node('get-sum', { a: 'two', b: 3 }), 'run/bad/1', context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.output).toMatchObject({ isError: true });
  });

  it('fails clearly, without journaling, on an unknown alias, tool or a disabled tool', async () => {
    const { port, context, journalDir, calls } = await setup({
      everything: everythingStdio({ disabledTools: ['get-sum'] }),
    });
    const noServer = await port.callTool(node('echo', {}, 'nowhere'), 'k1', context);
    expect(noServer).toMatchObject({
      ok: false,
      error: expect.stringContaining('E_MCP_UNKNOWN_SERVER') as unknown,
    });
    const noTool = await port.callTool(node('ecko'), 'k2', context);
    expect(noTool).toMatchObject({ ok: false, error: expect.stringContaining('没有工具 "ecko"') as unknown });
    const disabled = await port.callTool(node('get-sum', { a: 1, b: 1 }), 'k3', context);
    expect(disabled).toMatchObject({
      ok: false,
      error: expect.stringContaining('E_MCP_TOOL_DISABLED') as unknown,
    });
    expect(existsSync(journalDir) ? readdirSync(journalDir) : []).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('replays a journaled result for the same key without calling the tool again', async () => {
    const { port, context, journalDir, calls } = await setup();
    const key = 'thread-1/step#0/1';
    const first = await port.callTool(node('echo', { message: 'once' }), key, context);
    expect(calls).toHaveLength(1);
    const entry = JSON.parse(
      readFileSync(path.join(journalDir, journalFileName(key)), 'utf8'),
    ) as McpJournalEntry;
    expect(entry).toMatchObject({ key, server: 'everything', tool: 'echo', result: first });
    expect(entry.started <= entry.finished!).toBe(true);

    const again = await port.callTool(node('echo', { message: 'once' }), key, context);
    expect(again).toEqual(first);
    expect(calls).toHaveLength(1);
    // Another key (the next attempt) does call.
    await port.callTool(node('echo', { message: 'once' }), 'thread-1/step#0/2', context);
    expect(calls).toHaveLength(2);
  });

  it('after a crash mid-call, calls again a read-only tool but refuses a non-idempotent one', async () => {
    const { port, context, journalDir, calls } = await setup();
    mkdirSync(journalDir, { recursive: true });
    const crashed = (key: string, tool: string) =>
      writeFileSync(
        path.join(journalDir, journalFileName(key)),
        JSON.stringify({ key, server: 'everything', tool, started: '2026-11-21T10:00:00.000Z' }),
      );

    crashed('t/echo/1', 'echo');
    const rerun = await port.callTool(node('echo', { message: 'again' }), 't/echo/1', context);
    expect(rerun).toMatchObject({ ok: true });
    expect(calls.map((c) => c.tool)).toEqual(['echo']);

    // toggle-simulated-logging: readOnlyHint false, idempotentHint false in server-everything.
    crashed('t/toggle/1', 'toggle-simulated-logging');
    const refused = await port.callTool(node('toggle-simulated-logging'), 't/toggle/1', context);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toContain('E_MCP_MAY_HAVE_RUN');
    expect(refused.error).toContain('it may have run');
    expect(refused.error).toContain('a person must check');
    expect(refused.error).toContain('需要人工检查');
    // The refused tool never reached the server.
    expect(calls.map((c) => c.tool)).toEqual(['echo']);
    expect(refused.error).toContain('2026-11-21T10:00:00.000Z');
  });

  it('keeps only "started" when the call ends without an answer (aborted), so a resume treats it as unknown', async () => {
    const { port, journalDir, calls, context } = await setup();
    const controller = new AbortController();
    const pending = port.callTool(
      node('trigger-long-running-operation', { duration: 5, steps: 5 }),
      'slow/1',
      { ...context, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('E_MCP_TIMEOUT');
    const entry = JSON.parse(
      readFileSync(path.join(journalDir, journalFileName('slow/1')), 'utf8'),
    ) as McpJournalEntry;
    expect(entry.result).toBeUndefined();
    expect(entry.unknownOutcome).toContain('aborted');
    expect(calls.at(-1)?.error?.code).toBe('E_MCP_TIMEOUT');
  });
});

describe('mcpWorkPort.rate (for the executor approval gate)', () => {
  it('rates a tool from its config label or annotations, and is undefined for a tool it cannot find', async () => {
    const { port } = await setup({
      everything: everythingStdio({ alwaysAllow: ['echo'], toolRisk: { 'get-sum': 'critical' } }),
    });
    expect(await port.rate(node('echo'))).toEqual({
      risk: 'low',
      alwaysAllow: true,
      readOnly: true,
      idempotent: true,
    });
    expect(await port.rate(node('get-sum'))).toMatchObject({ risk: 'critical', alwaysAllow: false });
    // Not read-only, but it says destructiveHint: false.
    expect(await port.rate(node('toggle-simulated-logging'))).toMatchObject({
      risk: 'medium',
      readOnly: false,
    });
    expect(await port.rate(node('ecko'))).toBeUndefined();
  });
});

describe('toolRisk', () => {
  it('follows MCP defaults: a tool without annotations is treated as destructive (high)', () => {
    const { servers } = parseMcpServers(
      'f.json',
      JSON.stringify({ servers: { s: { command: 'x', toolRisk: { b: 'low' } } } }),
    );
    const server = servers[0]!;
    const tool = (name: string, annotations?: Record<string, boolean>) =>
      ({ name, inputSchema: { type: 'object' }, ...(annotations ? { annotations } : {}) }) as Tool;
    expect(toolRisk(tool('a'), server)).toBe('high');
    expect(toolRisk(tool('a', { destructiveHint: true }), server)).toBe('high');
    expect(toolRisk(tool('a', { destructiveHint: false }), server)).toBe('medium');
    expect(toolRisk(tool('a', { readOnlyHint: true }), server)).toBe('low');
    expect(toolRisk(tool('b'), server)).toBe('low');
  });
});

describe('journalFileName', () => {
  it('gives distinct, safe names for keys with slashes and hashes, and bounds long ones', () => {
    const names = ['a/b#1/2', 'a_b#1/2', 'a/b/1/2', 'x'.repeat(500), `${'x'.repeat(500)}y`].map(
      journalFileName,
    );
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9%._~!'()-]+\.json$/);
      expect(name.length).toBeLessThanOrEqual(160);
    }
  });
});
