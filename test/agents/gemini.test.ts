import { afterEach, describe, expect, it } from 'vitest';
import { RealAgent } from './realAgents';

// The real Gemini CLI 0.61.0 (Node) under `fleet watch`, against the fake streamGenerateContent API.
let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function gemini(options?: { stallTimeout?: number; retries?: number }): Promise<RealAgent> {
  agent = await RealAgent.start('gemini', options);
  await agent.settled('awaiting_input');
  return agent;
}

describe('fleet watch -- gemini (real Gemini CLI)', () => {
  it('working while it answers slowly, then awaiting_input', async () => {
    const a = await gemini();
    const start = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, start);
    await a.run.waitForState('awaiting_input', 60_000, start + 1);
    expect(a.run.screen()).toContain('Finished the slow answer');
  });

  it('a shell command needing approval: awaiting_approval; approving runs it and it idles again', async () => {
    const a = await gemini();
    const start = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    // The box is drawn over a few frames; wait for the event that carries its options.
    const approval = await a.run.waitFor(
      (e, i) => i >= start && e.state === 'awaiting_approval' && (e.approval?.options.length ?? 0) >= 2,
      'an approval with its options',
      30_000,
    );
    expect(approval.evidence.join('\n')).toMatch(/Allow execution of|Action Required/);
    expect(approval.approval?.options.length).toBeGreaterThanOrEqual(2);
    // Gemini takes keys once the prompt has finished drawing; "1" is the profile's approve key.
    await a.settled('awaiting_approval', 1500);
    const answered = a.run.events().length;
    a.run.keys('1');
    await a.run.waitForState('awaiting_input', 30_000, answered);
    expect(a.run.screen()).toContain('The command ran. Done.');
  });
});
