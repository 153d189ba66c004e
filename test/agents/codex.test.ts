import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealAgent } from './realAgents';

// The real Codex CLI 0.169.0 (its native TUI) under `fleet watch`, against the fake Responses API. Each
// scripted behaviour must end in the right state within the configured stall timeout.
let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function codex(options?: { stallTimeout?: number; retries?: number }): Promise<RealAgent> {
  agent = await RealAgent.start('codex', options);
  // Codex ignores Enter until its session has started, which includes starting its app-server daemon (slow on
  // a busy machine): a person types when the composer has settled; the test waits for the daemon's socket too.
  const socket = path.join(agent.spec.codexHome ?? '', 'app-server-control/app-server-control.sock');
  const end = Date.now() + 60_000;
  while (!existsSync(socket)) {
    if (Date.now() > end) throw new Error(`Codex started no daemon:\n${agent.run.screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await agent.settled('awaiting_input');
  return agent;
}

describe('fleet watch -- codex (real Codex CLI)', () => {
  it('plain answer: working, then awaiting_input when the turn ends', async () => {
    const a = await codex();
    const start = a.run.events().length;
    await a.run.type('fake:plain Say hello.');
    await a.run.waitForState('working', 30_000, start);
    const idle = await a.run.waitForState('awaiting_input', 30_000, start + 1);
    expect(a.run.screen()).toContain('Hello from the fake model');
    expect(idle.agent).toBe('codex');
  });

  it('slow streaming stays working (not stalled) while text arrives, then idles', async () => {
    const a = await codex({ stallTimeout: 6 });
    const start = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, start);
    await a.run.waitForState('awaiting_input', 60_000, start + 1);
    const states = a.run.states().slice(start);
    expect(states).not.toContain('stalled');
    expect(states).not.toContain('error');
  });

  it('a command needing approval: awaiting_approval with the command; approving runs it', async () => {
    const a = await codex();
    const start = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    // The prompt is drawn over a few frames; the event that carries the parsed command may be the second one.
    const approval = await a.run.waitFor(
      (e, i) => i >= start && e.state === 'awaiting_approval' && e.approval?.command !== undefined,
      'an approval with its command',
      30_000,
    );
    expect(approval.approval?.command).toBe('touch approved.txt');
    expect(approval.approval?.options.map((o) => o.keys)).toEqual(['y', 'p', '\u001b']);
    a.run.keys('y');
    const answered = a.run.events().length;
    await a.run.waitForState('awaiting_input', 30_000, answered);
    expect(a.run.screen(), a.run.states().join(' > ')).toContain('The command ran. Done.');
    expect(existsSync(path.join(a.workdir, 'approved.txt'))).toBe(true);
  });

  it('a stream that never ends: working, then stalled after the stall timeout', async () => {
    const a = await codex({ stallTimeout: 5 });
    const start = a.run.events().length;
    await a.run.type('fake:stall This never ends.');
    const working = await a.run.waitForState('working', 30_000, start);
    const stalled = await a.run.waitForState('stalled', 20_000, start + 1);
    const waited = Date.parse(stalled.ts) - Date.parse(working.ts);
    expect(waited).toBeGreaterThanOrEqual(5000);
    expect(waited).toBeLessThan(12_000);
  });

  it('HTTP 500: ends in error of class server', async () => {
    const a = await codex({ retries: 1 });
    const start = a.run.events().length;
    await a.run.type('fake:http500 Fail.');
    const error = await a.run.waitFor(
      (e, i) => i >= start && e.state === 'error' && e.error?.retrying === false,
      'a final error',
      60_000,
    );
    expect(error.error?.class).toBe('server');
  });

  it('HTTP 429: ends in error of class rate_limit', async () => {
    const a = await codex({ retries: 1 });
    const start = a.run.events().length;
    await a.run.type('fake:http429 Too many.');
    const error = await a.run.waitFor(
      (e, i) => i >= start && e.state === 'error' && e.error?.retrying === false,
      'a final error',
      60_000,
    );
    expect(error.error?.class).toBe('rate_limit');
  });

  it('the process exiting: exited with its exit code', async () => {
    const a = await codex();
    // Ctrl-C on an empty composer quits Codex.
    a.run.keys('\u0003');
    const exited = await a.run.waitForState('exited', 30_000);
    expect(typeof exited.exitCode).toBe('number');
    expect(await a.run.waitForExit()).toBe(exited.exitCode);
  });
});
