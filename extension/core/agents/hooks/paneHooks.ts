import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeError } from '../../errors';
import type { Logger } from '../../observability/appLog';
import type { Disposable } from '../../panes/events';
import type { ApprovalOption } from '../../panes/types';
import type { AgentHooks, AgentProfileApproval } from '../../schemas/agentProfile';
import { HookListener, type HookTarget } from './hookListener';

const CATEGORY = 'hooks';

/** The Claude Code events FleetAI listens to (see hookEvents.ts for what each one means). */
export const CLAUDE_HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PostToolUseFailure',
  'Notification',
  'Stop',
] as const;

/** Claude Code's own limit for one hook run; `fleet hook` gives up long before (2 s). */
const CLAUDE_HOOK_TIMEOUT_S = 10;

/** How to run `fleet hook`: this process's Node (or Electron as Node, in VS Code) and the bundled CLI. */
export interface HookProgram {
  node: string;
  cli: string;
  /** The host is Electron (VS Code's extension host): it runs the CLI as Node with ELECTRON_RUN_AS_NODE=1. */
  electron: boolean;
}

export function hookProgram(cli: string): HookProgram {
  // The sender's own small bundle next to the CLI starts several times faster than the whole CLI.
  const sender = path.join(path.dirname(cli), HOOK_SENDER);
  return {
    node: process.execPath,
    cli: existsSync(sender) ? sender : cli,
    electron: process.versions.electron !== undefined,
  };
}

const HOOK_SENDER = 'hook.js';

/** The program and arguments, for Codex's `notify` array. */
export function hookArgv(program: HookProgram): string[] {
  return path.basename(program.cli) === HOOK_SENDER
    ? [program.node, program.cli]
    : [program.node, program.cli, 'hook'];
}

function shellQuote(arg: string, platform: NodeJS.Platform): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // Claude Code runs hooks through a POSIX shell (Git Bash on Windows), where "C:\x" keeps its backslashes.
  if (platform === 'win32') return `"${arg.replace(/(["$`])/g, '\\$1')}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line Claude Code runs (through a shell) for each hook. */
export function hookShellCommand(program: HookProgram, platform = process.platform): string {
  const line = hookArgv(program)
    .map((a) => shellQuote(a, platform))
    .join(' ');
  return program.electron ? `ELECTRON_RUN_AS_NODE=1 ${line}` : line;
}

/** Claude Code settings (for `--settings <file>`) that send every event FleetAI maps to `fleet hook`. */
export function claudeHookSettings(command: string): { hooks: Record<string, unknown[]> } {
  const hooks: Record<string, unknown[]> = {};
  for (const event of CLAUDE_HOOK_EVENTS) {
    hooks[event] = [{ hooks: [{ type: 'command', command, timeout: CLAUDE_HOOK_TIMEOUT_S }] }];
  }
  return { hooks };
}

/** Options first, before a `--` that ends them; appended otherwise (so `npx claude` keeps its own flags). */
function withArgs(args: readonly string[], added: string[]): string[] {
  const end = args.indexOf('--');
  return end < 0 ? [...args, ...added] : [...args.slice(0, end), ...added, ...args.slice(end)];
}

/** The profile's approve and deny keys, as the options of an approval read from a hook (which has no screen). */
export function approvalOptionsFrom(approval: AgentProfileApproval | null | undefined): ApprovalOption[] {
  if (!approval) return [];
  return [
    { keys: approval.approve, label: 'Yes' },
    { keys: approval.deny, label: 'No' },
  ];
}

export type CodexNotifySetting = 'fleet' | 'other' | 'none' | 'unreadable';

/**
 * What `notify` says in a Codex config.toml: names `fleet hook`, names something else, or is not set. A top-level
 * key, so only the text before the first table header is read; a one-line look, not a TOML parser.
 */
export function codexNotifySetting(toml: string): Exclude<CodexNotifySetting, 'unreadable'> {
  const top = toml.split(/^\s*\[/m)[0] ?? '';
  const match = /^\s*notify\s*=\s*\[([\s\S]*?)\]/m.exec(top);
  if (!match) return 'none';
  const strings = [...(match[1] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  const fleet = strings.some((s) => /(^|[\\/])(fleet(\.cmd|\.exe)?|cli\.js)$/.test(s));
  return fleet && strings.includes('hook') ? 'fleet' : 'other';
}

async function readCodexNotify(env: Record<string, string | undefined>): Promise<{
  file: string;
  setting: CodexNotifySetting;
}> {
  const home = env.CODEX_HOME ?? path.join(env.HOME ?? os.homedir(), '.codex');
  const file = path.join(home, 'config.toml');
  try {
    return { file, setting: codexNotifySetting(await fs.readFile(file, 'utf8')) };
  } catch (error) {
    return { file, setting: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unreadable' };
  }
}

export interface HookPaneRequest {
  id: string;
  kind: string;
  cwd: string;
  hooks: AgentHooks | null | undefined;
  approval: AgentProfileApproval | null | undefined;
  args: readonly string[];
  /** The environment the agent starts with (for CODEX_HOME). */
  env: Record<string, string | undefined>;
}

/** What a pane needs to start with hooks, and how to connect its tracker once it exists. */
export interface HookLaunch {
  args: string[];
  /** FLEETAI_HOOK_SOCKET, FLEETAI_HOOK_TOKEN, FLEETAI_PANE: add to the agent's environment. */
  env: Record<string, string>;
  /** Routes the pane's hook events to its tracker; the registration ends with the pane. */
  bind(pane: { tracker: HookTarget; attach(source: Disposable): void }): void;
}

/**
 * Agent hooks for the panes of one FleetAI process (`fleet watch`, a window's pane registry): starts the
 * listener on the first pane whose profile has hooks, writes the Claude Code settings once, and gives each pane
 * its arguments and environment. The user's own agent settings are never written.
 */
export class PaneHooks implements Disposable {
  private listener: Promise<HookListener> | undefined;
  private claudeSettings: Promise<string> | undefined;
  private readonly program: HookProgram;

  constructor(private readonly options: { log: Logger; cli: string; program?: HookProgram }) {
    this.program = options.program ?? hookProgram(options.cli);
  }

  /** undefined when the profile has no hooks, or the listener cannot start (the screen still works). */
  async prepare(request: HookPaneRequest): Promise<HookLaunch | undefined> {
    const hooks = request.hooks;
    if (!hooks) return undefined;
    let listener: HookListener;
    try {
      listener = await (this.listener ??= HookListener.start({ log: this.options.log }));
    } catch (error) {
      this.options.log.error(CATEGORY, 'hook.listener.failed', {
        pane: request.id,
        error: describeError(error),
      });
      return undefined;
    }
    let args = [...request.args];
    if (hooks.via === 'claude-settings' && hooks.inject) {
      if (request.args.includes('--settings')) {
        this.options.log.warn(CATEGORY, 'hook.inject.skipped', {
          pane: request.id,
          why: 'the command line has its own --settings',
        });
      } else args = withArgs(request.args, ['--settings', await this.claudeSettingsFile(listener)]);
    }
    if (hooks.via === 'codex-notify') args = await this.codexArgs(request, hooks.inject, args);
    const approvalOptions = approvalOptionsFrom(request.approval);
    this.options.log.info(CATEGORY, 'hook.pane', { pane: request.id, agent: request.kind, via: hooks.via });
    return {
      args,
      env: listener.envFor(request.id),
      bind: (pane) =>
        pane.attach(
          listener.register({
            id: request.id,
            agent: request.kind,
            cwd: request.cwd,
            target: pane.tracker,
            approvalOptions,
          }),
        ),
    };
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.claudeSettings = undefined;
    if (listener) await listener.then((l) => l.close()).catch(() => undefined);
  }

  dispose(): void {
    void this.close();
  }

  private claudeSettingsFile(listener: HookListener): Promise<string> {
    this.claudeSettings ??= (async () => {
      const file = path.join(listener.dir, 'claude-settings.json');
      const settings = claudeHookSettings(hookShellCommand(this.program));
      await fs.writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
      return file;
    })();
    return this.claudeSettings;
  }

  /**
   * Codex takes `notify` from config only. `-c notify=[...]` works, but any `-c` makes Codex 0.169 run without
   * its shared app-server daemon, so it is added only when the profile asks; otherwise the user's config.toml
   * must name `fleet hook` (docs/agent-hooks.md), and the log says whether it does.
   */
  private async codexArgs(request: HookPaneRequest, inject: boolean, args: string[]): Promise<string[]> {
    const { file, setting } = await readCodexNotify(request.env);
    if (!inject) {
      this.options.log.info(CATEGORY, 'hook.codex.notify', {
        pane: request.id,
        config: file,
        notify: setting,
      });
      return args;
    }
    if (setting === 'other') {
      this.options.log.warn(CATEGORY, 'hook.codex.notify.replaced', { pane: request.id, config: file });
    }
    return withArgs(args, ['-c', `notify=${JSON.stringify(hookArgv(this.program))}`]);
  }
}
