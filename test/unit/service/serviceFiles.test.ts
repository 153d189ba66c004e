import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pm2Ecosystem } from '../../../extension/core/service/pm2Ecosystem';
import {
  defaultServiceName,
  systemdUnit,
  UNIT_MARKER,
  unitFileName,
  watchdogSeconds,
} from '../../../extension/core/service/systemdUnit';
import { useTempDirs } from '../helpers';

// The unit's text as systemd reads it is checked by the real `systemd-analyze verify` in test/ops/service.test.ts;
// here: what each setting is, and that odd folder names cannot break out of their setting.
const tempDir = useTempDirs();
const base = {
  name: 'demo',
  workspace: '/srv/work/demo',
  nodePath: '/usr/bin/node',
  fleetPath: '/opt/fleetai/dist/cli.js',
  pathEnv: '/home/u/.local/bin:/usr/bin:/bin',
  heartbeatSeconds: 5,
};

/** `Key=value` lines of one section. */
function section(unit: string, name: string): string[] {
  const start = unit.indexOf(`[${name}]`);
  expect(start, `[${name}] section`).toBeGreaterThanOrEqual(0);
  const rest = unit.slice(start + name.length + 2);
  const end = rest.indexOf('\n[');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.includes('='));
}

describe('systemdUnit', () => {
  it('renders a notify unit with restart, watchdog, start limits, mixed kill and the install target', () => {
    const unit = systemdUnit(base);
    expect(unit.startsWith(UNIT_MARKER)).toBe(true);
    expect(section(unit, 'Unit')).toEqual(
      expect.arrayContaining(['StartLimitIntervalSec=600', 'StartLimitBurst=5']),
    );
    expect(section(unit, 'Service')).toEqual([
      'Type=notify',
      'NotifyAccess=all',
      'ExecStart=/usr/bin/node /opt/fleetai/dist/cli.js orchestrator --workspace /srv/work/demo',
      'WorkingDirectory=/srv/work/demo',
      'Environment="PATH=/home/u/.local/bin:/usr/bin:/bin"',
      'Environment="NODE_ENV=production"',
      'TimeoutStartSec=180',
      'Restart=on-failure',
      'RestartSec=5',
      'WatchdogSec=30',
      'KillMode=mixed',
      'TimeoutStopSec=45',
    ]);
    expect(section(unit, 'Install')).toEqual(['WantedBy=default.target']);
  });

  it('ties WatchdogSec to three heartbeats, never below 30 s', () => {
    expect(watchdogSeconds(5)).toBe(30);
    expect(watchdogSeconds(10)).toBe(30);
    expect(watchdogSeconds(20)).toBe(60);
    expect(watchdogSeconds(0.5)).toBe(30);
    expect(systemdUnit({ ...base, heartbeatSeconds: 25 })).toContain('\nWatchdogSec=75\n');
  });

  it('escapes specifiers, variables, quotes and backslashes in paths', () => {
    const unit = systemdUnit({ ...base, workspace: '/srv/a b/50%$HOME/"q"\\x', pathEnv: '/p%n:/bin' });
    expect(unit).toContain(
      'ExecStart=/usr/bin/node /opt/fleetai/dist/cli.js orchestrator --workspace "/srv/a b/50%%$$HOME/\\"q\\"\\\\x"',
    );
    expect(unit).toContain('WorkingDirectory=/srv/a b/50%%$HOME/"q"\\x\n');
    expect(unit).toContain('Environment="PATH=/p%%n:/bin"');
  });

  it('refuses what would break the unit: a line break, a relative path, a bad name, no heartbeat', () => {
    expect(() => systemdUnit({ ...base, workspace: '/srv/a\nExecStartPre=/bin/evil' })).toThrow(/line break/);
    expect(() => systemdUnit({ ...base, fleetPath: 'dist/cli.js' })).toThrow(/fleet path.*absolute/);
    expect(() => systemdUnit({ ...base, name: 'a@b' })).toThrow(/service name/);
    expect(() => systemdUnit({ ...base, name: '-x' })).toThrow(/service name/);
    expect(() => systemdUnit({ ...base, heartbeatSeconds: 0 })).toThrow(/heartbeat_seconds/);
  });

  it('names the unit after the workspace folder', () => {
    expect(unitFileName('demo')).toBe('fleetai-demo.service');
    expect(defaultServiceName('/home/u/My Project (2)')).toBe('My-Project-2-');
    expect(defaultServiceName('/home/u/.hidden')).toBe('hidden');
    expect(defaultServiceName('/')).toBe('workspace');
  });
});

describe('pm2Ecosystem', () => {
  it('is a CommonJS file node loads, with restart, backoff, kill timeout and logs under .fleetai/logs', () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'it\'s a "ws"\nline');
    const file = path.join(dir, 'ecosystem.config.cjs');
    writeFileSync(
      file,
      pm2Ecosystem({
        name: 'fleetai-demo',
        workspace,
        nodePath: '/usr/bin/node',
        fleetPath: '/opt/fleetai/dist/cli.js',
        pathEnv: '/usr/bin:/bin',
      }),
    );
    // The real loader PM2 uses for .cjs files: require() in a fresh node.
    const loaded = spawnSync(
      process.execPath,
      ['-e', 'process.stdout.write(JSON.stringify(require(process.argv[1])))', file],
      { encoding: 'utf8' },
    );
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
    const config = JSON.parse(loaded.stdout) as { apps: Record<string, unknown>[] };
    expect(config.apps).toHaveLength(1);
    expect(config.apps[0]).toMatchObject({
      name: 'fleetai-demo',
      script: '/opt/fleetai/dist/cli.js',
      interpreter: '/usr/bin/node',
      args: ['orchestrator', '--workspace', workspace],
      cwd: workspace,
      env: { NODE_ENV: 'production', PATH: '/usr/bin:/bin' },
      autorestart: true,
      max_restarts: 5,
      restart_delay: 5000,
      exp_backoff_restart_delay: 100,
      kill_timeout: 45000,
      out_file: path.join(workspace, '.fleetai/logs/pm2-out.log'),
      error_file: path.join(workspace, '.fleetai/logs/pm2-error.log'),
    });
  });

  it('refuses relative paths', () => {
    expect(() =>
      pm2Ecosystem({ name: 'x', workspace: 'ws', nodePath: '/n', fleetPath: '/f', pathEnv: '' }),
    ).toThrow(/workspace.*absolute/);
  });
});
