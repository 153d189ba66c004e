import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { McpBridge, McpStateEvent } from '../../../extension/core/mcp/mcpBridge';
import { McpErrorCode, type McpError } from '../../../extension/core/mcp/mcpErrors';
import { caught, useTempDirs } from '../helpers';
import { everythingStdio, until, writeWorkspaceServers } from './mcpFixtures';

// Turning one server off and on, and reading the servers files again, without touching the other sessions:
// each alias is its own real server-everything process, so "untouched" is checked by its pid staying alive.
const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('McpBridge disable / enable / reload', () => {
  it('disable ends only that session, calls are refused, enable connects it again', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { a: everythingStdio(), b: everythingStdio() });
    const bridge = await openMcpBridge({ workspace });
    open.push(bridge);
    await Promise.all([bridge.connect('a'), bridge.connect('b')]);
    const pidA = bridge.status('a').pid!;
    const pidB = bridge.status('b').pid!;
    const states: McpStateEvent[] = [];
    bridge.on('state', (e) => states.push(e));

    await bridge.disable('a');
    expect(bridge.state('a')).toBe('disabled');
    expect(bridge.status('a')).toMatchObject({ tools: 0, resources: 0, prompts: 0 });
    await until(() => !isAlive(pidA), 10_000, 'server a stopped');
    const refused = (await caught(() => bridge.callTool('a', 'echo', { message: 'x' }))) as McpError;
    expect(refused.code).toBe(McpErrorCode.ServerDisabled);
    expect(refused.message).toContain('"a" is turned off for this session');
    // Waiting does not help a disabled server: refused at once too.
    const waited = (await caught(() =>
      bridge.callTool('a', 'echo', { message: 'x' }, { waitForConnectionMs: 60_000 }),
    )) as McpError;
    expect(waited.code).toBe(McpErrorCode.ServerDisabled);
    expect(bridge.status('b').pid).toBe(pidB);
    expect(isAlive(pidB)).toBe(true);
    expect(states.filter((s) => s.alias === 'b')).toEqual([]);

    bridge.enable('a');
    expect(bridge.state('a')).toBe('idle');
    const echoed = await bridge.callTool('a', 'echo', { message: 'back' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: back' }]);
    expect(bridge.status('a').pid).not.toBe(pidA);
    expect(bridge.status('b').pid).toBe(pidB);
    expect(states.filter((s) => s.alias === 'b')).toEqual([]);
    expect(states.filter((s) => s.alias === 'a').map((s) => s.state)).toEqual([
      'disabled',
      'idle',
      'connecting',
      'connected',
    ]);
  }, 40_000);

  it('reload reconnects only changed entries, closes removed ones and leaves added ones for first use', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, {
      same: everythingStdio(),
      changed: everythingStdio(),
      removed: everythingStdio(),
      off: everythingStdio(),
    });
    const bridge = await openMcpBridge({ workspace });
    open.push(bridge);
    await Promise.all(['same', 'changed', 'removed', 'off'].map((a) => bridge.connect(a)));
    const pid = (alias: string): number => bridge.status(alias).pid!;
    const before = { same: pid('same'), changed: pid('changed'), removed: pid('removed'), off: pid('off') };
    await bridge.disable('off');

    writeWorkspaceServers(workspace, {
      same: everythingStdio(),
      changed: everythingStdio({ description: 'now described', alwaysAllow: ['echo'] }),
      off: everythingStdio({ description: 'changed while turned off' }),
      added: everythingStdio(),
      broken: { command: 42 },
    });
    const result = await bridge.reload();
    expect(result).toEqual({
      added: ['added'],
      removed: ['removed'],
      changed: ['changed', 'off'],
      unchanged: ['same'],
    });
    expect(bridge.config.broken.has('broken')).toBe(true);
    expect(bridge.aliases().sort()).toEqual(['added', 'changed', 'off', 'same']);

    await until(() => !isAlive(before.removed), 10_000, 'removed server stopped');
    expect(bridge.state('removed')).toBe('idle');
    expect((await caught(() => bridge.listTools('removed'))) as McpError).toMatchObject({
      code: McpErrorCode.UnknownServer,
    });
    // The changed one was in use: it reconnects by itself, with its new entry.
    await until(
      () => bridge.state('changed') === 'connected' && pid('changed') !== before.changed,
      20_000,
      'changed server reconnected',
    );
    expect(isAlive(before.changed)).toBe(false);
    expect((await bridge.tool('changed', 'echo'))?.alwaysAllow).toBe(true);
    // Untouched: same session, same process.
    expect(bridge.state('same')).toBe('connected');
    expect(pid('same')).toBe(before.same);
    expect(isAlive(before.same)).toBe(true);
    // Turned off stays off across a reload.
    expect(bridge.state('off')).toBe('disabled');
    expect(bridge.state('added')).toBe('idle');
    await bridge.connect('added');
    expect(bridge.state('added')).toBe('connected');
  }, 60_000);
});
