import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import { reconnectDelay, type McpBridge, type McpStateEvent } from '../../../extension/core/mcp/mcpBridge';
import { McpErrorCode, type McpError } from '../../../extension/core/mcp/mcpErrors';
import { caught, useTempDirs } from '../helpers';
import { everythingStdio, ManualClock, until, writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

async function setup(servers: Record<string, unknown>, random = () => 0) {
  const workspace = tempDir();
  writeWorkspaceServers(workspace, servers);
  const clock = new ManualClock();
  const bridge = await openMcpBridge({ workspace, clock, random });
  open.push(bridge);
  const states: McpStateEvent[] = [];
  bridge.on('state', (e) => states.push(e));
  let toolLists = 0;
  bridge.on('tools', () => toolLists++);
  return { bridge, clock, states, toolLists: () => toolLists };
}

describe('reconnectDelay', () => {
  it('starts at 5 s, doubles, stops at 60 s, and jitter only shortens by up to 20%', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => reconnectDelay(n, 0))).toEqual([
      5000, 10000, 20000, 40000, 60000, 60000, 60000,
    ]);
    expect(reconnectDelay(1, 0.999)).toBe(4001);
    expect(reconnectDelay(9, 0.5)).toBe(54000);
  });
});

describe('McpBridge reconnection (real server-everything, injected clock)', () => {
  it('fails fast while a killed server is down, reconnects on the clock and lists the tools again', async () => {
    const { bridge, clock, states, toolLists } = await setup({ everything: everythingStdio() });
    await bridge.callTool('everything', 'echo', { message: 'before' });
    // server-everything announces a list change during the handshake, so the first connect may list twice.
    const listsBefore = toolLists();
    expect(listsBefore).toBeGreaterThanOrEqual(1);
    const pid = bridge.status('everything').pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => bridge.state('everything') === 'reconnecting', 10_000, 'reconnecting');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected', 'reconnecting']);
    expect(clock.delays).toEqual([5000]);

    const started = performance.now();
    const error = (await caught(() =>
      bridge.callTool('everything', 'echo', { message: 'during' }),
    )) as McpError;
    const failedInMs = performance.now() - started;
    expect(error.code).toBe(McpErrorCode.Disconnected);
    expect(error.message).toContain('MCP server "everything" is reconnecting');
    expect(error.message).toContain('next attempt in 5 s');
    expect(failedInMs).toBeLessThan(250);

    clock.advance(4999);
    expect(bridge.state('everything')).toBe('reconnecting');
    clock.advance(1);
    await until(() => bridge.state('everything') === 'connected', 15_000, 'reconnected');
    expect(toolLists()).toBeGreaterThan(listsBefore);
    expect(bridge.status('everything').pid).not.toBe(pid);
    const after = await bridge.callTool('everything', 'echo', { message: 'after' });
    expect(after.content).toEqual([{ type: 'text', text: 'Echo: after' }]);
  });

  it('backs off 5, 10, 20, 40, 60, 60 s while the server cannot start, and connect() tries at once', async () => {
    const { bridge, clock } = await setup({ gone: { command: '/nonexistent/mcp-server-binary' } });
    const first = (await caught(() => bridge.listTools('gone'))) as McpError;
    expect(first.code).toBe(McpErrorCode.Connect);
    expect(first.message).toContain('cannot connect to MCP server "gone"');
    expect(first.message).toContain('ENOENT');
    for (let attempt = 1; attempt < 6; attempt++) {
      const failures = clock.delays.length;
      clock.advance(clock.delays.at(-1)!);
      await until(
        () => clock.delays.length === failures + 1 && bridge.state('gone') === 'reconnecting',
        5000,
        `attempt ${attempt}`,
      );
    }
    expect(clock.delays).toEqual([5000, 10000, 20000, 40000, 60000, 60000]);
    expect(clock.pending()).toBe(1);
    // An explicit connect does not wait for the timer (and cancels it).
    await caught(() => bridge.connect('gone'));
    expect(clock.pending()).toBe(1);
    expect(clock.delays.at(-1)).toBe(60000);
  });

  it('close() stops reconnecting and later calls fail with E_MCP_CLOSED', async () => {
    const { bridge, clock } = await setup({ gone: { command: '/nonexistent/mcp-server-binary' } });
    await caught(() => bridge.listTools('gone'));
    expect(clock.pending()).toBe(1);
    await bridge.close();
    expect(clock.pending()).toBe(0);
    expect(bridge.state('gone')).toBe('disconnected');
    const error = (await caught(() => bridge.listTools('gone'))) as McpError;
    expect(error.code).toBe(McpErrorCode.Closed);
  });
});
