import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../extension/cli/program';
import {
  runServiceInstall,
  runServiceUninstall,
  userUnitDir,
  type ServiceHost,
} from '../../../extension/cli/serviceCli';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

function capture(): {
  io: { out: (t: string) => void; err: (t: string) => void };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t) }, out: () => out, err: () => err };
}

/**
 * A temp HOME (XDG_CONFIG_HOME) and a workspace with a config. systemctl is recorded, not run: no user manager
 * exists in this container or on CI (checked: `systemctl --user` finds no bus), and one that did would be the
 * developer's own. The unreachable case is the one these machines really have.
 */
function setup(options: { reachable?: boolean; heartbeat?: number } = {}): {
  workspace: string;
  unitDir: string;
  host: ServiceHost;
  calls: string[][];
} {
  const dir = tempDir();
  const workspace = path.join(dir, 'my project');
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({ heartbeat_seconds: options.heartbeat ?? 5 }),
  );
  const calls: string[][] = [];
  const env = {
    HOME: path.join(dir, 'home'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    PATH: '/usr/bin:/bin',
    USER: 'u',
  };
  return {
    workspace,
    unitDir: path.join(dir, 'config/systemd/user'),
    calls,
    host: {
      env,
      nodePath: '/usr/bin/node',
      fleetPath: '/opt/fleetai/dist/cli.js',
      systemctl: (args) => {
        calls.push(args);
        return options.reachable ? { code: 0, output: '' } : { code: 1, output: 'Failed to connect to bus' };
      },
    },
  };
}

describe('fleet service:install --user', () => {
  it('writes ~/.config/systemd/user/fleetai-NAME.service and prints how to reload, start, read logs, upgrade', async () => {
    const { workspace, unitDir, host, calls } = setup();
    const c = capture();
    expect(await runServiceInstall({ user: true, workspace, io: c.io, host })).toBe(0);
    const file = path.join(unitDir, 'fleetai-my-project.service');
    const unit = readFileSync(file, 'utf8');
    expect(unit).toContain(`WorkingDirectory=${workspace}\n`);
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/fleetai/dist/cli.js orchestrator --workspace "');
    expect(unit).toContain('WatchdogSec=30\n');
    // No manager: nothing run but the probe, and the reload is printed for the user.
    expect(calls).toEqual([['show-environment']]);
    expect(c.out()).toContain(`wrote ${file}`);
    for (const line of [
      'systemctl --user daemon-reload',
      'systemctl --user enable --now fleetai-my-project.service',
      'systemctl --user status fleetai-my-project.service',
      'journalctl --user -u fleetai-my-project.service',
      'systemctl --user stop fleetai-my-project.service',
      'systemctl --user restart fleetai-my-project.service',
    ]) {
      expect(c.out()).toContain(line);
    }
    expect(c.err()).toBe('');
  });

  it('runs daemon-reload when a user manager answers', async () => {
    const { workspace, host, calls } = setup({ reachable: true });
    const c = capture();
    expect(await runServiceInstall({ user: true, name: 'x', workspace, io: c.io, host })).toBe(0);
    expect(calls).toEqual([['show-environment'], ['daemon-reload']]);
    expect(c.out()).toContain('ran: systemctl --user daemon-reload');
  });

  it('refuses to overwrite a unit that differs, showing the diff; --force replaces it; the same text is left alone', async () => {
    const { workspace, unitDir, host } = setup();
    expect(await runServiceInstall({ user: true, name: 'demo', workspace, io: capture().io, host })).toBe(0);
    const file = path.join(unitDir, 'fleetai-demo.service');
    const edited = readFileSync(file, 'utf8').replace('RestartSec=5', 'RestartSec=9');
    writeFileSync(file, edited);

    const refused = capture();
    expect(await runServiceInstall({ user: true, name: 'demo', workspace, io: refused.io, host })).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(refused.err()).toContain('-RestartSec=9');
    expect(refused.err()).toContain('+RestartSec=5');
    expect(refused.err()).toMatch(/exists and differs .*--force/);

    const forced = capture();
    expect(
      await runServiceInstall({ user: true, name: 'demo', workspace, force: true, io: forced.io, host }),
    ).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('RestartSec=5\n');
    expect(forced.out()).toContain(`replaced ${file}`);

    const again = capture();
    expect(await runServiceInstall({ user: true, name: 'demo', workspace, io: again.io, host })).toBe(0);
    expect(again.out()).toContain(`unchanged: ${file}`);
  });

  it('--print writes nothing; a new heartbeat gives a new watchdog', async () => {
    const { workspace, unitDir, host } = setup({ heartbeat: 40 });
    const c = capture();
    expect(await runServiceInstall({ user: true, print: true, name: 'p', workspace, io: c.io, host })).toBe(
      0,
    );
    expect(c.out()).toContain('WatchdogSec=120\n');
    expect(existsSync(unitDir)).toBe(false);
  });

  it('says what is wrong: no manager chosen, both, a bad name, a missing folder, a broken config', async () => {
    const { workspace, host } = setup();
    const none = capture();
    expect(await runServiceInstall({ workspace, io: none.io, host })).toBe(2);
    expect(none.err()).toContain('--user');
    expect(await runServiceInstall({ user: true, pm2: true, workspace, io: capture().io, host })).toBe(2);
    const bad = capture();
    expect(await runServiceInstall({ user: true, name: 'a/b', workspace, io: bad.io, host })).toBe(2);
    expect(bad.err()).toContain('--name "a/b"');
    const missing = capture();
    expect(
      await runServiceInstall({ user: true, workspace: `${workspace}-nope`, io: missing.io, host }),
    ).toBe(2);
    expect(missing.err()).toContain('is not a folder');
    writeFileSync(path.join(workspace, '.fleetai/orchestrator.json'), '{ "heartbeat_seconds": "often" }');
    const broken = capture();
    expect(await runServiceInstall({ user: true, workspace, io: broken.io, host })).toBe(1);
    expect(broken.err()).toContain('heartbeat_seconds');
  });
});

describe('fleet service:install in Chinese', () => {
  it('speaks Simplified Chinese when the locale asks for it, commands unchanged', async () => {
    const { workspace, unitDir, host } = setup();
    const zh = { ...host, env: { ...host.env, FLEETAI_LOCALE: 'zh-CN' } };
    const c = capture();
    expect(await runServiceInstall({ user: true, name: 'demo', workspace, io: c.io, host: zh })).toBe(0);
    expect(c.out()).toContain(`已写入 ${path.join(unitDir, 'fleetai-demo.service')}`);
    expect(c.out()).toContain('启动：    systemctl --user enable --now fleetai-demo.service');
    expect(c.out()).toContain('看门狗：  监督器');
    const none = capture();
    expect(await runServiceInstall({ workspace, io: none.io, host: zh })).toBe(2);
    expect(none.err()).toContain('请指定一种服务管理器');
  });
});

describe('fleet service:install --pm2', () => {
  it('writes ecosystem.config.cjs in the workspace and refuses to overwrite a changed one', async () => {
    const { workspace, host } = setup();
    const c = capture();
    expect(await runServiceInstall({ pm2: true, name: 'demo', workspace, io: c.io, host })).toBe(0);
    const file = path.join(workspace, 'ecosystem.config.cjs');
    expect(readFileSync(file, 'utf8')).toContain('"name": "fleetai-demo"');
    expect(c.out()).toContain('pm2 start');
    expect(c.out()).toContain('pm2 logs fleetai-demo');
    writeFileSync(file, 'module.exports = { apps: [] };\n');
    const refused = capture();
    expect(await runServiceInstall({ pm2: true, name: 'demo', workspace, io: refused.io, host })).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('module.exports = { apps: [] };\n');
  });
});

describe('fleet service:uninstall --user', () => {
  it('removes the unit and its enable link, and prints what to run where the manager lives', async () => {
    const { workspace, unitDir, host } = setup();
    expect(await runServiceInstall({ user: true, name: 'demo', workspace, io: capture().io, host })).toBe(0);
    const file = path.join(unitDir, 'fleetai-demo.service');
    mkdirSync(path.join(unitDir, 'default.target.wants'));
    const link = path.join(unitDir, 'default.target.wants/fleetai-demo.service');
    symlinkSync(file, link);
    const c = capture();
    expect(await runServiceUninstall({ user: true, name: 'demo', workspace, io: c.io, host })).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(link)).toBe(false);
    expect(c.out()).toContain('systemctl --user stop fleetai-demo.service');
    const twice = capture();
    expect(await runServiceUninstall({ user: true, name: 'demo', workspace, io: twice.io, host })).toBe(0);
    expect(twice.out()).toContain('nothing to remove');
  });

  it('disables it first when a user manager answers', async () => {
    const { workspace, host, calls } = setup({ reachable: true });
    await runServiceInstall({ user: true, name: 'demo', workspace, io: capture().io, host });
    calls.length = 0;
    expect(await runServiceUninstall({ user: true, name: 'demo', workspace, io: capture().io, host })).toBe(
      0,
    );
    expect(calls).toEqual([
      ['show-environment'],
      ['disable', '--now', 'fleetai-demo.service'],
      ['daemon-reload'],
    ]);
  });

  it('leaves a unit FleetAI did not write unless --force', async () => {
    const { workspace, unitDir, host } = setup();
    mkdirSync(unitDir, { recursive: true });
    const file = path.join(unitDir, 'fleetai-mine.service');
    writeFileSync(file, '[Service]\nExecStart=/bin/true\n');
    const c = capture();
    expect(await runServiceUninstall({ user: true, name: 'mine', workspace, io: c.io, host })).toBe(1);
    expect(existsSync(file)).toBe(true);
    expect(c.err()).toContain('not written by fleet service:install');
    expect(
      await runServiceUninstall({ user: true, name: 'mine', workspace, force: true, io: capture().io, host }),
    ).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

describe('the fleet program', () => {
  it('has service:install and service:uninstall with the flags of the docs', () => {
    const program = createProgram({ out: () => undefined, err: () => undefined });
    const flags = (name: string): string[] =>
      program.commands.find((c) => c.name() === name)?.options.map((o) => o.long ?? '') ?? [];
    expect(flags('service:install')).toEqual(
      expect.arrayContaining(['--user', '--pm2', '--print', '--name', '--workspace', '--force']),
    );
    expect(flags('service:uninstall')).toEqual(expect.arrayContaining(['--user', '--name', '--workspace']));
  });

  it('puts user units under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(userUnitDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/h' })).toBe('/x/cfg/systemd/user');
    expect(userUnitDir({ HOME: '/h' })).toBe('/h/.config/systemd/user');
  });
});
