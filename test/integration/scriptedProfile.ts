/**
 * A workspace profile (`.fleetai/agents/<kind>.json`) for a scripted agent of the integration tests: a node script
 * that prints `<prompt>>` when it waits, asks `<question>` for an edit, and resumes with `--resumed`.
 */
export function scriptedAgentProfile(options: {
  kind: string;
  displayName: string;
  executable: string;
  script: string;
  prompt: string;
  question: string;
}): unknown {
  return {
    schemaVersion: 1,
    kind: options.kind,
    displayName: options.displayName,
    command: process.execPath,
    args: [options.script],
    env: {},
    detect: { executables: [options.executable] },
    version: null,
    resume: { args: ['--resumed'] },
    approval: { approve: 'y', deny: '\u001b' },
    nudge: null,
    interrupt: '\u0003',
    input: { submitDelayMs: 0, submitKeys: '\r' },
    timing: { idleDebounceMs: 300, liveRows: 4 },
    patterns: [
      {
        versions: '*',
        rules: [
          {
            id: 'approval',
            state: 'awaiting_approval',
            source: 'live',
            regex: options.question,
            priority: 100,
            approval: { kind: 'edit' },
          },
          {
            id: 'prompt',
            state: 'awaiting_input',
            source: 'live',
            regex: `^${options.prompt}>$`,
            priority: 10,
          },
          { id: 'output', state: 'working', source: 'live', regex: '\\S', priority: 0 },
        ],
      },
    ],
  };
}
