import { describe, expect, it } from 'vitest';
import type { PlanGraphSnapshotData } from '../../../extension/core/plans/planGraphSnapshot';
import { nodeOutputText } from '../../../extension/vscode/planOutputText';

const words = {
  run: 'Run',
  plan: 'Plan',
  state: 'State',
  attempts: 'Attempts',
  started: 'Started',
  finished: 'Finished',
  error: 'Error',
  output: 'Output (excerpt)',
  noOutput: 'No output recorded.',
  log: 'Log lines',
  noLog: 'No log lines.',
};

const snapshot: PlanGraphSnapshotData = {
  runId: 'auto-1',
  planId: 'auto',
  planVersion: 3,
  planTitle: 'Auto-run example',
  runStatus: 'failed',
  updatedAt: '2026-11-21T10:00:00.000Z',
  nodes: [],
  edges: [],
};

describe('nodeOutputText', () => {
  it('names the node, plan and run, then the state, times, error, output and log lines', () => {
    const text = nodeOutputText({
      snapshot,
      node: {
        id: 'test',
        type: 'local_task',
        title: 'Run the tests',
        state: 'failed',
        riskLevel: 'low',
        requiresApproval: false,
        attempts: 3,
        outputExcerpt: 'FAIL a.test.ts',
        error: 'exit code 1',
        startedAt: '2026-11-21T09:59:00.000Z',
        finishedAt: '2026-11-21T10:00:00.000Z',
      },
      logLines: ['{"category":"plan","event":"plan.node.marked_for_human"}'],
      words,
    });
    expect(text.split('\n').slice(0, 9)).toEqual([
      '# Run the tests (test)',
      '',
      'Plan: Auto-run example (auto v3)',
      'Run: auto-1 [failed]',
      'State: failed',
      'Attempts: 3',
      'Started: 2026-11-21T09:59:00.000Z',
      'Finished: 2026-11-21T10:00:00.000Z',
      '',
    ]);
    expect(text).toContain('## Error\nexit code 1');
    expect(text).toContain('## Output (excerpt)\nFAIL a.test.ts');
    expect(text).toContain('## Log lines\n{"category":"plan","event":"plan.node.marked_for_human"}');
  });

  it('says so when there is no output and no log line', () => {
    const text = nodeOutputText({
      snapshot,
      node: {
        id: 'gate',
        type: 'human_approval',
        title: 'Ship it?',
        state: 'pending',
        riskLevel: 'high',
        requiresApproval: true,
        attempts: 0,
      },
      logLines: [],
      words,
    });
    expect(text).toContain('No output recorded.');
    expect(text).toContain('No log lines.');
    expect(text).not.toContain('## Error');
    expect(text).not.toContain('Started:');
  });
});
