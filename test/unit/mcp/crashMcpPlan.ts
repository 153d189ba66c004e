// Run by mcpCrashResume.test.ts in a child process (bundled with esbuild): runs a one-node plan calling the real
// server-everything's trigger-long-running-operation (read-only, idempotent) for DURATION seconds, with JSON
// checkpoints in WORKSPACE and the MCP journal next to them; the server is in WORKSPACE/.fleetai/mcp.servers.json. THREAD set resumes that run. Prints node state
// changes and one `invoke <tool>` line per tool call that reached the server.
import * as path from 'node:path';
import { openMcpBridge } from '../../../extension/core/mcp';
import { mcpWorkPort } from '../../../extension/core/mcp/mcpWorkPort';
import { runPlan } from '../../../extension/core/plans/executor';
import { valid } from '../plans/executor/executorFixtures';

const { WORKSPACE = '', DURATION = '60', THREAD } = process.env;

const plan = valid(
  [
    {
      type: 'mcp_tool',
      id: 'slow',
      title: 'Slow tool',
      server: 'everything',
      tool: 'trigger-long-running-operation',
      arguments: { duration: Number(DURATION), steps: 2 },
      retries: 0,
    },
  ],
  'slow',
);
const bridge = await openMcpBridge({
  workspace: WORKSPACE,
  onToolInvoke: (record) => process.stdout.write(`invoke ${record.tool}\n`),
});
const stateDir = path.join(WORKSPACE, '.fleetai', 'state');
const result = await runPlan({
  plan,
  workspace: WORKSPACE,
  stateDir,
  thread: THREAD ?? 'mcp-crash',
  mcp: mcpWorkPort(bridge, { journalDir: path.join(stateDir, 'mcp-journal') }),
  onEvent: (event) => process.stdout.write(`${event.node} ${event.status}\n`),
});
await bridge.close();
process.stdout.write(`result ${result.status}\n`);
