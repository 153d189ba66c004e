import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../../extension/cli/program';
import { HookListener } from '../../../extension/core/agents/hooks/hookListener';
import {
  CLAUDE_HOOK_EVENTS,
  PaneHooks,
  codexNotifySetting,
  hookShellCommand,
  type HookProgram,
} from '../../../extension/core/agents/hooks/paneHooks';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { StateTracker } from '../../../extension/core/panes/stateTracker';
import { useTempDirs } from '../helpers';
import { claudeScenario } from './fixtures';

const matching = (re: RegExp): string => expect.stringMatching(re) as string;

const tempDir = useTempDirs();
const program: HookProgram = { node: '/usr/bin/node', cli: '/opt/fleet ai/dist/cli.js', electron: false };
const approval = { approve: '1', deny: '\u001b' };
let hooks: PaneHooks | undefined;
afterEach(async () => {
  await hooks?.close();
  hooks = undefined;
});

function paneHooks(): { hooks: PaneHooks; log: ReturnType<typeof createMemoryLog> } {
  const log = createMemoryLog();
  hooks = new PaneHooks({ log, cli: program.cli, program });
  return { hooks, log };
}

describe('PaneHooks', () => {
  it('Claude Code: --settings with a file in a private folder that runs `fleet hook` for every mapped event', async () => {
    const { hooks } = paneHooks();
    const launch = await hooks.prepare({
      id: 'p1',
      kind: 'claude',
      cwd: '/w',
      hooks: { via: 'claude-settings', inject: true },
      approval,
      args: ['--model', 'x'],
      env: {},
    });
    expect(launch?.args.slice(0, 3)).toEqual(['--model', 'x', '--settings']);
    const file = launch?.args[3] ?? '';
    expect(path.basename(file)).toBe('claude-settings.json');
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const settings = JSON.parse(readFileSync(file, 'utf8')) as { hooks: Record<string, unknown> };
    expect(Object.keys(settings.hooks)).toEqual([...CLAUDE_HOOK_EVENTS]);
    expect(settings.hooks.Stop).toEqual([
      {
        hooks: [{ type: 'command', command: "/usr/bin/node '/opt/fleet ai/dist/cli.js' hook", timeout: 10 }],
      },
    ]);
    expect(launch?.env).toEqual({
      FLEETAI_HOOK_SOCKET: matching(/fleetai-hooks-.*hooks\.sock$/),
      FLEETAI_HOOK_TOKEN: matching(/^[0-9a-f]{64}$/),
      FLEETAI_PANE: 'p1',
    });
  });

  it('binds the pane: its events reach the tracker with the profile keys as options, until the pane ends', async () => {
    const { hooks } = paneHooks();
    const launch = await hooks.prepare({
      id: 'p1',
      kind: 'claude',
      cwd: '/w',
      hooks: { via: 'claude-settings', inject: true },
      approval,
      args: [],
      env: {},
    });
    const tracker = new StateTracker({ id: 'p1', agent: 'claude' }, []);
    const attached: { dispose(): void }[] = [];
    launch?.bind({ tracker, attach: (d) => attached.push(d) });
    const { sendHook } = await import('../../../extension/core/agents/hooks/hookSender');
    const permission = claudeScenario('approval-accept')[2]?.payload;
    const env = launch?.env ?? {};
    await sendHook({ args: [], env, readStdin: () => Promise.resolve(JSON.stringify(permission)) });
    expect(tracker.state.approval).toEqual({
      kind: 'command',
      source: 'hook',
      command: 'touch approved.txt',
      reason: 'Create the file you asked for.',
      options: [
        { keys: '1', label: 'Yes' },
        { keys: '\u001b', label: 'No' },
      ],
    });
    attached.forEach((d) => d.dispose());
    const after = await sendHook({
      args: [],
      env,
      readStdin: () => Promise.resolve(JSON.stringify(permission)),
    });
    expect(after).toMatchObject({ sent: true, reply: { ok: false, error: { code: 'E_HOOK_PANE' } } });
  });

  it("keeps a user's own --settings, and puts its flag before a `--`", async () => {
    const { hooks, log } = paneHooks();
    const request = {
      id: 'p1',
      kind: 'claude',
      cwd: '/w',
      hooks: { via: 'claude-settings' as const, inject: true },
      approval,
      env: {},
    };
    expect((await hooks.prepare({ ...request, args: ['--settings', 'mine.json'] }))?.args).toEqual([
      '--settings',
      'mine.json',
    ]);
    expect(log.lines.some((l) => l.event === 'hook.inject.skipped')).toBe(true);
    const args = (await hooks.prepare({ ...request, args: ['-p', '--', 'hello'] }))?.args;
    expect(args?.slice(0, 2)).toEqual(['-p', '--settings']);
    expect(args?.slice(-2)).toEqual(['--', 'hello']);
  });

  it('Codex: no -c unless the profile asks (it would turn off the daemon); the log says what config.toml has', async () => {
    const { hooks, log } = paneHooks();
    const home = tempDir();
    writeFileSync(path.join(home, 'config.toml'), 'notify = ["fleet", "hook"]\nmodel = "x"\n');
    const request = {
      id: 'p1',
      kind: 'codex',
      cwd: '/w',
      approval: null,
      args: [],
      env: { CODEX_HOME: home },
    };
    const plain = await hooks.prepare({ ...request, hooks: { via: 'codex-notify', inject: false } });
    expect(plain?.args).toEqual([]);
    expect(plain?.env.FLEETAI_PANE).toBe('p1');
    expect(log.lines.find((l) => l.event === 'hook.codex.notify')?.context).toEqual({
      pane: 'p1',
      config: path.join(home, 'config.toml'),
      notify: 'fleet',
    });
    const injected = await hooks.prepare({ ...request, hooks: { via: 'codex-notify', inject: true } });
    expect(injected?.args).toEqual(['-c', 'notify=["/usr/bin/node","/opt/fleet ai/dist/cli.js","hook"]']);
  });

  it('no hooks in the profile: nothing to do', async () => {
    const { hooks } = paneHooks();
    expect(
      await hooks.prepare({
        id: 'p1',
        kind: 'shell',
        cwd: '/w',
        hooks: null,
        approval: null,
        args: [],
        env: {},
      }),
    ).toBeUndefined();
  });
});

describe('codexNotifySetting', () => {
  it.each([
    ['notify = ["fleet", "hook"]', 'fleet'],
    ["notify = [\n  'node',\n  '/x/dist/cli.js',\n  'hook',\n]\n", 'fleet'],
    ['notify = ["C:\\\\tools\\\\fleet.cmd", "hook"]', 'fleet'],
    ['notify = ["notify-send", "Codex"]', 'other'],
    ['notify = ["fleet", "watch"]', 'other'],
    ['model = "x"\n[tui]\nnotify = ["fleet", "hook"]', 'none'],
    ['model = "x"', 'none'],
  ])('%j -> %s', (toml, expected) => {
    expect(codexNotifySetting(toml)).toBe(expected);
  });
});

describe('hookShellCommand', () => {
  it('quotes for the shell, and runs Electron as Node inside VS Code', () => {
    expect(hookShellCommand({ node: '/usr/bin/node', cli: "/a'b/cli.js", electron: false }, 'linux')).toBe(
      "/usr/bin/node '/a'\\''b/cli.js' hook",
    );
    expect(
      hookShellCommand({ node: '/usr/share/code/code', cli: '/x/cli.js', electron: true }, 'linux'),
    ).toBe('ELECTRON_RUN_AS_NODE=1 /usr/share/code/code /x/cli.js hook');
    expect(
      hookShellCommand({ node: 'C:\\node\\node.exe', cli: 'C:\\x\\cli.js', electron: false }, 'win32'),
    ).toBe('"C:\\node\\node.exe" "C:\\x\\cli.js" hook');
  });
});

describe('fleet hook', () => {
  const saved: Record<string, string | undefined> = {};
  const names = ['FLEETAI_HOOK_SOCKET', 'FLEETAI_HOOK_TOKEN', 'FLEETAI_PANE'];
  let savedExitCode: typeof process.exitCode;
  beforeEach(() => {
    savedExitCode = process.exitCode;
    for (const n of names) saved[n] = process.env[n];
  });
  afterEach(() => {
    process.exitCode = savedExitCode;
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  async function run(...args: string[]): Promise<{ out: string; err: string }> {
    let out = '';
    let err = '';
    await createProgram({ out: (t) => (out += t), err: (t) => (err += t) }).parseAsync(args, {
      from: 'user',
    });
    return { out, err };
  }

  it("sends Codex's notify argument to the listener, prints nothing and exits 0", async () => {
    const log = createMemoryLog();
    const listener = await HookListener.start({ log });
    try {
      const tracker = new StateTracker({ id: 'p1', agent: 'codex' }, []);
      listener.register({ id: 'p1', agent: 'codex', cwd: '/w', target: tracker, approvalOptions: [] });
      Object.assign(process.env, listener.envFor('p1'));
      const turn = { type: 'agent-turn-complete', 'thread-id': 't', 'turn-id': 'u', cwd: '/w' };
      expect(await run('hook', JSON.stringify(turn))).toEqual({ out: '', err: '' });
      expect(process.exitCode).toBe(0);
      expect(tracker.state.name).toBe('awaiting_input');
      // Refused (wrong token): still exit 0, one line on stderr, none on stdout.
      process.env.FLEETAI_HOOK_TOKEN = 'nope';
      const refused = await run('hook', JSON.stringify(turn));
      expect(refused.out).toBe('');
      expect(refused.err).toMatch(/^fleet hook: FleetAI refused the event: E_HOOK_TOKEN/);
      expect(process.exitCode).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('exits 0 when FleetAI is gone', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'x'));
    Object.assign(process.env, {
      FLEETAI_HOOK_SOCKET: path.join(dir, 'x', 'gone.sock'),
      FLEETAI_HOOK_TOKEN: 't',
      FLEETAI_PANE: 'p1',
    });
    expect(await run('hook', '{"type":"agent-turn-complete"}')).toEqual({ out: '', err: '' });
    expect(process.exitCode).toBe(0);
  });
});

describe('hookProgram', () => {
  it('runs the small sender bundle (hook.js) when it sits beside the CLI, the CLI with "hook" otherwise', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { hookProgram, hookArgv } = await import('../../../extension/core/agents/hooks/paneHooks');
    const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-hookprog-'));
    try {
      const cli = path.join(dir, 'cli.js');
      writeFileSync(cli, '');
      expect(hookArgv(hookProgram(cli)).slice(1)).toEqual([cli, 'hook']);
      writeFileSync(path.join(dir, 'hook.js'), '');
      expect(hookArgv(hookProgram(cli)).slice(1)).toEqual([path.join(dir, 'hook.js')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
