import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startedPids } from '../fixtures/agents-env/index.mjs';
import { RealAgent } from './realAgents';

// The real Claude Code 2.1.329 under `fleet watch` with FleetAI's hooks (its profile injects them with
// `--settings <file>`), against the fake Messages API: the hook events reach the pane's tracker through
// `fleet hook` and the listener, and outrank the screen.

let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function start(): Promise<RealAgent> {
  agent = await RealAgent.start('claude');
  await agent.settled('awaiting_input');
  return agent;
}

/** What FleetAI gave the running Claude Code: its command line and its hook variables. */
function claudeProcess(a: RealAgent): { args: string[]; env: Record<string, string> } {
  for (const pid of startedPids(a.spec)) {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (!args.includes('--settings')) continue;
    const env = Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { args, env };
  }
  throw new Error(`no Claude Code process with --settings among ${startedPids(a.spec).join(', ')}`);
}

describe('fleet watch -- claude (real Claude Code) with hooks', () => {
  it('is started with its hooks in a settings file of its own, the user settings untouched', async () => {
    const a = await start();
    const { args, env } = claudeProcess(a);
    const settingsFile = args[args.indexOf('--settings') + 1] ?? '';
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as { hooks: Record<string, unknown> };
    expect(Object.keys(settings.hooks)).toContain('PermissionRequest');
    // The sender's own small bundle beside the CLI (dist/hook.js): what Claude Code runs at every event.
    expect(JSON.stringify(settings)).toContain(path.resolve('dist/hook.js'));
    expect(JSON.stringify(settings)).not.toContain('cli.js hook');
    expect(env.FLEETAI_PANE).toMatch(/^watch-\d+$/);
    expect(env.FLEETAI_HOOK_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(env.FLEETAI_HOOK_SOCKET ?? '')).toBe(true);
    // The isolated user settings still say only what the test environment wrote.
    expect(JSON.parse(readFileSync(path.join(a.spec.configDir ?? '', 'settings.json'), 'utf8'))).toEqual({
      permissions: { defaultMode: 'default' },
    });
  });

  it('a turn: working, then awaiting_input from the Stop hook', async () => {
    const a = await start();
    const from = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, from);
    const idle = await a.run.waitForState('awaiting_input', 60_000, from + 1);
    expect(idle.reason).toBe('Claude Code hook Stop: the turn finished');
    expect(idle.evidence).toEqual(['Stop', expect.stringMatching(/Finished the slow answer\.$/) as string]);
    expect(a.run.screen()).toContain('Finished the slow answer');
    // One clean turn: no flapping between the hooks and the screen.
    expect(a.run.states().slice(from)).toEqual(['working', 'awaiting_input']);
  });

  it('an approval: awaiting_approval from PermissionRequest, with the command from the hook payload', async () => {
    const a = await start();
    const from = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    const approval = await a.run.waitForState('awaiting_approval', 30_000, from);
    expect(approval.reason).toBe('Claude Code hook PermissionRequest: Bash needs permission');
    expect(approval.evidence).toEqual(['PermissionRequest', 'touch approved.txt']);
    expect(approval.approval).toEqual({
      kind: 'command',
      source: 'hook',
      command: 'touch approved.txt',
      reason: 'Create the file you asked for.',
      options: [
        { keys: '1', label: 'Yes' },
        { keys: '\u001b', label: 'No' },
      ],
    });
    // The screen shows the prompt too, and does not replace what the hook said.
    await a.settled('awaiting_approval', 2500);
    expect(a.run.screen()).toMatch(/Do you want to proceed\?/);
    const answered = a.run.events().length;
    a.run.keys(approval.approval?.options[0]?.keys ?? '');
    const idle = await a.run.waitForState('awaiting_input', 30_000, answered);
    expect(idle.reason).toBe('Claude Code hook Stop: the turn finished');
    expect(a.run.screen()).toContain('The command ran. Done.');
    expect(existsSync(path.join(a.workdir, 'approved.txt'))).toBe(true);
  });

  it('keeps working when the listener is gone: the hook exits 0 and the screen still tells the state', async () => {
    const a = await start();
    const { env } = claudeProcess(a);
    // What an agent sees once the FleetAI process that started it is gone: no socket to connect to.
    rmSync(env.FLEETAI_HOOK_SOCKET ?? '');
    const from = a.run.events().length;
    await a.run.type('fake:approval Create the file approved.txt.');
    const approval = await a.run.waitForState('awaiting_approval', 30_000, from);
    expect(approval.reason).toMatch(/matched the screen$/);
    // Claude Code takes keys once the prompt has finished drawing.
    await a.settled('awaiting_approval', 1500);
    a.run.keys('1');
    const idle = await a.run.waitForState('awaiting_input', 60_000, from + 1);
    expect(idle.reason).toMatch(/matched the (screen|terminal title)$/);
    expect(a.run.screen()).toContain('The command ran. Done.');
    // Claude Code prints "<event> hook failed" for a hook that exits with another code than 0.
    expect(a.run.screen()).not.toMatch(/hook failed|hook error/i);
  });
});
