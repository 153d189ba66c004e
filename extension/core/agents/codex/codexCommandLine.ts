import * as os from 'node:os';
import * as path from 'node:path';

/**
 * What a Codex command line says about its app-server daemon, read before anything starts: whether the TUI
 * will use the shared daemon at all, where its control socket is, and which folder its thread works in.
 */
export type CodexLaunch =
  { daemon: true; cwd: string; socketPath: string } | { daemon: false; reason: string };

/** Sub-commands that do not run the interactive TUI on a thread of their own (`resume` and `fork` do). */
const NOT_A_TUI = new Set([
  'exec',
  'e',
  'review',
  'login',
  'logout',
  'mcp',
  'plugin',
  'app-server',
  'remote-control',
  'completion',
  'update',
  'doctor',
  'sandbox',
  'debug',
  'apply',
  'a',
  'queue',
  'archive',
  'delete',
  'migrate-rollouts',
  'migrate-nfs-db',
  'unarchive',
  'cloud',
  'exec-server',
  'features',
  'agents',
  'help',
]);

/** Options of Codex 0.169.0 that take a value (so the value is not taken for a sub-command or a prompt). */
const WITH_VALUE = new Set([
  '-c',
  '--config',
  '--enable',
  '--disable',
  '--remote',
  '--remote-auth-token-env',
  '-i',
  '--image',
  '-m',
  '--model',
  '--local-provider',
  '-p',
  '--profile',
  '-s',
  '--sandbox',
  '-C',
  '--cd',
  '--add-dir',
  '-a',
  '--ask-for-approval',
]);

/** `$CODEX_HOME`, else `~/.codex` of the environment the agent runs with. */
export function codexHomeFor(env: Record<string, string | undefined>): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), '.codex');
}

/** Where the TUI links the daemon's control socket. */
export function controlSocketLink(codexHome: string): string {
  return path.join(codexHome, 'app-server-control', 'app-server-control.sock');
}

export function codexLaunch(args: readonly string[], cwd: string, codexHome: string): CodexLaunch {
  let socketPath = controlSocketLink(codexHome);
  let workdir = cwd;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    const [flag, inline] = arg.startsWith('--') ? splitInline(arg) : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '-c' || flag === '--config' || (/^-c./.test(arg) && !arg.startsWith('--'))) {
      // Measured on 0.169.0: any -c override makes the TUI run its app-server in process, without the daemon.
      return {
        daemon: false,
        reason: `started with a -c/--config override (${arg}), Codex runs without its daemon`,
      };
    }
    if (flag === '--no-daemon') return { daemon: false, reason: 'started with --no-daemon' };
    if (flag === '-h' || flag === '--help' || flag === '-V' || flag === '--version') {
      return { daemon: false, reason: `${flag} prints and exits` };
    }
    if (flag === '--remote') {
      const address = value() ?? '';
      if (!address.startsWith('unix://')) {
        return { daemon: false, reason: `the TUI talks to a remote app-server (${address})` };
      }
      if (address.length > 'unix://'.length) socketPath = path.resolve(cwd, address.slice('unix://'.length));
      continue;
    }
    if (flag === '-C' || flag === '--cd') {
      const dir = value();
      if (dir) workdir = path.resolve(cwd, dir);
      continue;
    }
    if (WITH_VALUE.has(flag)) {
      if (inline === undefined) i++;
      continue;
    }
    if (!arg.startsWith('-')) {
      // The first word that is not an option: a sub-command, or the prompt (then the rest is the prompt too).
      if (NOT_A_TUI.has(arg))
        return { daemon: false, reason: `codex ${arg} does not run the interactive TUI` };
      break;
    }
  }
  return { daemon: true, cwd: workdir, socketPath };
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
