import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HookListener, type HookPaneRegistration } from '../../../extension/core/agents/hooks/hookListener';
import { sendHook, trimPayload } from '../../../extension/core/agents/hooks/hookSender';
import { HOOK_MAX_MESSAGE_BYTES } from '../../../extension/core/agents/hooks/hookWire';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { StateTracker } from '../../../extension/core/panes/stateTracker';
import { claudeScenario, codexScenario } from './fixtures';

const matching = (re: RegExp): string => expect.stringMatching(re) as string;

let listener: HookListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

const options = [
  { keys: '1', label: 'Yes' },
  { keys: '\u001b', label: 'No' },
];

async function start(): Promise<{ l: HookListener; log: ReturnType<typeof createMemoryLog> }> {
  const log = createMemoryLog();
  listener = await HookListener.start({ log });
  return { l: listener, log };
}

function pane(l: HookListener, id: string, agent = 'claude', cwd = '/tmp'): { tracker: StateTracker } {
  const tracker = new StateTracker({ id, agent }, []);
  const registration: HookPaneRegistration = { id, agent, cwd, target: tracker, approvalOptions: options };
  l.register(registration);
  return { tracker };
}

/** Sends raw text the way any local client could, and returns the listener's answer. */
function raw(address: string, text: string | Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = net.createConnection(address, () => socket.end(text));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (reply += d));
    socket.on('end', () => resolve(JSON.parse(reply.split('\n')[0] ?? 'null')));
    socket.on('error', reject);
  });
}

const stop = claudeScenario('plain')[1]?.payload;
const permission = claudeScenario('approval-accept')[2]?.payload;

describe('HookListener', () => {
  it('routes a message with the pane token to the pane tracker', async () => {
    const { l, log } = await start();
    const { tracker } = pane(l, 'p1');
    const result = await sendHook({
      args: [],
      env: l.envFor('p1'),
      readStdin: () => Promise.resolve(JSON.stringify(permission)),
    });
    expect(result).toEqual({ sent: true, reply: { ok: true } });
    expect(tracker.state).toMatchObject({
      name: 'awaiting_approval',
      approval: { kind: 'command', source: 'hook', command: 'touch approved.txt', options },
    });
    expect(log.lines.find((line) => line.event === 'hook.received')).toMatchObject({
      level: 'info',
      context: { pane: 'p1', event: 'PermissionRequest', outcome: 'report', state: 'awaiting_approval' },
    });
  });

  it('refuses a message without the right token, logs it without the token, and leaves the pane alone', async () => {
    const { l, log } = await start();
    const { tracker } = pane(l, 'p1');
    pane(l, 'p2');
    const missing = await raw(l.address, `${JSON.stringify({ v: 1, pane: 'p1', payload: stop })}\n`);
    expect(missing).toEqual({
      ok: false,
      error: { code: 'E_HOOK_MESSAGE', message: matching(/^token: /) },
    });
    const forged = 'f'.repeat(64);
    const wrong = await raw(
      l.address,
      `${JSON.stringify({ v: 1, token: forged, pane: 'p1', payload: stop })}\n`,
    );
    expect(wrong).toEqual({
      ok: false,
      error: { code: 'E_HOOK_TOKEN', message: 'wrong token for pane "p1"' },
    });
    // Another pane's token does not speak for this one.
    const other = await raw(
      l.address,
      `${JSON.stringify({ v: 1, token: l.tokenFor('p2'), pane: 'p1', payload: stop })}\n`,
    );
    expect(other).toMatchObject({ ok: false, error: { code: 'E_HOOK_TOKEN' } });
    expect(tracker.state.name).toBe('starting');
    const refused = log.lines.filter((line) => line.event === 'hook.refused');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ level: 'warn', context: { pane: 'p1', code: 'E_HOOK_TOKEN' } });
    const logged = JSON.stringify(log.lines);
    expect(logged).not.toContain(forged);
    expect(logged).not.toContain(l.tokenFor('p1'));
    expect(logged).not.toContain(l.tokenFor('p2'));
  });

  it('says what is wrong with a malformed message, naming the field, and keeps serving', async () => {
    const { l, log } = await start();
    const { tracker } = pane(l, 'p1');
    expect(await raw(l.address, '{"v":1,"token":\n')).toEqual({
      ok: false,
      error: { code: 'E_HOOK_MESSAGE', message: matching(/^not JSON: /) },
    });
    const token = l.tokenFor('p1');
    const badField = { ...permission, tool_input: 'touch x' };
    expect(
      await raw(l.address, `${JSON.stringify({ v: 1, token, pane: 'p1', payload: badField })}\n`),
    ).toEqual({
      ok: false,
      error: { code: 'E_HOOK_MESSAGE', message: matching(/^payload\.tool_input: /) },
    });
    expect(
      await raw(l.address, `${JSON.stringify({ v: 2, token, pane: 'p1', payload: stop })}\n`),
    ).toMatchObject({
      ok: false,
      error: { code: 'E_HOOK_MESSAGE', message: matching(/^v: /) },
    });
    expect(
      await raw(
        l.address,
        `${JSON.stringify({ v: 1, token: l.tokenFor('p9'), pane: 'p9', payload: stop })}\n`,
      ),
    ).toEqual({ ok: false, error: { code: 'E_HOOK_PANE', message: 'no pane "p9" in this FleetAI process' } });
    expect(await raw(l.address, Buffer.alloc(HOOK_MAX_MESSAGE_BYTES + 10, 'x'))).toMatchObject({
      ok: false,
      error: { code: 'E_HOOK_MESSAGE', message: matching(/larger than/) },
    });
    expect(log.lines.filter((line) => line.event === 'hook.invalid').map((line) => line.level)).toEqual([
      'warn',
      'warn',
      'warn',
      'warn',
      'warn',
    ]);
    expect(tracker.state.name).toBe('starting');
    // Still serving.
    expect(
      await sendHook({
        args: [],
        env: l.envFor('p1'),
        readStdin: () => Promise.resolve(JSON.stringify(stop)),
      }),
    ).toEqual({
      sent: true,
      reply: { ok: true },
    });
    expect(tracker.state).toMatchObject({
      name: 'awaiting_input',
      reason: 'Claude Code hook Stop: the turn finished',
    });
  });

  it("routes Codex's notify by folder: its daemon carries the environment of the pane that started it", async () => {
    const { l } = await start();
    const a = pane(l, 'p1', 'codex', '/tmp');
    const b = pane(l, 'p2', 'codex', '/');
    const turn = codexScenario('approval-accept').notifications[0]?.payload;
    // The daemon was started by p1's Codex, so every notify says p1; this turn ran in p2's folder.
    const env = l.envFor('p1');
    expect(await sendHook({ args: ['hook', JSON.stringify({ ...turn, cwd: '/' })], env })).toEqual({
      sent: true,
      reply: { ok: true },
    });
    expect(a.tracker.state.name).toBe('starting');
    expect(b.tracker.state).toMatchObject({
      name: 'awaiting_input',
      reason: matching(/agent-turn-complete/),
    });
    // Two Codex panes in one folder: no way to tell which, so neither is told.
    pane(l, 'p3', 'codex', '/');
    expect(await sendHook({ args: ['hook', JSON.stringify({ ...turn, cwd: '/' })], env })).toMatchObject({
      sent: true,
      reply: { ok: false, error: { code: 'E_HOOK_PANE' } },
    });
  });

  it('close ends the listener and removes its folder; the sender then just gives up', async () => {
    const { l } = await start();
    pane(l, 'p1');
    const env = l.envFor('p1');
    await l.close();
    expect(existsSync(l.dir)).toBe(false);
    const started = Date.now();
    expect(await sendHook({ args: [], env, readStdin: () => Promise.resolve(JSON.stringify(stop)) })).toEqual(
      {
        sent: false,
        why: 'listener-gone',
      },
    );
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('sendHook', () => {
  it('does nothing without the environment FleetAI sets, or without a payload', async () => {
    expect(await sendHook({ args: [], env: {}, readStdin: () => Promise.resolve('{}') })).toEqual({
      sent: false,
      why: 'no-env',
    });
    const env = { FLEETAI_HOOK_SOCKET: '/nonexistent', FLEETAI_HOOK_TOKEN: 't', FLEETAI_PANE: 'p1' };
    expect(await sendHook({ args: [], env, readStdin: () => Promise.resolve(undefined) })).toEqual({
      sent: false,
      why: 'no-payload',
    });
    const warnings: string[] = [];
    expect(
      await sendHook({
        args: [],
        env,
        readStdin: () => Promise.resolve('nope'),
        warn: (w) => warnings.push(w),
      }),
    ).toEqual({
      sent: false,
      why: 'not-json',
    });
    expect(warnings).toEqual(['fleet hook: the hook payload is not JSON (4 characters), not sent']);
  });

  it('drops tool output and cuts long strings before sending', () => {
    const post = claudeScenario('approval-accept')[4]?.payload;
    expect(post?.tool_response).toBeDefined();
    const trimmed = trimPayload({ ...post, tool_input: { content: 'x'.repeat(10_000) } }) as Record<
      string,
      unknown
    >;
    expect(trimmed.tool_response).toBeUndefined();
    expect((trimmed.tool_input as { content: string }).content).toHaveLength(4000);
    expect(trimmed.hook_event_name).toBe('PostToolUse');
  });
});
