import { spawnSync } from 'node:child_process';
import { promises as fs, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { pm2Ecosystem } from '../core/service/pm2Ecosystem';
import {
  defaultServiceName,
  SERVICE_NAME,
  systemdUnit,
  UNIT_MARKER,
  unitFileName,
  watchdogSeconds,
} from '../core/service/systemdUnit';
import { workspacePaths } from '../core/workspacePaths';
import type { CliIo } from './io';

/** What the service commands take from the machine; tests pass a temp HOME and their own paths. */
export interface ServiceHost {
  env: NodeJS.ProcessEnv;
  /** The node that runs this CLI, and the CLI script: what the unit will run. */
  nodePath: string;
  fleetPath: string;
  /** Runs `systemctl --user ...`; default: the real one, with a time limit. */
  systemctl?: (args: string[]) => { code: number; output: string };
}

export interface ServiceInstallOptions {
  user?: boolean;
  pm2?: boolean;
  print?: boolean;
  name?: string;
  workspace: string;
  force?: boolean;
  io: CliIo;
  host: ServiceHost;
}

/** `~/.config/systemd/user` (or `$XDG_CONFIG_HOME/systemd/user`): where systemd looks for a user's own units. */
export function userUnitDir(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME?.trim()
    ? env.XDG_CONFIG_HOME
    : path.join(env.HOME?.trim() ? env.HOME : os.homedir(), '.config');
  return path.join(config, 'systemd', 'user');
}

/** English or Simplified Chinese, by FLEETAI_LOCALE / LC_ALL / LC_MESSAGES / LANG, like the other commands. */
type Say = (en: string, zh: string) => string;

function sayFor(env: NodeJS.ProcessEnv): Say {
  const raw = env.FLEETAI_LOCALE ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return /^zh/i.test(raw) ? (_en, zh) => zh : (en) => en;
}

/** `fleet service:install --user|--pm2`: writes the unit or the PM2 file, never over one that differs without --force. */
export async function runServiceInstall(options: ServiceInstallOptions): Promise<number> {
  const { io } = options;
  const say = sayFor(options.host.env);
  // Loaded when the command runs: `fleet --help` should not pay for zod and the diff package.
  const [{ loadOrchestratorConfig }, { describeError }, { USER_FILE, writeTextAtomic }, { unifiedDiff }] =
    await Promise.all([
      import('../core/config/orchestratorConfig'),
      import('../core/errors'),
      import('../core/store/jsonStore'),
      import('../core/text/unifiedDiff'),
    ]);
  const fail = (message: string, code = 2): number => {
    io.err(`fleet service:install: ${message}\n`);
    return code;
  };
  if (options.user === options.pm2 || (!options.user && !options.pm2)) {
    return fail(
      say(
        'say which service manager: --user (a systemd user unit) or --pm2 (ecosystem.config.cjs)',
        '请指定一种服务管理器：--user（systemd 用户单元）或 --pm2（ecosystem.config.cjs）',
      ),
    );
  }
  const workspace = path.resolve(options.workspace);
  const stat = await fs.stat(workspace).catch(() => undefined);
  if (!stat?.isDirectory()) {
    return fail(say(`the workspace ${workspace} is not a folder`, `工作区 ${workspace} 不是文件夹`));
  }
  const name = options.name ?? defaultServiceName(workspace);
  if (!SERVICE_NAME.test(name)) {
    return fail(
      say(
        `--name "${name}" must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
        `--name "${name}" 须为 1-64 个字母、数字、"_"、"." 或 "-"，并以字母或数字开头`,
      ),
    );
  }
  const paths = workspacePaths(workspace);
  let heartbeatSeconds: number;
  try {
    const loaded = await loadOrchestratorConfig(paths.orchestratorConfig);
    heartbeatSeconds = loaded.config.heartbeat_seconds;
    if (!loaded.found && !options.print) {
      io.err(
        `fleet service:install: ${say(
          `no ${paths.orchestratorConfig} yet: the service runs with every default (fleet init writes one)`,
          `尚无 ${paths.orchestratorConfig}：服务将使用全部默认值运行（fleet init 可生成该文件）`,
        )}\n`,
      );
    }
  } catch (error) {
    // The service would fail at every start: better to say so now.
    return fail(
      `${describeError(error)}\n${say('Fix the config, then run this again.', '请先修正配置，再重新运行本命令。')}`,
      1,
    );
  }
  const pathEnv = agentPath(options.host.env.PATH, options.host.nodePath);
  let text: string;
  let file: string;
  try {
    if (options.user) {
      text = systemdUnit({
        name,
        workspace,
        nodePath: options.host.nodePath,
        fleetPath: options.host.fleetPath,
        pathEnv,
        heartbeatSeconds,
      });
      file = path.join(userUnitDir(options.host.env), unitFileName(name));
    } else {
      text = pm2Ecosystem({
        name: `fleetai-${name}`,
        workspace,
        nodePath: options.host.nodePath,
        fleetPath: options.host.fleetPath,
        pathEnv,
      });
      file = path.join(workspace, 'ecosystem.config.cjs');
    }
  } catch (error) {
    return fail(describeError(error));
  }
  if (options.print) {
    io.out(text);
    return 0;
  }

  const before = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (before !== undefined && before !== text && !options.force) {
    io.err(unifiedDiff(before, text, { old: file, new: `${file} (new)` }));
    return fail(
      say(
        `${file} exists and differs (above); run again with --force to replace it`,
        `${file} 已存在且内容不同（见上方差异）；加 --force 重新运行即可替换`,
      ),
      1,
    );
  }
  if (before === text) io.out(`${say('unchanged', '未改变')}: ${file}\n`);
  else {
    // Readable by others like any unit file; a crash mid-write leaves the old file whole.
    await writeTextAtomic(file, text, USER_FILE);
    io.out(`${before === undefined ? say('wrote', '已写入') : say('replaced', '已替换')} ${file}\n`);
  }

  if (options.pm2) {
    const app = `fleetai-${name}`;
    io.out(
      [
        '',
        `${say('start:   ', '启动：   ')} pm2 start ${quote(file)}`,
        `          pm2 save && pm2 startup      (${say('start it again at boot', '开机自动启动')})`,
        `${say('status:  ', '状态：   ')} pm2 status ${app}`,
        `${say('logs:    ', '日志：   ')} pm2 logs ${app}      (${path.relative(workspace, paths.logsDir)}/pm2-*.log, fleet log)`,
        `${say('stop:    ', '停止：   ')} pm2 stop ${app}`,
        `${say('upgrade: ', '升级：   ')} fleet service:install --pm2 --force && pm2 restart ${quote(file)}`,
        `${say('remove:  ', '移除：   ')} pm2 delete ${app}`,
        '',
      ].join('\n'),
    );
    return 0;
  }

  const unit = unitFileName(name);
  const systemctl = options.host.systemctl ?? realSystemctl(options.host.env);
  const reachable = systemctl(['show-environment']).code === 0;
  if (reachable) {
    const reload = systemctl(['daemon-reload']);
    if (reload.code === 0) io.out(`${say('ran', '已运行')}: systemctl --user daemon-reload\n`);
    else io.err(`fleet service:install: systemctl --user daemon-reload: ${reload.output.trim()}\n`);
  } else {
    io.out(
      `${say(
        'no systemd user manager is reachable from here (no user session bus); in your login session run:',
        '此处无法连接 systemd 用户管理器（没有用户会话总线）；请在你的登录会话中运行：',
      )}\n  systemctl --user daemon-reload\n`,
    );
  }
  io.out(
    [
      '',
      `${say('start:   ', '启动：   ')} systemctl --user enable --now ${unit}`,
      `          loginctl enable-linger ${options.host.env.USER ?? '$USER'}      (${say('keep it running after you log out', '注销后继续运行')})`,
      `${say('status:  ', '状态：   ')} systemctl --user status ${unit}`,
      `${say('logs:    ', '日志：   ')} journalctl --user -u ${unit} -f      (fleet log -w ${quote(workspace)})`,
      `${say('stop:    ', '停止：   ')} systemctl --user stop ${unit}`,
      `${say('upgrade: ', '升级：   ')} fleet service:install --user --name ${name} --force`,
      `          systemctl --user daemon-reload && systemctl --user restart ${unit}`,
      `${say('remove:  ', '移除：   ')} fleet service:uninstall --user --name ${name}`,
      `${say('watchdog:', '看门狗： ')} ${say(
        `the supervisor pings systemd each heartbeat while its tick runs; no ping for ${watchdogSeconds(heartbeatSeconds)} s (WatchdogSec) and systemd restarts it`,
        `监督器在其周期检查正常运行时每个心跳通知 systemd 一次；${watchdogSeconds(heartbeatSeconds)} 秒（WatchdogSec）内没有通知，systemd 就会重启它`,
      )}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** `fleet service:uninstall --user`: stops and disables the unit when systemd can be reached, removes its file. */
export async function runServiceUninstall(options: {
  user?: boolean;
  name?: string;
  workspace: string;
  force?: boolean;
  io: CliIo;
  host: ServiceHost;
}): Promise<number> {
  const { io } = options;
  const say = sayFor(options.host.env);
  if (!options.user) {
    io.err(
      `fleet service:uninstall: ${say(
        'only --user units are removed by FleetAI; for PM2: pm2 delete fleetai-NAME, then delete ecosystem.config.cjs',
        'FleetAI 只移除 --user 单元；PM2 请运行 pm2 delete fleetai-NAME，再删除 ecosystem.config.cjs',
      )}\n`,
    );
    return 2;
  }
  const name = options.name ?? defaultServiceName(path.resolve(options.workspace));
  if (!SERVICE_NAME.test(name)) {
    io.err(
      `fleet service:uninstall: ${say(
        `--name "${name}" is not a FleetAI service name`,
        `--name "${name}" 不是 FleetAI 服务名`,
      )}\n`,
    );
    return 2;
  }
  const unit = unitFileName(name);
  const dir = userUnitDir(options.host.env);
  const file = path.join(dir, unit);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    io.out(`${say('nothing to remove: no', '无需移除：不存在')} ${file}\n`);
    return 0;
  }
  if (!text.startsWith(UNIT_MARKER) && !options.force) {
    io.err(
      `fleet service:uninstall: ${say(
        `${file} was not written by fleet service:install; --force removes it anyway`,
        `${file} 不是 fleet service:install 写入的；加 --force 仍可移除`,
      )}\n`,
    );
    return 1;
  }
  const systemctl = options.host.systemctl ?? realSystemctl(options.host.env);
  const reachable = systemctl(['show-environment']).code === 0;
  if (reachable) {
    const disabled = systemctl(['disable', '--now', unit]);
    if (disabled.code === 0) io.out(`${say('ran', '已运行')}: systemctl --user disable --now ${unit}\n`);
    else
      io.err(`fleet service:uninstall: systemctl --user disable --now ${unit}: ${disabled.output.trim()}\n`);
  }
  await fs.rm(file, { force: true });
  // What `enable` made; without a reachable manager nobody else removes it, and a dangling link only confuses.
  await fs.rm(path.join(dir, 'default.target.wants', unit), { force: true });
  io.out(`${say('removed', '已移除')} ${file}\n`);
  if (reachable) {
    systemctl(['daemon-reload']);
    io.out(`${say('ran', '已运行')}: systemctl --user daemon-reload\n`);
  } else {
    io.out(
      `${say(
        'no systemd user manager is reachable from here; if the service runs in your login session, run there:',
        '此处无法连接 systemd 用户管理器；如果服务在你的登录会话中运行，请在那里运行：',
      )}\n  systemctl --user stop ${unit} && systemctl --user daemon-reload\n`,
    );
  }
  return 0;
}

export function registerServiceCommands(program: Command, io: CliIo): void {
  const host = (): ServiceHost => ({
    env: process.env,
    nodePath: process.execPath,
    // dist/cli.js, through whatever link `fleet` was started by (npm's bin link, /usr/local/bin/fleet).
    fleetPath: realpathSync(process.argv[1] ?? ''),
  });
  program
    .command('service:install')
    .description(
      'run this workspace\'s "fleet orchestrator" as a service: --user writes a systemd user unit ' +
        '(~/.config/systemd/user/fleetai-NAME.service: Type=notify, restart on failure, a watchdog tied to the ' +
        'heartbeat); --pm2 writes ecosystem.config.cjs in the workspace. Prints the start, status, logs, stop and ' +
        'upgrade commands',
    )
    .option('--user', 'a systemd user unit')
    .option('--pm2', 'a PM2 ecosystem file')
    .option('--print', 'print the file instead of writing it')
    .option('--name <name>', 'the unit is fleetai-NAME.service (default: the workspace folder name)')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--force', 'replace a file that differs from what would be written')
    .action(
      async (opts: {
        user?: boolean;
        pm2?: boolean;
        print?: boolean;
        name?: string;
        workspace: string;
        force?: boolean;
      }) => {
        process.exitCode = await runServiceInstall({ ...opts, io, host: host() });
      },
    );
  program
    .command('service:uninstall')
    .description('stop, disable and remove the systemd user unit that fleet service:install --user wrote')
    .option('--user', 'the systemd user unit')
    .option('--name <name>', 'the unit is fleetai-NAME.service (default: the workspace folder name)')
    .option('-w, --workspace <dir>', 'workspace folder (for the default name)', process.cwd())
    .option('--force', 'remove it even if FleetAI did not write it')
    .action(async (opts: { user?: boolean; name?: string; workspace: string; force?: boolean }) => {
      process.exitCode = await runServiceUninstall({ ...opts, io, host: host() });
    });
}

/** The installing shell's PATH, with the node that runs FleetAI on it (agent CLIs are `#!/usr/bin/env node`). */
function agentPath(shellPath: string | undefined, nodePath: string): string {
  const entries = [...new Set((shellPath ?? '').split(path.delimiter).filter(Boolean))];
  const nodeDir = path.dirname(nodePath);
  if (!entries.includes(nodeDir)) entries.push(nodeDir);
  if (entries.length === 1) entries.push('/usr/local/bin', '/usr/bin', '/bin');
  return entries.join(path.delimiter);
}

function realSystemctl(env: NodeJS.ProcessEnv): (args: string[]) => { code: number; output: string } {
  return (args) => {
    const result = spawnSync('systemctl', ['--user', ...args], { env, encoding: 'utf8', timeout: 30_000 });
    return { code: result.status ?? -1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  };
}

/** A path as a shell word. */
function quote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
