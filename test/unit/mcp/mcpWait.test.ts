import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { McpBridge } from '../../../extension/core/mcp/mcpBridge';
import { McpErrorCode, McpError } from '../../../extension/core/mcp/mcpErrors';
import { mcpControl } from '../../../extension/core/mcp/mcpControl';
import { mcpWorkPort } from '../../../extension/core/mcp/mcpWorkPort';
import { FleetError, isFleetError } from '../../../extension/core/errors';
import type { PlanNodeOf } from '../../../extension/core/plans/planSchema';
import type { WorkContext } from '../../../extension/core/plans/executor/workPorts';
import { caught, useTempDirs } from '../helpers';
import { everythingStdio, ManualClock, until, writeWorkspaceServers } from './mcpFixtures';

// Calls that ride out a reconnect when asked to (`waitForConnectionMs`), against the real server-everything:
// first on an injected clock, then in real time with a short backoff.
const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

/** Resolves to 'pending' if the promise has not settled after a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<'pending' | 'settled'> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  return done ? 'settled' : 'pending';
}

describe('McpBridge calls that wait for the connection (injected clock)', () => {
  it('a call made while reconnecting waits for the scheduled attempt, then goes through', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const clock = new ManualClock();
    const bridge = await openMcpBridge({ workspace, clock, random: () => 0 });
    open.push(bridge);
    await bridge.connect('everything');
    process.kill(bridge.status('everything').pid!, 'SIGKILL');
    await until(() => bridge.state('everything') === 'reconnecting', 10_000, 'reconnecting');

    // Default: fail fast.
    const fast = (await caught(() => bridge.callTool('everything', 'echo', { message: 'now' }))) as McpError;
    expect(fast.code).toBe(McpErrorCode.Disconnected);

    const waiting = bridge.callTool(
      'everything',
      'echo',
      { message: 'waited' },
      { waitForConnectionMs: 30_000 },
    );
    expect(await settled(waiting)).toBe('pending');
    expect(bridge.state('everything')).toBe('reconnecting');
    clock.advance(5000);
    const result = await waiting;
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: waited' }]);
    expect(bridge.state('everything')).toBe('connected');
  }, 40_000);

  it('gives up when the wait is over, naming alias, state, time waited and next retry', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { gone: { command: '/nonexistent/mcp-server-binary' } });
    const clock = new ManualClock();
    const bridge = await openMcpBridge({ workspace, clock, random: () => 0 });
    open.push(bridge);
    const waiting = caught(() => bridge.callTool('gone', 'echo', {}, { waitForConnectionMs: 8000 }));
    // The first attempt (made by the call) fails: a retry is scheduled in 5 s and the call keeps waiting.
    await until(() => bridge.state('gone') === 'reconnecting', 10_000, 'first failure');
    expect(await settled(waiting)).toBe('pending');
    clock.advance(5000);
    await until(
      () => bridge.state('gone') === 'reconnecting' && bridge.status('gone').nextAttemptAt! > clock.now(),
      10_000,
      'second failure',
    );
    expect(await settled(waiting)).toBe('pending');
    clock.advance(3000);
    const error = (await waiting) as McpError;
    expect(error).toBeInstanceOf(McpError);
    expect(error.code).toBe(McpErrorCode.Disconnected);
    expect(error.message).toContain('MCP server "gone" is reconnecting after waiting 8 s');
    expect(error.message).toContain('next attempt in 7 s');
    expect(error.message).toContain('已等待 8 秒');
    expect(error.details).toMatchObject({
      alias: 'gone',
      state: 'reconnecting',
      nextRetryAt: new Date(bridge.status('gone').nextAttemptAt!).toISOString(),
    });
  }, 40_000);

  it('does not wait for a server that cannot come back by itself (a missing secret)', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, {
      everything: everythingStdio({ env: { T: '${env:MCP_WAIT_UNSET_VAR}' } }),
    });
    const bridge = await openMcpBridge({ workspace, env: {} });
    open.push(bridge);
    // Real clock and a long wait: it must still end at once, because no retry is scheduled.
    const error = (await caught(() =>
      bridge.callTool('everything', 'echo', { message: 'x' }, { waitForConnectionMs: 600_000 }),
    )) as McpError;
    expect(error.code).toBe(McpErrorCode.Disconnected);
    expect(error.message).toContain('MCP_WAIT_UNSET_VAR');
  }, 20_000);
});

describe('McpBridge calls that wait for the connection (real time, short backoff)', () => {
  it('fleet mcp:call-style and plan-node calls made while reconnecting succeed once the server is back', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const bridge = await openMcpBridge({ workspace, reconnect: { baseMs: 400, maxMs: 2000 } });
    open.push(bridge);
    await bridge.connect('everything');
    const control = mcpControl({ bridge });
    const port = mcpWorkPort(bridge, { journalDir: path.join(workspace, '.fleetai', 'journal') });
    const context: WorkContext = { workspace, signal: new AbortController().signal, env: process.env };
    const node = {
      type: 'mcp_tool',
      id: 'n1',
      server: 'everything',
      tool: 'echo',
      arguments: { message: 'from the plan' },
      retries: 0,
      continueOnError: false,
      title: 'echo after a restart',
      requiresApproval: false,
      riskLevel: 'low',
      timeoutSeconds: 60,
    } satisfies PlanNodeOf<'mcp_tool'>;

    for (const round of [1, 2]) {
      const pid = bridge.status('everything').pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => bridge.state('everything') !== 'connected', 10_000, `down (round ${round})`);
      expect(['disconnected', 'reconnecting', 'connecting']).toContain(bridge.state('everything'));
      if (round === 1) {
        const result = await control.call({
          alias: 'everything',
          tool: 'echo',
          args: { message: 'after restart' },
          waitForConnectionMs: 30_000,
        });
        expect(result.content).toEqual([{ type: 'text', text: 'Echo: after restart' }]);
      } else {
        const result = await port.callTool(node, 'run/n1/1', context);
        expect(result).toMatchObject({ ok: true, output: { content: [{ text: 'Echo: from the plan' }] } });
      }
      expect(bridge.state('everything')).toBe('connected');
      expect(bridge.status('everything').pid).not.toBe(pid);
    }
  }, 60_000);
});

describe('McpError is a FleetError', () => {
  it('keeps its E_MCP_* code strings and both instanceof checks', () => {
    const error = new McpError(McpErrorCode.Disconnected, 'x', { alias: 'a' });
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toBeInstanceOf(McpError);
    expect(isFleetError(error)).toBe(true);
    expect(error.name).toBe('McpError');
    expect(error.details.alias).toBe('a');
    expect(Object.values(McpErrorCode).sort()).toEqual([
      'E_MCP_APPROVAL_REQUIRED',
      'E_MCP_CALL',
      'E_MCP_CLOSED',
      'E_MCP_CONFIG',
      'E_MCP_CONNECT',
      'E_MCP_DENIED',
      'E_MCP_DISCONNECTED',
      'E_MCP_MAY_HAVE_RUN',
      'E_MCP_SERVER_DISABLED',
      'E_MCP_TIMEOUT',
      'E_MCP_TOOL_DISABLED',
      'E_MCP_UNKNOWN_SERVER',
      'E_MCP_UNKNOWN_TOOL',
    ]);
  });
});
