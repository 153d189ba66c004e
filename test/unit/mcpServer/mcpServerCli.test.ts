import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callControl, readControlFile } from '../../../extension/core/control/controlClient';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { buildCli } from '../audit/builtCli';

// `fleet mcp-server` as an agent starts it: the CLI bundled the way the package ships it, spawned by the SDK's
// StdioClientTransport (what Codex and Claude Code do), and in --http mode reached over real HTTP on loopback.
// The supervisor is the real headless one, in this process, with a `sh` pane.
let dir: string;
let cli: string;
let workspace: string;
let running: HeadlessOrchestrator;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-mcpcli-'));
  cli = await buildCli(dir);
  workspace = path.join(dir, 'ws');
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      tick_seconds: 1,
      heartbeat_seconds: 1,
      metrics_port: 0,
      panes: [{ id: 'worker', agent: 'shell', command: 'sh' }],
    }),
  );
  const paths = workspacePaths(workspace);
  running = await startHeadlessOrchestrator({
    configFile: paths.orchestratorConfig,
    workspace,
    paths,
    builtinProfilesDir: path.resolve('agents-config'),
    log: createMemoryLog(),
  });
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const textOf = (result: unknown): string => ((result as CallToolResult).content[0] as { text: string }).text;

async function reportedOf(pane: string): Promise<unknown> {
  const control = await readControlFile(path.join(workspacePaths(workspace).stateDir, 'control.json'));
  const response = await callControl(control!, 'status');
  if (!response.ok) throw new Error(response.error.message);
  return (response.value as { panes: { id: string; reported?: unknown }[] }).panes.find((p) => p.id === pane)
    ?.reported;
}

function appLogEvents(): { category: string; event: string; context?: Record<string, unknown> }[] {
  return readFileSync(workspacePaths(workspace).appLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { category: string; event: string; context?: Record<string, unknown> });
}

describe('fleet mcp-server (stdio), spawned the way an agent spawns it', () => {
  it('reports as the pane named by FLEETAI_PANE_ID; the report reaches fleet status and the app log', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'mcp-server', '--workspace', workspace],
      env: { PATH: process.env.PATH ?? '', FLEETAI_PANE_ID: 'worker' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-agent', version: '1.0.0' });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('fleetai');
    const result = await client.callTool({
      name: 'report_status',
      arguments: { state: 'working', summary: 'writing the parser', progress: 10 },
    });
    expect(result.isError).toBeFalsy();
    expect(await reportedOf('worker')).toMatchObject({ state: 'working', summary: 'writing the parser' });
    await client.close();
    // And in `fleet status`'s text, on the pane's row.
    const status = await new Promise<string>((resolve) => {
      let out = '';
      const child = spawn(process.execPath, [cli, 'status', '--workspace', workspace], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('exit', () => resolve(out));
    });
    expect(status.split('\n').find((line) => line.startsWith('worker'))).toContain(
      'reports: working 10% "writing the parser"',
    );
    expect(appLogEvents()).toContainEqual(
      expect.objectContaining({
        category: 'mcp-server',
        event: 'mcp.report_status',
        context: expect.objectContaining({ pane: 'worker', state: 'working' }) as unknown,
      }),
    );
  }, 30_000);
});

async function startHttp(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'mcp-server', '--http', '--workspace', workspace], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no address in 15 s: ${stderr}`)), 15_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return { url, child };
}

describe('fleet mcp-server --http', () => {
  it('binds 127.0.0.1, refuses requests without the token (401) and serves the tools with it', async () => {
    const { url } = await startHttp({ FLEETAI_PANE_ID: 'worker' });
    const address = new URL(url);
    expect(address.hostname).toBe('127.0.0.1');
    // The token was generated and saved for the user only.
    const tokenFile = path.join(workspacePaths(workspace).stateDir, 'mcp-server.token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);

    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(url, { method: 'POST', headers, body: initialize })).status).toBe(401);
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { ...headers, authorization: 'Bearer wrong-token' },
          body: initialize,
        })
      ).status,
    ).toBe(401);

    // Not reachable on any other interface of this machine.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const host of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect(Number(address.port), host);
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused, `port open on ${host}`).toBe(true);
    }

    const client = new Client({ name: 'http-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(address, {
        requestInit: { headers: { authorization: `Bearer ${token}`, 'x-fleetai-pane': 'worker' } },
      }),
    );
    const result = await client.callTool({
      name: 'report_status',
      arguments: { state: 'needs_input', summary: 'which database?' },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(await reportedOf('worker')).toMatchObject({ state: 'needs_input', summary: 'which database?' });
    const tasks = await client.callTool({ name: 'list_tasks', arguments: {} });
    expect(JSON.parse(textOf(tasks))).toEqual([]);
    await client.close();
  }, 30_000);

  it('takes the token from FLEETAI_MCP_TOKEN when set', async () => {
    const { url } = await startHttp({ FLEETAI_MCP_TOKEN: 'from-the-env-0123456789abcdef' });
    const client = new Client({ name: 'http-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}?pane=worker`), {
        requestInit: { headers: { authorization: 'Bearer from-the-env-0123456789abcdef' } },
      }),
    );
    const result = await client.callTool({ name: 'add_note', arguments: { text: 'via http' } });
    expect(result.isError, textOf(result)).toBeFalsy();
    await client.close();
  }, 30_000);
});
