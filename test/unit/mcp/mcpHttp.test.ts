import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { McpBridge } from '../../../extension/core/mcp/mcpBridge';
import { McpErrorCode, type McpError } from '../../../extension/core/mcp/mcpErrors';
import { caught, useTempDirs } from '../helpers';
import { EVERYTHING, ManualClock, until, writeWorkspaceServers } from './mcpFixtures';
import { freePort } from '../../vscode/codeServer.mjs';

const tempDir = useTempDirs();
const open: McpBridge[] = [];
const servers: ChildProcess[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
  for (const child of servers.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the real server-everything on its HTTP transport; it says on stderr when it listens. */
async function startServer(transport: 'streamableHttp' | 'sse', port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVERYTHING, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  servers.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(
    () => /listening on port|running on port/.test(stderr) || child.exitCode !== null,
    15_000,
    `${transport} server`,
  );
  if (child.exitCode !== null) throw new Error(`server-everything ${transport} exited: ${stderr}`);
  return child;
}

describe('McpBridge over HTTP with the real server-everything', () => {
  it('calls tools over Streamable HTTP, fails fast once the server is gone, and reconnects when it is back', async () => {
    const port = await freePort();
    const server = await startServer('streamableHttp', port);
    const workspace = tempDir();
    writeWorkspaceServers(workspace, {
      web: { url: `http://127.0.0.1:${port}/mcp`, headers: { 'X-Test': 'fleet' } },
    });
    const clock = new ManualClock();
    const bridge = await openMcpBridge({ workspace, clock, random: () => 0 });
    open.push(bridge);

    const names = (await bridge.listTools('web')).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const echoed = await bridge.callTool('web', 'echo', { message: 'over http' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: over http' }]);

    server.kill('SIGKILL');
    await until(() => server.exitCode !== null || server.signalCode !== null, 5000, 'server exit');
    // Nothing tells an HTTP client the server left: the first call finds out, and the session goes down.
    const lost = (await caught(() => bridge.callTool('web', 'echo', { message: 'x' }))) as McpError;
    expect(lost.code).toBe(McpErrorCode.Disconnected);
    expect(lost.message).toContain('could not be reached');
    expect(lost.message).toContain('ECONNREFUSED');
    expect(bridge.state('web')).toBe('reconnecting');
    const started = performance.now();
    const fast = (await caught(() => bridge.callTool('web', 'echo', { message: 'y' }))) as McpError;
    expect(fast.code).toBe(McpErrorCode.Disconnected);
    expect(performance.now() - started).toBeLessThan(250);

    await startServer('streamableHttp', port);
    clock.advance(5000);
    await until(() => bridge.state('web') === 'connected', 15_000, 'reconnected');
    const back = await bridge.callTool('web', 'get-sum', { a: 20, b: 22 });
    expect(back.content).toEqual([{ type: 'text', text: 'The sum of 20 and 22 is 42.' }]);
  });

  it('calls tools over the older HTTP+SSE transport', async () => {
    const port = await freePort();
    await startServer('sse', port);
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { old: { type: 'sse', url: `http://127.0.0.1:${port}/sse` } });
    const bridge = await openMcpBridge({ workspace });
    open.push(bridge);
    const echoed = await bridge.callTool('old', 'echo', { message: 'over sse' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: over sse' }]);
  });
});
