import { afterEach, describe, expect, it } from 'vitest';
import { RealAgent } from './realAgents';

// The real Claude Code 2.1.329 (native binary) and Gemini CLI 0.61.0 (Node) under `fleet watch`, against the
// fake Messages and streamGenerateContent APIs: working, an approval answered, idle. From the screen alone
// (`--no-hooks`): claudeHooks.test.ts covers Claude Code's hooks.
const agents = [
  { kind: 'claude' as const, name: 'Claude Code', approvalEvidence: /Do you want to proceed\?|Bash command/ },
  { kind: 'gemini' as const, name: 'Gemini CLI', approvalEvidence: /Allow execution of|Action Required/ },
];

let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

describe.each(agents)('fleet watch -- $kind (real $name)', ({ kind, approvalEvidence }) => {
  async function start(): Promise<RealAgent> {
    agent = await RealAgent.start(kind, { hooks: false });
    await agent.settled('awaiting_input');
    return agent;
  }

  it('working while it answers slowly, then awaiting_input', async () => {
    const a = await start();
    const from = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, from);
    await a.run.waitForState('awaiting_input', 60_000, from + 1);
    expect(a.run.screen()).toContain('Finished the slow answer');
  });

  it('a shell command needing approval: awaiting_approval; approving runs it and it idles again', async () => {
    const a = await start();
    const from = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    // The prompt is drawn over a few frames; wait for the event that carries its options.
    const approval = await a.run.waitFor(
      (e, i) => i >= from && e.state === 'awaiting_approval' && (e.approval?.options.length ?? 0) >= 2,
      'an approval with its options',
      30_000,
    );
    expect(approval.evidence.join('\n')).toMatch(approvalEvidence);
    expect(approval.approval?.options.length).toBeGreaterThanOrEqual(2);
    // Both take keys once the prompt has finished drawing; "1" is each profile's approve key.
    await a.settled('awaiting_approval', 1500);
    const answered = a.run.events().length;
    a.run.keys('1');
    await a.run.waitForState('awaiting_input', 30_000, answered);
    expect(a.run.screen()).toContain('The command ran. Done.');
  });
});
