import { afterEach, describe, expect, it } from 'vitest';
import { RealAgent } from './realAgents';

// The real Claude Code 2.1.329 (native binary) under `fleet watch`, against the fake Messages API.
let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function claude(options?: { stallTimeout?: number; retries?: number }): Promise<RealAgent> {
  agent = await RealAgent.start('claude', options);
  await agent.settled('awaiting_input');
  return agent;
}

describe('fleet watch -- claude (real Claude Code)', () => {
  it('working while it answers slowly, then awaiting_input', async () => {
    const a = await claude();
    const start = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, start);
    await a.run.waitForState('awaiting_input', 60_000, start + 1);
    expect(a.run.screen()).toContain('Finished the slow answer');
  });

  it('a Bash command needing approval: awaiting_approval; approving runs it and it idles again', async () => {
    const a = await claude();
    const start = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    const approval = await a.run.waitForState('awaiting_approval', 30_000, start);
    expect(approval.evidence.join('\n')).toMatch(/Do you want to proceed\?|Bash command/);
    expect(approval.approval?.options.length).toBeGreaterThanOrEqual(2);
    // Claude Code takes keys once the prompt has finished drawing; "1" is the profile's approve key.
    await a.settled('awaiting_approval', 1500);
    const answered = a.run.events().length;
    a.run.keys('1');
    await a.run.waitForState('awaiting_input', 30_000, answered);
    expect(a.run.screen()).toContain('The command ran. Done.');
  });
});
