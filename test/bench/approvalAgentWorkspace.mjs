// A workspace whose one pane ("bench", of kind aider) runs the scripted approval agent (approvalAgent.cjs): the
// supervisor bench and the tests that drive a built `fleet orchestrator` through an approval share it.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const agentScript = fileURLToPath(new URL('./approvalAgent.cjs', import.meta.url));

// The shipped aider profile reads no command from its "Run shell command?" question; Aider prints the command
// indented on the rows above it. This rule (same id, laid over the shipped set) reads it, as Codex's does.
export const AIDER_COMMAND_RULE = {
  schemaVersion: 1,
  kind: 'aider',
  patterns: [
    {
      versions: '*',
      extend: true,
      rules: [
        {
          id: 'approval-command',
          state: 'awaiting_approval',
          source: 'live',
          regex: 'Run shell commands?\\?.*\\(Y\\)es/\\(N\\)o',
          priority: 100,
          approval: { kind: 'command', commandRegex: '^\\s+(\\S.*)$' },
        },
      ],
    },
  ],
};

/**
 * Writes `.fleetai/orchestrator.json` (the pane, `metrics_port` 0, then `config` over it) and, unless
 * `commandRule` is false, the aider rule above into `ws`; returns where the agent writes its stamps.
 */
export function writeApprovalAgentWorkspace(ws, { mode = 'command', config = {}, commandRule = true } = {}) {
  mkdirSync(path.join(ws, '.fleetai/agents'), { recursive: true });
  const stampFile = path.join(ws, 'agent-stamps.jsonl');
  const orchestrator = {
    metrics_port: 0,
    panes: [{ id: 'bench', agent: 'aider', command: process.execPath, args: [agentScript, stampFile, mode] }],
    ...config,
  };
  writeFileSync(path.join(ws, '.fleetai/orchestrator.json'), JSON.stringify(orchestrator, null, 2));
  if (commandRule)
    writeFileSync(path.join(ws, '.fleetai/agents/aider.json'), JSON.stringify(AIDER_COMMAND_RULE, null, 2));
  return { stampFile };
}
