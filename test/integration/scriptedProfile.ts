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

/**
 * The source of a scripted agent named `name` for those profiles: prints `<name> agent started` (or `resumed`
 * with `--resumed`) and the prompt `<name>> `; on "ask" asks `Allow the <name> change?` with numbered options and
 * prints `<name>-approved-marker` for `y`, `<name>-denied-marker` for Escape; "crash" exits 3; any other line
 * is echoed as `echo:<line>` (with `:resumed` after a restart).
 */
export function scriptedAgentSource(name: string): string {
  return `
const out = (s) => process.stdout.write(s);
const resumed = process.argv.includes('--resumed');
const prompt = () => out('${name}> ');
out(resumed ? '${name} agent resumed\\r\\n' : '${name} agent started\\r\\n');
let asking = false;
let buf = '';
process.stdin.setRawMode(true);
process.stdin.on('data', (d) => {
  for (const ch of d.toString()) {
    if (asking) {
      if (ch === 'y') { asking = false; out('\\r\\n${name}-approved-marker\\r\\n'); prompt(); }
      else if (ch === '\\u001b') { asking = false; out('\\r\\n${name}-denied-marker\\r\\n'); prompt(); }
      continue;
    }
    if (ch === '\\u0003') process.exit(130);
    if (ch !== '\\r' && ch !== '\\n') { buf += ch; out(ch); continue; }
    const line = buf.trim(); buf = ''; out('\\r\\n');
    if (line === 'ask') {
      asking = true;
      out('Working on it\\r\\n');
      setTimeout(() => out('Allow the ${name} change?\\r\\n  1. Yes, go ahead (y)\\r\\n  2. No (esc)\\r\\n'), 300);
    } else if (line === 'crash') process.exit(3);
    else { if (line) out('echo:' + line + (resumed ? ':resumed' : '') + '\\r\\n'); prompt(); }
  }
});
prompt();
`;
}
