// Run by planAgents.test.ts in a child process (bundled with esbuild, node-pty left external): a plan whose
// middle node asks the real Codex (its environment is this process's) to make a file, with JSON checkpoints in
// WORKSPACE. THREAD names the run (the same on resume). Prints one line per node state change.
import * as path from 'node:path';
import { ApprovalStore } from '../../extension/core/approvals';
import { createMemoryLog } from '../../extension/core/observability/appLog';
import { openWorkspaceAgents } from '../../extension/core/plans/agents';
import { runPlan } from '../../extension/core/plans/executor';
import type { PlanNodeInput } from '../../extension/core/plans/planSchema';
import { validatePlan } from '../../extension/core/plans/validatePlan';
import { workspacePaths } from '../../extension/core/workspacePaths';

const { WORKSPACE = '', THREAD = 'crash-agent', PROFILES = '' } = process.env;
const effect = (id: string): PlanNodeInput => ({
  type: 'local_task',
  id,
  title: id,
  action: { kind: 'script', script: `echo ${id} >> effects.txt` },
});
const validation = validatePlan({
  schemaVersion: 1,
  id: 'crash-agent',
  title: 'Crash in an agent node',
  root: 'main',
  nodes: [
    { type: 'sequence', id: 'main', title: 'Main', children: ['s0', 'agent', 's3'] },
    effect('s0'),
    {
      type: 'agent_invocation',
      id: 'agent',
      title: 'Codex makes a file',
      agent: { type: 'kind', agentKind: 'codex' },
      prompt: 'fake:approval Create the file approved.txt.',
      completion: [{ kind: 'file_exists', path: 'approved.txt' }],
      retries: 0,
      timeoutSeconds: 120,
    },
    effect('s3'),
  ],
});
if (!validation.plan) throw new Error(JSON.stringify(validation.problems));
const paths = workspacePaths(WORKSPACE);
const approvals = ApprovalStore.forWorkspace(paths);
const agents = await openWorkspaceAgents({
  workspace: WORKSPACE,
  paths,
  builtinProfilesDir: PROFILES,
  log: createMemoryLog(),
  approvals,
});
try {
  const result = await runPlan({
    plan: validation.plan,
    workspace: WORKSPACE,
    stateDir: path.join(WORKSPACE, '.fleetai', 'state'),
    thread: THREAD,
    approvals,
    agents,
    onEvent: (event) => process.stdout.write(`${event.node} ${event.status}\n`),
  });
  process.stdout.write(`result ${result.status}\n`);
} finally {
  await agents.close();
}
