import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import { argsForLog, type McpBridge } from '../../../extension/core/mcp/mcpBridge';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { useTempDirs } from '../helpers';
import { everythingStdio, ManualClock, until, writeWorkspaceServers } from './mcpFixtures';

// The app log of a kill -> reconnect cycle against the real server-everything (stdio), on an injected clock:
// every host (fleet orchestrator, the VS Code window, the CLI) gets these lines because the bridge writes them.
const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

type Line = { level: string; category: string; event: string; context?: Record<string, unknown> };

describe('McpBridge app log', () => {
  it('writes bridge.state-change for each step of a kill -> reconnect cycle, with the next retry time', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const clock = new ManualClock();
    const log = createMemoryLog();
    const bridge = await openMcpBridge({ workspace, clock, random: () => 0, log });
    open.push(bridge);
    await bridge.connect('everything');
    const changes = (): Record<string, unknown>[] =>
      (log.lines as Line[])
        .filter((l) => l.event === 'bridge.state-change')
        .map((l) => {
          expect(l.category).toBe('mcp');
          return l.context!;
        });

    process.kill(bridge.status('everything').pid!, 'SIGKILL');
    await until(() => bridge.state('everything') === 'reconnecting', 10_000, 'reconnecting');
    const retryAt = new Date(clock.now() + 5000).toISOString();
    clock.advance(5000);
    await until(() => bridge.state('everything') === 'connected', 15_000, 'connected again');

    expect(changes().map((c) => `${String(c.from)}->${String(c.to)}`)).toEqual([
      'idle->connecting',
      'connecting->connected',
      'connected->disconnected',
      'disconnected->reconnecting',
      'reconnecting->connecting',
      'connecting->connected',
    ]);
    const down = changes()[2]!;
    expect(down).toMatchObject({ alias: 'everything' });
    expect(String(down.error)).toContain('closed');
    expect(changes()[3]).toMatchObject({ alias: 'everything', next_retry_at: retryAt });
    const levels = (log.lines as Line[]).filter((l) => l.event === 'bridge.state-change').map((l) => l.level);
    expect(levels).toEqual(['info', 'info', 'warn', 'warn', 'info', 'info']);
  }, 40_000);

  it('writes mcp.tool.invoke for every call, arguments with secrets masked', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, {
      everything: everythingStdio({ env: { SECRET_FOR_TEST: '${env:MCP_LOG_TEST_SECRET}' } }),
    });
    const log = createMemoryLog();
    const bridge = await openMcpBridge({
      workspace,
      log,
      env: { ...process.env, MCP_LOG_TEST_SECRET: 's3cr3t-value-123' },
    });
    open.push(bridge);
    await bridge.callTool('everything', 'echo', { message: 'hello s3cr3t-value-123', api_key: 'k-999' });
    await expect(bridge.callTool('everything', 'no-such-tool', {})).rejects.toThrow(/no tool/);
    const invokes = (log.lines as Line[]).filter((l) => l.event === 'mcp.tool.invoke');
    // The unknown tool is refused before any call: one line.
    expect(invokes).toHaveLength(1);
    expect(invokes[0]).toMatchObject({ level: 'info', category: 'mcp' });
    expect(invokes[0]!.context).toMatchObject({ alias: 'everything', tool: 'echo', is_error: false });
    const args = String(invokes[0]!.context!.arguments);
    expect(args).toContain('hello ***');
    expect(args).not.toContain('s3cr3t-value-123');
    expect(args).not.toContain('k-999');
    expect(Number(invokes[0]!.context!.result_bytes)).toBeGreaterThan(0);
  }, 30_000);

  it('argsForLog masks secret-looking keys and bounds the length', () => {
    expect(argsForLog({ token: 'x', nested: { Password: 'y' }, ok: 1 }, [])).toBe(
      '{"token":"***","nested":{"Password":"***"},"ok":1}',
    );
    expect(argsForLog({ text: 'a'.repeat(5000) }, []).length).toBeLessThanOrEqual(2001);
  });
});
