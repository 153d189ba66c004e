import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { openMcpBridge } from '../../../extension/core/mcp';
import type { McpBridge, McpInvokeRecord } from '../../../extension/core/mcp/mcpBridge';
import { mcpWorkPort } from '../../../extension/core/mcp/mcpWorkPort';
import { runPlan } from '../../../extension/core/plans/executor';
import { useTempDirs } from '../helpers';
import { effect, effects, valid } from '../plans/executor/executorFixtures';
import { everythingStdio, writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();
const open: McpBridge[] = [];
afterEach(async () => {
  for (const bridge of open.splice(0)) await bridge.close();
});

/** The wiring the plan CLI is asked to do: a bridge from the workspace, the port passed as `mcp` to runPlan. */
async function setup(server: Record<string, unknown> = {}) {
  const workspace = tempDir();
  writeWorkspaceServers(workspace, { everything: everythingStdio(server) });
  const calls: McpInvokeRecord[] = [];
  const bridge = await openMcpBridge({ workspace, onToolInvoke: (r) => calls.push(r) });
  open.push(bridge);
  const stateDir = path.join(workspace, '.fleetai', 'state');
  const mcp = mcpWorkPort(bridge, { journalDir: path.join(stateDir, 'mcp-journal') });
  return { workspace, stateDir, mcp, calls };
}

describe('a plan with mcp_tool nodes run by the real executor', () => {
  it('calls the tools and lets a condition read the structured output', async () => {
    const { workspace, stateDir, mcp, calls } = await setup();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['weather', 'decide'] },
        {
          type: 'mcp_tool',
          id: 'weather',
          title: 'Weather',
          server: 'everything',
          tool: 'get-structured-content',
          arguments: { location: 'Chicago' },
        },
        {
          type: 'conditional',
          id: 'decide',
          title: 'Cold?',
          condition: { equals: ['$.nodes.weather.output.structuredContent.temperature', 36] },
          then: 'cold',
          else: 'warm',
        },
        effect('cold'),
        effect('warm'),
      ],
      'main',
    );
    const result = await runPlan({ plan, workspace, stateDir, mcp, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    expect(result.nodes.weather).toMatchObject({
      status: 'done',
      output: { isError: false, structuredContent: { conditions: 'Light rain / drizzle' } },
    });
    expect(effects(workspace)).toEqual(['cold']);
    expect(calls.map((c) => c.tool)).toEqual(['get-structured-content']);
  });

  it('fails an mcp_tool node naming a tool the server does not have', async () => {
    const { workspace, stateDir, mcp } = await setup();
    const plan = valid(
      [{ type: 'mcp_tool', id: 'nope', title: 'Nope', server: 'everything', tool: 'ecko', retries: 0 }],
      'nope',
    );
    const result = await runPlan({ plan, workspace, stateDir, mcp, checkpointer: 'memory' });
    expect(result.status).toBe('failed');
    expect(result.nodes.nope?.error).toContain('E_MCP_UNKNOWN_TOOL');
    expect(result.nodes.nope?.error).toContain('没有工具 "ecko"');
  });

  it('asks a person before a high-risk tool (its toolRisk label) and calls it once approved; alwaysAllow skips that', async () => {
    const echo = (id: string) => ({
      type: 'mcp_tool' as const,
      id,
      title: 'Echo',
      server: 'everything',
      tool: 'echo',
      arguments: { message: `hello ${id}` },
    });
    const risky = await setup({ toolRisk: { echo: 'high' } });
    const approvals = ApprovalStore.forWorkspace({ approvalsDir: path.join(risky.stateDir, 'approvals') });
    const plan = valid([echo('say')], 'say');
    const first = await runPlan({ plan, ...risky, approvals, wait: false });
    expect(first.status).toBe('waiting_approval');
    expect(risky.calls).toEqual([]);
    const [request] = await approvals.pending();
    expect(request).toMatchObject({ risk: 'high', kind: 'other' });
    expect(request?.reason).toContain('MCP everything/echo');
    await approvals.decide(request!.id, 'approve', { by: 'cli' });
    const resumed = await runPlan({ plan, ...risky, approvals, thread: first.thread, wait: false });
    expect(resumed.status).toBe('done');
    expect(risky.calls.map((c) => c.tool)).toEqual(['echo']);

    const allowed = await setup({ toolRisk: { echo: 'high' }, alwaysAllow: ['echo'] });
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(allowed.stateDir, 'approvals') });
    const direct = await runPlan({ plan, ...allowed, approvals: store, checkpointer: 'memory' });
    expect(direct.status).toBe('done');
    expect(await store.pending()).toEqual([]);
    expect(allowed.calls.map((c) => c.tool)).toEqual(['echo']);
  }, 60_000);
});
