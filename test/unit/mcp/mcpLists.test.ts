import { afterEach, describe, expect, it } from 'vitest';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { McpBridge } from '../../../extension/core/mcp/mcpBridge';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { useTempDirs } from '../helpers';
import { everythingStdio, ManualClock, until, writeWorkspaceServers } from './mcpFixtures';

// Resources and prompts next to tools, against the real server-everything (stdio), which offers all three and
// announces list changes; the reconnect runs on an injected clock.
const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

type Line = { event: string; context?: Record<string, unknown> };

describe('McpBridge resources and prompts', () => {
  it('lists tools, resources and prompts on connect and all three again after the server is killed', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const clock = new ManualClock();
    const log = createMemoryLog();
    const bridge = await openMcpBridge({ workspace, clock, random: () => 0, log });
    open.push(bridge);
    const listed: string[] = [];
    bridge.on('tools', () => listed.push('tools'));
    bridge.on('resources', () => listed.push('resources'));
    bridge.on('prompts', () => listed.push('prompts'));

    const resources = await bridge.listResources('everything');
    const prompts = await bridge.listPrompts('everything');
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => typeof r.uri === 'string' && r.uri.length > 0)).toBe(true);
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['simple-prompt']));
    const status = bridge.status('everything');
    expect(status).toMatchObject({
      state: 'connected',
      resources: resources.length,
      prompts: prompts.length,
    });
    expect(status.tools).toBeGreaterThan(5);

    const connectedLines = (): Record<string, unknown>[] =>
      (log.lines as Line[])
        .filter((l) => l.event === 'bridge.state-change' && l.context?.to === 'connected')
        .map((l) => l.context!);
    expect(connectedLines()).toHaveLength(1);
    expect(connectedLines()[0]).toMatchObject({
      tools: status.tools,
      resources: resources.length,
      prompts: prompts.length,
    });

    listed.length = 0;
    const pid = status.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => bridge.state('everything') === 'reconnecting', 10_000, 'reconnecting');
    clock.advance(5000);
    await until(() => bridge.state('everything') === 'connected', 15_000, 'connected again');
    expect(bridge.status('everything').pid).not.toBe(pid);
    expect(listed).toEqual(expect.arrayContaining(['tools', 'resources', 'prompts']));
    expect(connectedLines()).toHaveLength(2);
    expect(connectedLines()[1]).toMatchObject({
      tools: status.tools,
      resources: resources.length,
      prompts: prompts.length,
    });
    expect((await bridge.listResources('everything')).length).toBe(resources.length);
    expect((await bridge.listPrompts('everything')).length).toBe(prompts.length);
  }, 40_000);

  it('lists the resources again when the server announces resources/list_changed', async () => {
    const workspace = tempDir();
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const bridge = await openMcpBridge({ workspace });
    open.push(bridge);
    const before = (await bridge.listResources('everything')).length;
    let announced = 0;
    bridge.on('resources', () => announced++);
    // This tool registers a session resource, which makes the server send resources/list_changed (a data: URI,
    // so nothing is fetched from the network).
    const result = await bridge.callTool('everything', 'gzip-file-as-resource', {
      name: 'hello.txt.gz',
      data: 'data:text/plain;base64,aGVsbG8gZmxlZXQ=',
    });
    expect(result.isError).not.toBe(true);
    await until(() => bridge.status('everything').resources === before + 1, 10_000, 'resource listed');
    expect(announced).toBeGreaterThanOrEqual(1);
    const names = (await bridge.listResources('everything')).map((r) => r.name);
    expect(names).toContain('hello.txt.gz');
  }, 30_000);
});
