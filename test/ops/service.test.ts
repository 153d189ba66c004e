import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoRoot, until } from './opsTools';

/**
 * `fleet service:install --user` checked by systemd's own verifier, and the sd_notify protocol of the real built
 * `fleet orchestrator` (dist/cli.js) read from a real unix datagram socket, the way systemd reads it: python3
 * binds the socket (node has no unix datagram sockets), the supervisor sends through the real systemd-notify.
 * systemd-analyze, systemd-notify and python3 come from test/scripts/install-system-deps.sh --ops; a missing
 * one fails. No systemd user manager runs in this container or on CI (`systemctl --user` finds no bus), so the
 * unit is not started under systemd-run here: the socket below stands in for the manager's.
 */
function requireProgram(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const file = found.stdout.trim();
  if (found.status !== 0 || !file) {
    throw new Error(`${name} is not installed: run bash test/scripts/install-system-deps.sh --ops`);
  }
  return file;
}

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-service-'));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run package first`);
});

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A workspace whose folder name has what a unit must escape: a space, %, $, quotes, a backslash. */
function workspace(name: string, config: Record<string, unknown>): string {
  const ws = path.join(dir, name);
  mkdirSync(path.join(ws, '.fleetai'), { recursive: true });
  writeFileSync(path.join(ws, '.fleetai/orchestrator.json'), JSON.stringify(config));
  return ws;
}

describe('the systemd user unit', () => {
  it('passes systemd-analyze verify, and the verifier does catch a broken unit', () => {
    const analyze = requireProgram('systemd-analyze');
    const ws = workspace('my ws 50%$HOME "q" \\x', { heartbeat_seconds: 20 });
    const runtime = path.join(dir, 'runtime');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const env = {
      ...process.env,
      HOME: path.join(dir, 'home'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      // The verifier builds a user manager in memory, which needs a runtime folder; no manager is contacted.
      XDG_RUNTIME_DIR: runtime,
    };
    const installed = spawnSync(
      process.execPath,
      [cli, 'service:install', '--user', '--name', 'verify-me', '--workspace', ws],
      { encoding: 'utf8', env, cwd: repoRoot },
    );
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    const file = path.join(dir, 'config/systemd/user/fleetai-verify-me.service');
    const unit = readFileSync(file, 'utf8');
    expect(unit).toContain('WatchdogSec=60\n');
    expect(unit).toContain(
      `ExecStart=${process.execPath} ${path.join(repoRoot, 'dist/cli.js')} orchestrator`,
    );

    const verify = (unitFile: string): { code: number | null; output: string } => {
      const result = spawnSync(analyze, ['--user', 'verify', unitFile], { encoding: 'utf8', env });
      return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
    };
    // systemd-analyze exits 0 on unknown keys and bad values, printing them: nothing printed is the pass.
    expect(verify(file)).toEqual({ code: 0, output: '' });

    const broken = path.join(dir, 'config/systemd/user/fleetai-broken.service');
    writeFileSync(broken, unit.replace('WatchdogSec=60', 'WatchdogSec=soon\nRestartEvery=5'));
    const caught = verify(broken);
    expect(caught.output).toContain("Unknown key 'RestartEvery'");
    expect(caught.output).toContain('soon');
  });
});

describe('fleet orchestrator under Type=notify', () => {
  it('sends READY=1, then WATCHDOG=1 every heartbeat, then STOPPING=1 on SIGTERM; agents do not get NOTIFY_SOCKET', async () => {
    requireProgram('systemd-notify');
    const python = requireProgram('python3');
    const socket = path.join(dir, 'notify.sock');
    const listener = path.join(dir, 'listen.py');
    // What the service manager does with the socket: read each datagram, close the fds a BARRIER=1 passes (which
    // is how systemd-notify learns the message was read).
    writeFileSync(
      listener,
      [
        'import array, json, os, socket, sys',
        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
        's.bind(sys.argv[1])',
        'print(json.dumps("LISTENING"), flush=True)',
        'while True:',
        '    data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64))',
        '    for level, kind, payload in anc:',
        '        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:',
        '            fds = array.array("i")',
        '            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])',
        '            for fd in fds: os.close(fd)',
        '    print(json.dumps(data.decode()), flush=True)',
      ].join('\n'),
    );
    const messages: string[] = [];
    const manager = spawn(python, [listener, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(manager);
    let buffered = '';
    manager.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) messages.push(JSON.parse(line) as string);
    });
    await until(
      'the notify socket',
      () => Promise.resolve(messages.includes('LISTENING') || undefined),
      30_000,
    );

    const envFile = path.join(dir, 'pane-env.txt');
    const ws = workspace('notify-ws', {
      tick_seconds: 1,
      heartbeat_seconds: 1,
      metrics_port: 0,
      portal: { port: 0 },
      panes: [
        {
          id: 'env',
          agent: 'shell',
          command: 'sh',
          args: ['-c', `env > '${envFile}'; exec sleep 600`],
        },
      ],
    });
    let stderr = '';
    const supervisor = spawn(process.execPath, [cli, 'orchestrator', '--workspace', ws], {
      cwd: ws,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: '30000000', FLEETAI_LOCALE: 'en' },
    });
    children.push(supervisor);
    supervisor.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const fields = (): Record<string, string>[] =>
      messages
        .filter((m) => m !== 'LISTENING' && m !== 'BARRIER=1')
        .map((m) =>
          Object.fromEntries(
            m.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
          ),
        );

    await until(
      'READY=1 and three WATCHDOG=1 after it',
      () => {
        const sent = fields();
        const ready = sent.findIndex((m) => m.READY === '1');
        return Promise.resolve(
          ready >= 0 && sent.slice(ready).filter((m) => m.WATCHDOG === '1').length >= 3 ? true : undefined,
        );
      },
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nmessages: ${JSON.stringify(messages)}\nstderr: ${stderr}`);
    });
    const sent = fields();
    // READY is the first thing the manager hears, and every message names the supervisor as the main pid.
    expect(sent[0]?.READY).toBe('1');
    expect(sent.every((m) => m.MAINPID === String(supervisor.pid))).toBe(true);
    expect(sent.find((m) => m.WATCHDOG === '1')?.STATUS).toMatch(/^supervising 1 pane\(s\): 1 /);

    // The agent's environment is the supervisor's minus the notify variables.
    await until('the pane environment', () => Promise.resolve(existsSync(envFile) || undefined), 30_000);
    const paneEnv = readFileSync(envFile, 'utf8');
    expect(paneEnv).toContain('PATH=');
    expect(paneEnv).not.toMatch(/^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=/m);

    const exited = new Promise<number | null>((resolve) => supervisor.on('exit', (code) => resolve(code)));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until(
      'STOPPING=1',
      () => Promise.resolve(fields().some((m) => m.STOPPING === '1') || undefined),
      30_000,
    );
    const all = fields();
    const stopping = all.findIndex((m) => m.STOPPING === '1');
    expect(all.slice(stopping + 1).some((m) => m.WATCHDOG === '1')).toBe(false);
    manager.kill('SIGTERM');
  });
});
