import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareCodex } from '../fixtures/agents-env/index.mjs';
import { startFakeModel } from '../fixtures/fake-model/server.mjs';
import { WatchRun, cli } from './harness';
import { RealAgent } from './realAgents';

// The real Codex 0.169.0 under `fleet watch`, its config.toml naming `fleet hook` as its notify program the way
// docs/agent-hooks.md tells users to (FleetAI's codex profile adds no `-c`, which would turn the daemon off).

let agent: RealAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function startWithNotify(): Promise<RealAgent> {
  const a = new RealAgent();
  agent = a;
  a.server = await startFakeModel();
  const root = path.join(process.cwd(), 'test-results/agents-env');
  mkdirSync(root, { recursive: true });
  a.workdir = path.join(root, `codex-notify-ws-${process.pid}-${Date.now()}`);
  a.spec = prepareCodex({ baseUrl: a.server.url, workdir: a.workdir, root });
  // `fleet` on the agent's PATH, as an installed FleetAI CLI would be.
  const bin = path.join(a.spec.dir, 'bin');
  mkdirSync(bin);
  symlinkSync(cli, path.join(bin, 'fleet'));
  a.spec.env.PATH = `${bin}${path.delimiter}${a.spec.env.PATH ?? ''}`;
  // A workspace that uses FleetAI: `fleet watch` writes its application log there.
  mkdirSync(path.join(a.workdir, '.fleetai'), { recursive: true });
  const config = path.join(a.spec.codexHome ?? '', 'config.toml');
  writeFileSync(config, `notify = ["fleet", "hook"]\n${readFileSync(config, 'utf8')}`);
  a.run = new WatchRun([a.spec.command, ...a.spec.args], {
    cwd: a.workdir,
    env: a.spec.env,
    replaceEnv: true,
  });
  // Codex ignores Enter until its session has started, which includes starting its daemon (slow on a busy
  // machine): wait for the daemon's socket, then for a calm composer.
  const end = Date.now() + 90_000;
  while (!existsSync(daemonSocket(a))) {
    if (Date.now() > end) throw new Error(`Codex started no daemon:\n${a.run.screen()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await a.settled('awaiting_input', 3000);
  return a;
}

function daemonSocket(a: RealAgent): string {
  return path.join(a.spec.codexHome ?? '', 'app-server-control/app-server-control.sock');
}

interface LogLine {
  category: string;
  event: string;
  context?: Record<string, unknown>;
}

function hookLines(a: RealAgent): LogLine[] {
  const file = path.join(a.workdir, '.fleetai/logs/app.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.category === 'hooks');
}

describe('fleet watch -- codex (real Codex) with notify = ["fleet", "hook"]', () => {
  it('the turn-complete notification reaches the pane; the hidden title turn is ignored; the daemon runs', async () => {
    const a = await startWithNotify();
    expect(hookLines(a).find((l) => l.event === 'hook.codex.notify')?.context).toMatchObject({
      notify: 'fleet',
    });
    const from = a.run.events().length;
    await a.run.type('fake:slow Write slowly.');
    await a.run.waitForState('working', 30_000, from);
    const idle = await a.run.waitForState('awaiting_input', 90_000, from + 1);
    // Whichever said it first (the notify, or the app-server protocol FleetAI also follows), one clean turn:
    // Codex completes its session-title turn about a second into the slow one, and that is not the end.
    expect(a.run.states().slice(from)).toEqual(['working', 'awaiting_input']);
    expect(idle.reason).toMatch(/^Codex notify agent-turn-complete|^app-server turn\/completed/);
    const end = Date.now() + 10_000;
    let received: LogLine[] = [];
    while (Date.now() < end) {
      received = hookLines(a).filter((l) => l.event === 'hook.received');
      if (received.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const pane = idle.pane;
    expect(received.map((l) => l.context)).toEqual([
      {
        pane,
        agent: 'codex',
        event: 'agent-turn-complete',
        outcome: 'ignore',
        why: expect.stringMatching(/title/) as string,
      },
      { pane, agent: 'codex', event: 'agent-turn-complete', outcome: 'report', state: 'awaiting_input' },
    ]);
    // notify comes from config.toml, so Codex still runs its shared app-server daemon.
    expect(existsSync(daemonSocket(a))).toBe(true);
  });
});
