import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callControl, readControlFile } from '../../../extension/core/control/controlClient';
import { createFleetMcpServer } from '../../../extension/core/mcpServer/fleetMcpServer';
import { supervisorLink } from '../../../extension/core/mcpServer/supervisorLink';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';

// A real headless supervisor (the one `fleet orchestrator` runs) with one pane running `sh` in a real pty, its
// control socket, and FleetAI's MCP server in this process, reached by the SDK's own Client over the SDK's
// in-memory transport. Nothing is mocked: the tools go over the real control socket to the real supervisor.
let workspace: string;
let running: HeadlessOrchestrator;
const supervisorLog = createMemoryLog();

beforeAll(async () => {
  workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-mcpserver-'));
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      tick_seconds: 1,
      heartbeat_seconds: 1,
      metrics_port: 0,
      panes: [{ id: 'worker', agent: 'shell', command: 'sh' }],
      tasks: [
        {
          id: 'docs',
          title: 'Write the MCP docs',
          pane: 'worker',
          acceptance: { checklist: ['docs exist'] },
        },
        { id: 'ship', title: 'Ship it', depends_on: ['docs'] },
      ],
    }),
  );
  const paths = workspacePaths(workspace);
  running = await startHeadlessOrchestrator({
    configFile: paths.orchestratorConfig,
    workspace,
    paths,
    builtinProfilesDir: path.resolve('agents-config'),
    log: supervisorLog,
  });
}, 30_000);

afterAll(async () => {
  await running?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

async function connect(pane: string | undefined, ws = workspace) {
  const log = createMemoryLog();
  const server = createFleetMcpServer({ call: supervisorLink(ws), log, ...(pane ? { pane } : {}) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(clientSide);
  return { client, log, close: () => client.close() };
}

const textOf = (result: unknown): string => ((result as CallToolResult).content[0] as { text: string }).text;

async function status(): Promise<{
  panes: { id: string; reported?: { state: string; summary: string; progress?: number } }[];
  state: { panes: Record<string, { recent_actions: { action: string; detail: string }[] }> };
  pending_approvals: { id: string; command?: string; source: string }[];
}> {
  const control = await readControlFile(path.join(workspacePaths(workspace).stateDir, 'control.json'));
  const response = await callControl(control!, 'status');
  if (!response.ok) throw new Error(response.error.message);
  return response.value as Awaited<ReturnType<typeof status>>;
}

describe("FleetAI's MCP server against a running supervisor", () => {
  it('lists the five tools with input schemas and readOnlyHint on the reading ones', async () => {
    const { client, close } = await connect('worker');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'add_note',
      'get_task',
      'list_tasks',
      'report_status',
      'request_approval',
    ]);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.get_task!.annotations?.readOnlyHint).toBe(true);
    expect(byName.list_tasks!.annotations?.readOnlyHint).toBe(true);
    expect(byName.report_status!.annotations?.readOnlyHint).toBe(false);
    expect(byName.report_status!.inputSchema.required).toEqual(['state', 'summary']);
    expect(
      (byName.report_status!.inputSchema.properties as Record<string, { enum?: string[] }>).state!.enum,
    ).toEqual(['working', 'blocked', 'done', 'needs_input']);
    await close();
  });

  it('report_status is recorded on the pane: status shows it, recent actions and the logs have it', async () => {
    const { client, log, close } = await connect('worker');
    const result = await client.callTool({
      name: 'report_status',
      arguments: { state: 'blocked', summary: 'tests need a database', progress: 40 },
    });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toMatchObject({ pane: 'worker', recorded: { state: 'blocked' } });
    const s = await status();
    expect(s.panes.find((p) => p.id === 'worker')?.reported).toMatchObject({
      state: 'blocked',
      summary: 'tests need a database',
      progress: 40,
    });
    expect(s.state.panes.worker!.recent_actions).toContainEqual(
      expect.objectContaining({ action: 'agent.report', detail: 'blocked 40%: tests need a database' }),
    );
    expect(log.lines).toContainEqual(
      expect.objectContaining({ category: 'mcp-server', event: 'mcp.report_status' }),
    );
    await close();
  });

  it('a bad state is refused by the input schema before anything reaches the supervisor', async () => {
    const { client, log, close } = await connect('worker');
    const result = await client.callTool({
      name: 'report_status',
      arguments: { state: 'sleeping', summary: 'x' },
    });
    expect(result.isError).toBe(true);
    expect(log.lines).toHaveLength(0);
    await close();
  });

  it('add_note, get_task and list_tasks answer from the supervisor', async () => {
    const { client, close } = await connect('worker');
    expect(
      (await client.callTool({ name: 'add_note', arguments: { text: 'chose sqlite for tests' } })).isError,
    ).toBeFalsy();
    const s = await status();
    expect(s.state.panes.worker!.recent_actions).toContainEqual(
      expect.objectContaining({ action: 'agent.note', detail: 'chose sqlite for tests' }),
    );
    const task = JSON.parse(textOf(await client.callTool({ name: 'get_task', arguments: {} }))) as {
      task: { id: string; prompt: string };
    };
    expect(task.task.id).toBe('docs');
    expect(task.task.prompt).toContain('Write the MCP docs');
    const tasks = JSON.parse(textOf(await client.callTool({ name: 'list_tasks', arguments: {} }))) as {
      id: string;
      depends_on: string[];
    }[];
    expect(tasks.map((t) => t.id)).toEqual(['docs', 'ship']);
    expect(tasks[1]!.depends_on).toEqual(['docs']);
    await close();
  });

  it('request_approval files a pending request and returns the decision made with fleet approvals:approve', async () => {
    const { client, close } = await connect('worker');
    const call = client.callTool({
      name: 'request_approval',
      arguments: { action: 'drop table users', reason: 'migration v2', risk: 'high', timeoutSeconds: 30 },
    });
    let pending: { id: string; command?: string; source: string } | undefined;
    for (let i = 0; i < 50 && !pending; i++) {
      pending = (await status()).pending_approvals.find((a) => a.command === 'drop table users');
      if (!pending) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toMatchObject({ source: 'agent' });
    const control = await readControlFile(path.join(workspacePaths(workspace).stateDir, 'control.json'));
    const decided = await callControl(control!, 'approvals.decide', {
      id: pending!.id,
      decision: 'deny',
      message: 'not on prod',
    });
    expect(decided.ok).toBe(true);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toMatchObject({
      id: pending!.id,
      decision: 'deny',
      decidedBy: 'cli',
      message: 'not on prod',
    });
    await close();
  }, 30_000);

  it('request_approval that nobody answers expires after timeoutSeconds and leaves nothing pending', async () => {
    const { client, close } = await connect('worker');
    const started = Date.now();
    const result = await client.callTool({
      name: 'request_approval',
      arguments: { action: 'rm -rf build', reason: 'clean', timeoutSeconds: 1 },
    });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(JSON.parse(textOf(result))).toMatchObject({ decision: 'expired' });
    expect((await status()).pending_approvals.find((a) => a.command === 'rm -rf build')).toBeUndefined();
    await close();
  }, 20_000);

  it('request_approval cancelled by the agent is withdrawn: the request leaves the pending list at once', async () => {
    const { client, log, close } = await connect('worker');
    const abort = new AbortController();
    const call = client
      .callTool(
        {
          name: 'request_approval',
          arguments: { action: 'git push --force', reason: 'rewrite history', timeoutSeconds: 60 },
        },
        undefined,
        { signal: abort.signal },
      )
      .catch((error: unknown) => error);
    let pending: { id: string } | undefined;
    for (let i = 0; i < 50 && !pending; i++) {
      pending = (await status()).pending_approvals.find((a) => a.command === 'git push --force');
      if (!pending) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toBeDefined();
    const started = Date.now();
    abort.abort();
    expect(await call).toBeInstanceOf(Error);
    let still: unknown = pending;
    while (still && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      still = (await status()).pending_approvals.find((a) => a.id === pending!.id);
    }
    // Well before the 60 s timeout: withdrawn, not expired by time.
    expect(still).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'mcp.request_approval.withdrawn' }));
    await close();
  }, 20_000);

  it('a pane the supervisor does not know, or none at all, is an error result naming the fix', async () => {
    const unknown = await connect('nobody');
    const r1 = await unknown.client.callTool({
      name: 'report_status',
      arguments: { state: 'working', summary: 'x' },
    });
    expect(r1.isError).toBe(true);
    expect(textOf(r1)).toContain('E_PANE_NOT_FOUND');
    await unknown.close();
    const none = await connect(undefined);
    const r2 = await none.client.callTool({ name: 'add_note', arguments: { text: 'x' } });
    expect(r2.isError).toBe(true);
    expect(textOf(r2)).toContain('FLEETAI_PANE_ID');
    // list_tasks needs no pane.
    expect((await none.client.callTool({ name: 'list_tasks', arguments: {} })).isError).toBeFalsy();
    await none.close();
  });

  it('without a supervisor the tools answer with an error result saying so, and the server stays up', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'fleetai-mcpserver-none-'));
    try {
      const { client, close } = await connect('worker', empty);
      const result = await client.callTool({
        name: 'report_status',
        arguments: { state: 'working', summary: 'hello' },
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/No FleetAI supervisor runs for .*E_NO_SUPERVISOR/);
      expect((await client.listTools()).tools).toHaveLength(5);
      await close();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
