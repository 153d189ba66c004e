import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PaneHooks, type HookLaunch } from '../agents/hooks/paneHooks';
import { loadProfiles, WORKSPACE_PROFILES_DIR, type LoadedProfiles } from '../agents/profiles';
import { resolveAgent } from '../agents/resolveAgent';
import { ErrorCode, FleetError, describeError } from '../errors';
import { locateCommand } from '../executables';
import type { Logger } from '../observability/appLog';
import { workspacePaths, type WorkspacePaths } from '../workspacePaths';
import { Emitter, type Disposable } from './events';
import { fleetMcpArgs, withFleetMcpArgs } from './fleetMcpArgs';
import type { PtyExit, PtyHost } from './ptyHost';
import { SupervisedPane } from './supervisedPane';
import type { AgentProfile } from '../schemas/agentProfile';
import type { PaneState, PaneStateEvent, PaneStateName } from './types';

export interface PaneRegistryOptions {
  /** The shipped profiles (`<extension>/agents-config`). */
  builtinProfilesDir: string;
  /**
   * The workspace's `.fleetai` folder: its `agents/` adds or overrides profiles, its `logs/panes/` keeps the
   * transcripts. Default: `.fleetai` in each pane's `cwd`.
   */
  paths?: WorkspacePaths;
  ptyHost: PtyHost;
  log: Logger;
  /** `stall_timeout_seconds` in milliseconds, read at each start so a changed setting applies to new panes. */
  stallTimeoutMs?: () => number;
  /** The environment agents start with (before the profile's `env`). Default: this process's. */
  env?: () => Record<string, string | undefined>;
  /** How long `stop` waits after SIGHUP before it sends SIGKILL. Default 3000 ms. */
  stopGraceMs?: number;
  /** No terminal shows the panes (`fleet orchestrator`): the headless screen answers terminal queries. */
  headless?: boolean;
  /**
   * The bundled CLI whose `fleet hook` agents with hooks in their profile (Claude Code, Codex) run to report
   * their events; false: screens only. Default: `dist/cli.js` beside the profiles folder, when it exists.
   */
  hookCli?: string | false;
}

export interface StartPaneRequest {
  /** The pane id (a workspace config names its panes); `p1`, `p2`... when left out. Must be unused. */
  id?: string;
  /** Variables added to the agent's environment, after the profile's. */
  env?: Record<string, string>;
  /** The agent kind; inferred from `command` when left out ("shell" when nothing matches). */
  kind?: string;
  /** The program; the profile's command when left out. */
  command?: string;
  args?: readonly string[];
  cwd: string;
  /** Shown in views and terminal names. Default: the kind. */
  name?: string;
  branch?: string;
  cols?: number;
  rows?: number;
  /**
   * Give the agent FleetAI's own MCP server (`fleet mcp-server` for this pane) through its profile's `fleetMcp`
   * arguments. A profile without them (Gemini CLI, a shell) cannot: E_CONFIG_SCHEMA rather than a pane that
   * silently reports nothing.
   */
  fleetMcp?: boolean;
}

/** An agent kind a person can start, and whether its program is installed. */
export interface AgentChoice {
  kind: string;
  displayName: string;
  command: string;
  args: string[];
  /** Where the command was found on PATH; undefined when it is not installed. */
  path: string | undefined;
  /** Its profile can give it FleetAI's MCP server (`fleetMcp`), so New Agent may offer it. */
  offersFleetMcp: boolean;
}

export type PaneRegistryChange =
  | { type: 'added'; pane: AgentPane }
  /** The agent was started again in the same pane (a new process, a new `supervised`). */
  | { type: 'restarted'; pane: AgentPane }
  | { type: 'state'; pane: AgentPane; event: PaneStateEvent }
  | { type: 'removed'; id: string };

/** One agent the registry started: what it is, how it was started, and its supervised pane. */
export class AgentPane {
  startedAt = new Date().toISOString();
  /** The current process was started by `restart` (with the profile's resume arguments). */
  restarted = false;
  /** A person (or FleetAI on request) stopped it: the supervisor does not restart it. */
  stoppedByUser = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: string,
    readonly displayName: string,
    readonly command: string,
    readonly args: readonly string[],
    readonly cwd: string,
    readonly branch: string | undefined,
    readonly version: string | undefined,
    public supervised: SupervisedPane,
    readonly definition?: AgentProfile,
    readonly request?: StartPaneRequest,
  ) {}

  get state(): PaneState {
    return this.supervised.state;
  }

  get exited(): boolean {
    return this.supervised.pane.exited;
  }

  /** The visible screen, one string per row (trailing spaces trimmed). */
  screen(): string[] {
    return this.supervised.pane.snapshot().lines;
  }
}

/** How long a new Codex pane's input waits for its app-server daemon before going in anyway. */
const CODEX_INPUT_HOLD_MS = 15_000;
const CATEGORY = 'pane';

/**
 * Variables of the process that hosts FleetAI which must not reach agents: in VS Code's extension host,
 * ELECTRON_RUN_AS_NODE would make every Electron program the agent starts (`code`, for one) run as plain Node.
 * VS Code's own terminals drop them too.
 */
const HOST_ONLY_VARIABLES = ['ELECTRON_RUN_AS_NODE', 'ELECTRON_NO_ATTACH_CONSOLE'];

/**
 * The agents running in one window (or one CLI process): starts them from their profiles, keeps them by id
 * (`p1`, `p2`...), and reports each one added, changing state, or removed. An agent that exits stays listed,
 * as exited, until it is removed. Knows nothing of VS Code: the extension turns its events into a tree view
 * and terminals.
 */
export class PaneRegistry implements Disposable {
  private readonly panes = new Map<string, AgentPane>();
  private readonly subscriptions = new Map<string, Disposable[]>();
  private readonly changeEmitter: Emitter<PaneRegistryChange>;
  private nextId = 1;
  private hooks: PaneHooks | undefined;
  private disposed = false;

  constructor(private readonly options: PaneRegistryOptions) {
    this.changeEmitter = new Emitter((error) =>
      options.log.error(CATEGORY, 'registry.listener.failed', { error: describeError(error) }),
    );
  }

  /** Fired after a pane is added, changes state, or is removed. */
  readonly onDidChange = (listener: (change: PaneRegistryChange) => void): Disposable =>
    this.changeEmitter.event(listener);

  list(): AgentPane[] {
    return [...this.panes.values()];
  }

  get(id: string): AgentPane | undefined {
    return this.panes.get(id);
  }

  /** Like `get`, but an unknown id is an E_PANE_NOT_FOUND error. */
  require(id: string): AgentPane {
    const pane = this.panes.get(id);
    if (!pane) throw new FleetError(ErrorCode.PaneNotFound, `No agent pane "${id}"`, { pane: id });
    return pane;
  }

  /** The profiles for panes started in `cwd`: shipped ones and the workspace's. */
  loadProfiles(cwd: string): Promise<LoadedProfiles> {
    return loadProfiles({
      builtinDir: this.options.builtinProfilesDir,
      workspaceDir: path.join(this.paths(cwd).root, WORKSPACE_PROFILES_DIR),
      log: this.options.log,
    });
  }

  /**
   * Every agent kind that can be started in `cwd`, with where its program is: installed ones first, each
   * group in profile order.
   */
  async agentChoices(cwd: string): Promise<AgentChoice[]> {
    const loaded = await this.loadProfiles(cwd);
    const pathEnv = this.env().PATH ?? '';
    const choices = await Promise.all(
      [...loaded.profiles.values()].map(async (profile) => ({
        kind: profile.kind,
        displayName: profile.displayName,
        command: profile.command,
        args: [...profile.args],
        path: await locateCommand(profile.command, { cwd, pathEnv }),
        offersFleetMcp: Boolean(profile.fleetMcp),
      })),
    );
    return [...choices.filter((c) => c.path), ...choices.filter((c) => !c.path)];
  }

  /**
   * Starts an agent: resolves its profile (kind given or inferred, pattern set for the installed version),
   * checks that its program exists (E_AGENT_NOT_FOUND otherwise, instead of a terminal that dies at once),
   * and runs it in a supervised pane whose transcript goes to `.fleetai/logs/panes/<id>.log`.
   */
  async start(request: StartPaneRequest): Promise<AgentPane> {
    if (this.disposed) throw new FleetError(ErrorCode.Internal, 'The pane registry is closed');
    const env = this.env();
    const loaded = await this.loadProfiles(request.cwd);
    const resolved = await resolveAgent(loaded, {
      ...(request.kind !== undefined ? { kind: request.kind } : {}),
      ...(request.command !== undefined ? { command: request.command } : {}),
      ...(request.args !== undefined ? { args: request.args } : {}),
      env,
    });
    const found = await locateCommand(resolved.command, { cwd: request.cwd, pathEnv: env.PATH ?? '' });
    if (!found) {
      throw new FleetError(
        ErrorCode.AgentNotFound,
        /[\\/]/.test(resolved.command)
          ? `${resolved.command} does not exist or is not executable`
          : `${resolved.command} is not on PATH`,
        { kind: resolved.kind, command: resolved.command },
      );
    }
    if (this.disposed) throw new FleetError(ErrorCode.Internal, 'The pane registry is closed');

    if (request.id !== undefined && this.panes.has(request.id)) {
      throw new FleetError(ErrorCode.Internal, `A pane "${request.id}" already exists`, { pane: request.id });
    }
    const id = request.id ?? this.freshId();
    const withMcp = this.fleetMcpLaunchArgs(id, resolved, request, resolved.args);
    const launch = await this.hookLaunch(id, resolved, request, withMcp, env);
    if (this.disposed) throw new FleetError(ErrorCode.Internal, 'The pane registry is closed');
    const supervised = this.createSupervised(id, resolved, request, launch?.args ?? withMcp, env, launch);
    const pane = new AgentPane(
      id,
      request.name?.trim() || resolved.kind,
      resolved.kind,
      resolved.definition.displayName,
      resolved.command,
      resolved.args,
      request.cwd,
      request.branch,
      resolved.version,
      supervised,
      resolved.definition,
      request,
    );
    this.panes.set(id, pane);
    this.subscriptions.set(id, [
      supervised.onState((event) => this.changeEmitter.fire({ type: 'state', pane, event })),
    ]);
    this.options.log.info(CATEGORY, 'pane.registered', {
      pane: id,
      agent: resolved.kind,
      name: pane.name,
      version: resolved.version,
      ...(resolved.problems.length > 0 ? { profileProblems: resolved.problems } : {}),
    });
    this.changeEmitter.fire({ type: 'added', pane });
    return pane;
  }

  /**
   * Starts the agent again in the same pane with its profile's resume arguments (`codex resume --last`,
   * `claude --continue`), after an exit or a stop. The pane keeps its id, branch and metadata; the old process
   * and screen are closed.
   */
  async restart(id: string): Promise<AgentPane> {
    const pane = this.require(id);
    // Without a resume command (a plain shell) the program simply starts again.
    const resumeArgs = pane.definition?.resume?.args ?? [];
    if (!pane.exited) await this.stop(id);
    const env = this.env();
    const loaded = await this.loadProfiles(pane.cwd);
    const resolved = await resolveAgent(loaded, {
      kind: pane.kind,
      command: pane.command,
      args: pane.args,
      env,
    });
    const args = [...pane.args, ...resumeArgs];
    for (const s of this.subscriptions.get(id) ?? []) s.dispose();
    const old = pane.supervised;
    const request = pane.request ?? { cwd: pane.cwd };
    const withMcp = this.fleetMcpLaunchArgs(id, resolved, request, args);
    const launch = await this.hookLaunch(id, resolved, request, withMcp, env);
    const supervised = this.createSupervised(id, resolved, request, launch?.args ?? withMcp, env, launch);
    pane.supervised = supervised;
    pane.restarted = true;
    pane.stoppedByUser = false;
    pane.startedAt = new Date().toISOString();
    this.subscriptions.set(id, [
      supervised.onState((event) => this.changeEmitter.fire({ type: 'state', pane, event })),
    ]);
    await old.dispose();
    this.options.log.info(CATEGORY, 'pane.restarted', { pane: id, agent: pane.kind, args });
    this.changeEmitter.fire({ type: 'restarted', pane });
    return pane;
  }

  private createSupervised(
    id: string,
    resolved: Awaited<ReturnType<typeof resolveAgent>>,
    request: StartPaneRequest,
    args: readonly string[],
    env: Record<string, string | undefined>,
    launch?: HookLaunch,
  ): SupervisedPane {
    const supervised = new SupervisedPane({
      id,
      command: resolved.command,
      args,
      cwd: request.cwd,
      // FLEETAI_PANE_ID: FleetAI's MCP server (`fleet mcp-server`, started by the agent) attributes reports to it.
      env: { ...env, FLEETAI_PANE_ID: id, ...resolved.definition.env, ...request.env, ...launch?.env },
      ...(request.cols !== undefined ? { cols: request.cols } : {}),
      ...(request.rows !== undefined ? { rows: request.rows } : {}),
      ...(request.branch !== undefined ? { branch: request.branch } : {}),
      transcriptDir: this.paths(request.cwd).paneLogsDir,
      // A VS Code terminal shows the pane and answers the program's terminal queries itself; headless, nothing
      // else would answer them.
      answerQueries: this.options.headless ?? false,
      profile: resolved.profile,
      ptyHost: this.options.ptyHost,
      log: this.options.log,
      ...(this.options.stallTimeoutMs ? { stallTimeoutMs: this.options.stallTimeoutMs() } : {}),
    });
    launch?.bind(supervised);
    // Codex panes follow Codex's app-server protocol too; the module loads with the first Codex pane.
    if (resolved.kind === 'codex') {
      const paneEnv = {
        ...env,
        FLEETAI_PANE_ID: id,
        ...resolved.definition.env,
        ...request.env,
        ...launch?.env,
      };
      // Input waits for the daemon connection (or its absence, said by the attachment), at most 15 s.
      let daemonSettled: () => void = () => undefined;
      supervised.holdInput(
        new Promise<void>((resolve) => (daemonSettled = resolve)),
        CODEX_INPUT_HOLD_MS,
        'codex app-server',
      );
      void import('../agents/codex/codexAttach')
        .then(({ attachCodexAppServer, codexHomeFor }) => {
          const attachment = attachCodexAppServer(supervised, {
            codexHome: codexHomeFor(paneEnv),
            cwd: request.cwd,
            args,
            log: this.options.log,
          });
          supervised.attach(attachment);
          if (attachment.status.state !== 'waiting') daemonSettled();
          const watch = attachment.onStatus((status) => {
            if (status.state === 'waiting') return;
            daemonSettled();
            watch.dispose();
          });
        })
        .catch((error: unknown) => {
          daemonSettled();
          this.options.log.error(CATEGORY, 'pane.codex.attach.failed', {
            pane: id,
            error: describeError(error),
          });
        });
    }
    return supervised;
  }

  /** The bundled `fleet` CLI agents run (`fleet hook`, `fleet mcp-server`); false: none. */
  private bundledCli(): string | false {
    return this.options.hookCli ?? path.resolve(this.options.builtinProfilesDir, '..', 'dist', 'cli.js');
  }

  /** The arguments with the profile's `fleetMcp` ones added, when the request asks for FleetAI's MCP server. */
  private fleetMcpLaunchArgs(
    id: string,
    resolved: Awaited<ReturnType<typeof resolveAgent>>,
    request: StartPaneRequest,
    args: readonly string[],
  ): readonly string[] {
    if (!request.fleetMcp) return args;
    const offer = resolved.definition.fleetMcp;
    if (!offer) {
      throw new FleetError(
        ErrorCode.ConfigSchema,
        `fleetMcp: the ${resolved.kind} profile gives no way to hand this agent an MCP server for one run ` +
          `(no "fleetMcp" in its profile); start pane "${id}" without it`,
        { pane: id, kind: resolved.kind, field: 'fleetMcp' },
      );
    }
    const cli = this.bundledCli();
    if (cli === false || !existsSync(cli)) {
      throw new FleetError(
        ErrorCode.Internal,
        `fleetMcp: the fleet CLI that serves MCP (${cli === false ? 'none configured' : cli}) is missing; run ` +
          '"npm run package"',
        { pane: id, cli: String(cli) },
      );
    }
    const added = fleetMcpArgs(offer, {
      node: process.execPath,
      cli,
      electron: process.versions.electron !== undefined,
      workspace: path.dirname(this.paths(request.cwd).root),
      pane: id,
    });
    this.options.log.info(CATEGORY, 'pane.fleet_mcp', { pane: id, agent: resolved.kind, cli });
    return withFleetMcpArgs(resolved.command, args, added);
  }

  /** The hooks' arguments and environment for an agent whose profile has hooks (see agents/hooks/paneHooks.ts). */
  private hookLaunch(
    id: string,
    resolved: Awaited<ReturnType<typeof resolveAgent>>,
    request: StartPaneRequest,
    args: readonly string[],
    env: Record<string, string | undefined>,
  ): Promise<HookLaunch | undefined> {
    const cli = this.bundledCli();
    if (!resolved.definition.hooks || cli === false || !existsSync(cli)) return Promise.resolve(undefined);
    this.hooks ??= new PaneHooks({ log: this.options.log, cli });
    return this.hooks.prepare({
      id,
      kind: resolved.kind,
      cwd: request.cwd,
      hooks: resolved.definition.hooks,
      approval: resolved.definition.approval,
      args,
      env: { ...env, ...resolved.definition.env, ...request.env },
    });
  }

  private freshId(): string {
    let id: string;
    do id = `p${this.nextId++}`;
    while (this.panes.has(id));
    return id;
  }

  /** Types text for the agent once it waits for input (see `SupervisedPane.send`). */
  send(id: string, text: string, options?: { submit?: boolean; whenReady?: boolean }): Promise<boolean> {
    return this.require(id).supervised.send(text, options);
  }

  /**
   * Ends the agent the way closing its terminal would (SIGHUP), then with SIGKILL if it is still running after
   * the grace period. Resolves with how it ended; the pane stays listed, as exited.
   */
  async stop(id: string): Promise<PtyExit> {
    const agent = this.require(id);
    agent.stoppedByUser = true;
    const pane = agent.supervised.pane;
    if (pane.exit) return pane.exit;
    pane.kill('SIGHUP');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.stopGraceMs ?? 3000);
    });
    const exit = await Promise.race([pane.whenExited(), grace]);
    clearTimeout(timer);
    if (exit) return exit;
    this.options.log.warn(CATEGORY, 'pane.stop.kill', { pane: id });
    pane.kill('SIGKILL');
    return pane.whenExited();
  }

  /** Stops the agent if it still runs, closes its pane (transcript flushed) and drops it from the list. */
  async remove(id: string): Promise<void> {
    const pane = this.require(id);
    if (!pane.exited) await this.stop(id);
    if (!this.panes.delete(id)) return;
    for (const s of this.subscriptions.get(id) ?? []) s.dispose();
    this.subscriptions.delete(id);
    await pane.supervised.dispose();
    this.changeEmitter.fire({ type: 'removed', id });
  }

  /**
   * Resolves with the pane's state once it is `state` (at once if it already is). Rejects with E_PANE_NOT_FOUND
   * for an unknown pane, and when the pane is removed or `timeoutMs` passes first (naming the state it is in).
   */
  waitForState(id: string, state: PaneStateName, timeoutMs: number): Promise<PaneState> {
    const pane = this.require(id);
    if (pane.state.name === state) return Promise.resolve(pane.state);
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        subscription.dispose();
        if (error) reject(error);
        else resolve(pane.state);
      };
      const timer = setTimeout(
        () =>
          finish(
            new FleetError(
              ErrorCode.Internal,
              `Pane ${id} did not reach ${state} within ${timeoutMs} ms; it is ${pane.state.name} (${pane.state.reason})`,
              { pane: id, state, current: pane.state.name },
            ),
          ),
        timeoutMs,
      );
      const subscription = this.changeEmitter.event((change) => {
        if (change.type === 'removed' && change.id === id) {
          finish(new FleetError(ErrorCode.PaneNotFound, `Pane ${id} was removed before it reached ${state}`));
        } else if (change.type === 'state' && change.pane === pane && change.event.to === state) finish();
      });
    });
  }

  /** Kills every agent and closes every pane; for deactivation. No events are fired. */
  async disposeAll(): Promise<void> {
    this.disposed = true;
    this.changeEmitter.dispose();
    const panes = [...this.panes.values()];
    this.panes.clear();
    for (const subs of this.subscriptions.values()) for (const s of subs) s.dispose();
    this.subscriptions.clear();
    await Promise.all(panes.map((p) => p.supervised.dispose()));
    await this.hooks?.close();
  }

  dispose(): void {
    void this.disposeAll();
  }

  private env(): Record<string, string | undefined> {
    const env = { ...(this.options.env?.() ?? process.env) };
    for (const name of HOST_ONLY_VARIABLES) delete env[name];
    return env;
  }

  private paths(cwd: string): WorkspacePaths {
    return this.options.paths ?? workspacePaths(cwd);
  }
}
