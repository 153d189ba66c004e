import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WatchRun, sleep } from './harness';

// Scripted programs stand in for agents that cannot run here (Aider is a Python program, not on npm) and for
// plain shells; they go through the real CLI, pty, screen and the shipped profiles.
const runs: WatchRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.dispose();
});
function watch(...args: ConstructorParameters<typeof WatchRun>): WatchRun {
  const run = new WatchRun(...args);
  runs.push(run);
  return run;
}

describe('fleet watch with a plain shell', () => {
  it('reports idle, working, idle again, a stall, and the exit code', async () => {
    const run = watch(['bash', '--norc', '--noprofile'], { stallTimeout: 2, env: { PS1: '$ ' } });
    await run.waitForState('awaiting_input');
    await run.type('sleep 1; echo done-1');
    await run.waitForState('working', 10_000, 1);
    await run.waitForState('awaiting_input', 10_000, 2);
    await run.type('sleep 30');
    const stalled = await run.waitForState('stalled', 15_000);
    expect(stalled.reason).toMatch(/no progress on screen for \d+ s/);
    const afterStall = run.events().length;
    run.keys('\u0003');
    // bash echoes ^C (output: working for a moment), then prints its prompt again.
    await run.waitForState('awaiting_input', 10_000, afterStall);
    await run.type('exit 7');
    expect(await run.waitForExit()).toBe(7);
    const last = run.events().at(-1);
    expect(last).toMatchObject({ state: 'exited', exitCode: 7, agent: 'shell' });
  });
});

// Aider's prompts as its source prints them: "> " input prompt, "Waiting for <model>" while it works, and
// "(Y)es/(N)o [Yes]:" questions.
const aiderLike = `
const out = (s) => process.stdout.write(s);
const prompt = () => out('\\n> ');
out('Aider v0.86.1\\nModel: fake with diff edit format\\n');
prompt();
let buf = '';
process.stdin.setRawMode(true);
process.stdin.on('data', (d) => {
  for (const ch of d.toString()) {
    if (ch === '\\u0003') process.exit(130);
    if (ch !== '\\r') { buf += ch; out(ch); continue; }
    const line = buf.trim(); buf = ''; out('\\n');
    if (line === '/run') {
      out('Waiting for fake-model\\n');
      setTimeout(() => out('Run shell command? (Y)es/(N)o/(D)on\\'t ask again [Yes]: '), 800);
    } else if (line === 'y') { out('Running touch aider.txt\\n'); prompt(); }
    else if (line === '/exit') process.exit(0);
    else prompt();
  }
});
`;

describe('fleet watch with an Aider-like program', () => {
  it('reports working, the approval question with its options, and idle after the answer', async () => {
    const run = watch([process.execPath, 'aider-like.cjs'], { agent: 'aider' });
    writeFileSync(path.join(run.dir, 'aider-like.cjs'), aiderLike);
    await sleep(0);
    await run.waitForState('awaiting_input', 20_000);
    await run.type('/run');
    const approval = await run.waitForState('awaiting_approval', 10_000);
    expect(approval.evidence.join('\n')).toContain('(Y)es/(N)o');
    expect(run.states()).toContain('working');
    await run.type('y');
    await run.waitForState('awaiting_input', 10_000, run.states().indexOf('awaiting_approval'));
    await run.type('/exit');
    expect(await run.waitForExit()).toBe(0);
  });
});
