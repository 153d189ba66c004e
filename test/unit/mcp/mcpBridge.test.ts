import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpBridge, McpInvokeRecord } from '../../../extension/core/mcp/mcpBridge';
import { McpErrorCode, type McpError } from '../../../extension/core/mcp/mcpErrors';
import { checkMcpTool, openMcpBridge } from '../../../extension/core/mcp';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { caught, repoRoot, useTempDirs } from '../helpers';
import { everythingStdio, until, writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

async function bridgeFor(servers: Record<string, unknown>, extra: { env?: NodeJS.ProcessEnv } = {}) {
  const workspace = tempDir();
  writeWorkspaceServers(workspace, servers);
  const invocations: McpInvokeRecord[] = [];
  const log = createMemoryLog();
  const bridge = await openMcpBridge({ workspace, log, onToolInvoke: (r) => invocations.push(r), ...extra });
  open.push(bridge);
  return { bridge, invocations, log, workspace };
}

describe('McpBridge over stdio with the real server-everything', () => {
  it('connects on first use, lists the tools and calls echo and get-sum', async () => {
    const { bridge, invocations } = await bridgeFor({ everything: everythingStdio() });
    expect(bridge.state('everything')).toBe('idle');
    const tools = await bridge.listTools('everything');
    expect(bridge.state('everything')).toBe('connected');
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-structured-content']));
    const echo = tools.find((t) => t.name === 'echo')!;
    expect(echo.annotations?.readOnlyHint).toBe(true);
    expect(echo.risk).toBe('low');

    const echoed = await bridge.callTool('everything', 'echo', { message: 'hello 你好' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: hello 你好' }]);
    const sum = await bridge.callTool('everything', 'get-sum', { a: 2, b: 3 });
    expect(sum.content).toEqual([{ type: 'text', text: 'The sum of 2 and 3 is 5.' }]);
    const weather = await bridge.callTool('everything', 'get-structured-content', { location: 'Chicago' });
    expect(weather.structuredContent).toMatchObject({ temperature: 36 });

    expect(invocations.map((r) => [r.alias, r.tool, r.isError])).toEqual([
      ['everything', 'echo', false],
      ['everything', 'get-sum', false],
      ['everything', 'get-structured-content', false],
    ]);
    for (const record of invocations) {
      expect(record.durationMs).toBeGreaterThan(0);
      expect(record.resultBytes).toBeGreaterThan(10);
    }
  });

  it('shares one session per alias: concurrent first calls start one server process', async () => {
    const { bridge } = await bridgeFor({ everything: everythingStdio() });
    const states: string[] = [];
    bridge.on('state', (e) => states.push(e.state));
    await Promise.all([
      bridge.listTools('everything'),
      bridge.callTool('everything', 'echo', { message: 'x' }),
    ]);
    expect(states).toEqual(['connecting', 'connected']);
    const pid = bridge.status('everything').pid;
    expect(pid).toBeGreaterThan(0);
    await bridge.callTool('everything', 'echo', { message: 'y' });
    expect(bridge.status('everything').pid).toBe(pid);
  });

  it('names alias and field of a bad entry, and the other alias still works', async () => {
    const { bridge, log } = await bridgeFor({
      broken: { command: process.execPath, args: 'not-a-list' },
      everything: everythingStdio(),
    });
    const problem = bridge.config.broken.get('broken')!;
    expect(problem).toMatchObject({ alias: 'broken', field: 'args', code: 'E_MCP_CONFIG' });
    expect(problem.message).toContain('server "broken", field "args"');
    expect(problem.message).toContain('服务器 "broken"');
    expect(log.lines.some((l) => l.event === 'config_problem')).toBe(true);

    const error = (await caught(() => bridge.listTools('broken'))) as McpError;
    expect(error.code).toBe(McpErrorCode.Config);
    expect(error.message).toContain('field "args"');
    const echoed = await bridge.callTool('everything', 'echo', { message: 'still here' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still here' }]);
  });

  it('refuses an unknown alias, an unknown tool and a disabled tool with bilingual reasons', async () => {
    const { bridge, invocations } = await bridgeFor({
      everything: everythingStdio({ disabledTools: ['get-sum'] }),
    });
    const noServer = (await caught(() => bridge.callTool('nowhere', 'echo', {}))) as McpError;
    expect(noServer.code).toBe(McpErrorCode.UnknownServer);
    expect(noServer.message).toContain('no MCP server "nowhere" (configured: everything');
    expect(noServer.message).toContain('没有 MCP 服务器 "nowhere"');

    const noTool = (await caught(() => bridge.callTool('everything', 'ecko', {}))) as McpError;
    expect(noTool.code).toBe(McpErrorCode.UnknownTool);
    expect(noTool.message).toMatch(/has no tool "ecko" \(it has: .*echo/);
    expect(noTool.message).toContain('没有工具 "ecko"');

    const disabled = (await caught(() =>
      bridge.callTool('everything', 'get-sum', { a: 1, b: 2 }),
    )) as McpError;
    expect(disabled.code).toBe(McpErrorCode.ToolDisabled);
    expect(disabled.message).toContain('disabledTools');
    expect((await bridge.listTools('everything')).find((t) => t.name === 'get-sum')?.disabled).toBe(true);
    // Nothing reached the server.
    expect(invocations).toEqual([]);
  });

  it('passes ${env:NAME} secrets to the server but never shows them in errors, logs or stderr excerpts', async () => {
    const secret = 'sk-test-0123456789abcdef';
    const failing = {
      command: process.execPath,
      args: ['-e', 'console.error("token is " + process.env.API_TOKEN); process.exit(3)'],
      env: { API_TOKEN: '${env:FLEET_MCP_TEST_TOKEN}' },
    };
    const { bridge, log } = await bridgeFor(
      { everything: everythingStdio({ env: { API_TOKEN: '${env:FLEET_MCP_TEST_TOKEN}' } }), failing },
      { env: { ...process.env, FLEET_MCP_TEST_TOKEN: secret } },
    );
    const env = await bridge.callTool('everything', 'get-env', {});
    // The server really got it (the tool prints its environment)...
    expect(JSON.stringify(env.content)).toContain(secret);
    // ...but a failure that echoes it shows *** instead.
    const error = (await caught(() => bridge.connect('failing'))) as McpError;
    expect(error.code).toBe(McpErrorCode.Connect);
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('token is ***');
    expect(JSON.stringify(log.lines)).not.toContain(secret);

    const missing = await bridgeFor({
      everything: everythingStdio({ env: { API_TOKEN: '${env:FLEET_MCP_UNSET_VAR}' } }),
    });
    const unset = (await caught(() => missing.bridge.listTools('everything'))) as McpError;
    expect(unset.code).toBe(McpErrorCode.Config);
    expect(unset.message).toContain(
      'field "env.API_TOKEN": environment variable FLEET_MCP_UNSET_VAR is not set',
    );
    expect(missing.bridge.state('everything')).toBe('disconnected');
  });
});

describe('checkMcpTool (for the plan dry run)', () => {
  it('says ok with the risk for a listed tool, and names the problem for a missing tool or server', async () => {
    const { bridge } = await bridgeFor({ everything: everythingStdio({ alwaysAllow: ['echo'] }) });
    const ok = await checkMcpTool(bridge, 'everything', 'echo');
    expect(ok).toMatchObject({ status: 'ok', field: 'tool' });
    expect(ok.en).toBe(
      'server "everything" has tool "echo" (risk low; read-only, idempotent, always allowed)',
    );
    expect(ok.zh).toContain('只读');
    const missing = await checkMcpTool(bridge, 'everything', 'ecko');
    expect(missing).toMatchObject({ status: 'error', field: 'tool' });
    expect(missing.en).toContain('has no tool "ecko" (it has: ');
    const noServer = await checkMcpTool(bridge, 'elsewhere', 'echo');
    expect(noServer).toMatchObject({ status: 'error', field: 'server' });
    expect(noServer.en).toContain('E_MCP_UNKNOWN_SERVER');
  });
});

describe('McpBridge call failures', () => {
  it('times a slow call out without dropping the session', async () => {
    const { bridge, invocations } = await bridgeFor({ everything: everythingStdio() });
    const slow = (await caught(() =>
      bridge.callTool(
        'everything',
        'trigger-long-running-operation',
        { duration: 5, steps: 5 },
        { timeoutMs: 300 },
      ),
    )) as McpError;
    expect(slow.code).toBe(McpErrorCode.Timeout);
    expect(slow.message).toContain('took longer than 300 ms');
    expect(slow.details.outcome).toBe('unknown');
    expect(invocations.at(-1)?.error?.code).toBe(McpErrorCode.Timeout);
    expect(bridge.state('everything')).toBe('connected');
    const echoed = await bridge.callTool('everything', 'echo', { message: 'still connected' });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still connected' }]);
  });

  it('fails a call in flight at once when the stdio server dies under it', async () => {
    const { bridge } = await bridgeFor({ everything: everythingStdio() });
    await bridge.connect('everything');
    const pending = caught(() =>
      bridge.callTool('everything', 'trigger-long-running-operation', { duration: 30, steps: 3 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const killedAt = performance.now();
    process.kill(bridge.status('everything').pid!, 'SIGKILL');
    const error = (await pending) as McpError;
    expect(performance.now() - killedAt).toBeLessThan(2000);
    expect(error.code).toBe(McpErrorCode.Disconnected);
    expect(error.details.outcome).toBe('unknown');
    expect(error.message).toContain('went away during the call to "trigger-long-running-operation"');
  });
});

describe('McpBridge tool list changes', () => {
  it('lists again when a real server announces a new tool (the tool registered during the handshake is listed too)', async () => {
    const fixture = path.join(repoRoot, 'test/unit/mcp/fixtures/changingTools.mjs');
    const { bridge } = await bridgeFor({ changing: { command: process.execPath, args: [fixture] } });
    const lists: string[][] = [];
    bridge.on('tools', (e) => lists.push(e.tools.map((t) => t.name).sort()));
    await bridge.connect('changing');
    await until(() => lists.some((names) => names.includes('late')), 10_000, 'the late tool');
    expect((await bridge.listTools('changing')).map((t) => t.name).sort()).toEqual([
      'add-tool',
      'first',
      'late',
    ]);
    await bridge.callTool('changing', 'add-tool', {});
    await until(() => lists.some((names) => names.includes('added')), 10_000, 'the added tool');
    const added = await bridge.callTool('changing', 'added', {});
    expect(added.content).toEqual([{ type: 'text', text: 'added' }]);
  });
});
