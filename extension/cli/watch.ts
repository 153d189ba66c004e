import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { createAppLog, createMemoryLog, type Logger } from '../core/observability/appLog';
import { nodePtyHost } from '../core/panes/ptyHost';
import { SupervisedPane, type RuntimeProfile } from '../core/panes/supervisedPane';
import type { PaneStateEvent } from '../core/panes/types';
import type { AgentHooks, AgentProfileApproval } from '../core/schemas/agentProfile';
import { workspacePaths } from '../core/workspacePaths';

export interface WatchOptions {
  command: string;
  args: string[];
  cwd: string;
  profile: RuntimeProfile;
  /** Append state changes as JSON lines to this file. */
  eventsFile?: string;
  /** Write state changes as JSON lines to stderr. */
  json?: boolean;
  stallTimeoutSeconds: number;
  /** The profile's hooks (`fleet watch --no-hooks` leaves this out). */
  hooks?: { setup: AgentHooks; approval: AgentProfileApproval | null };
  /** Follow a Codex pane through Codex's app-server protocol too (default); `fleet watch --no-protocol` says no. */
  protocol?: boolean;
}

/** One line per state change: flat, so `jq` and tests read it without knowing FleetAI's types. */
export function watchLine(event: PaneStateEvent): string {
  // `type` is always pane.state here; the line says `state` instead of `to`.
  const { type, ts, pane, agent, to, ...rest } = event;
  return `${JSON.stringify({ ts, pane, agent, state: to, ...rest })}\n`;
}

/**
 * `fleet watch -- COMMAND`: runs the command in a supervised pane inside this terminal. The user sees and uses
 * the agent as usual (raw keys in, screen out); FleetAI reports what it thinks the agent is doing.
 */
export async function runWatch(options: WatchOptions): Promise<number> {
  const paths = workspacePaths(options.cwd);
  // Only a workspace that already uses FleetAI gets its log and transcripts: a debugging run leaves no trace
  // elsewhere.
  const usesFleet = existsSync(paths.root);
  const log: Logger = usesFleet ? createAppLog({ file: paths.appLog }) : createMemoryLog();
  let events: WriteStream | undefined;
  if (options.eventsFile) events = createWriteStream(path.resolve(options.eventsFile), { flags: 'a' });

  const stdin = process.stdin;
  const stdout = process.stdout;
  const interactive = stdin.isTTY && stdout.isTTY;
  const id = `watch-${process.pid}`;
  // Loaded only for agents with hooks: `fleet watch -- bash` does not pay for the listener.
  const hooks = options.hooks
    ? new (await import('../core/agents/hooks/paneHooks')).PaneHooks({ log, cli: ownScript() })
    : undefined;
  const launch = await hooks?.prepare({
    id,
    kind: options.profile.kind,
    cwd: options.cwd,
    hooks: options.hooks?.setup,
    approval: options.hooks?.approval,
    args: options.args,
    env: process.env,
  });
  const sp = new SupervisedPane({
    id,
    command: options.command,
    args: launch?.args ?? options.args,
    ...(launch ? { env: { ...process.env, ...launch.env } } : {}),
    cwd: options.cwd,
    cols: stdout.columns || 120,
    rows: stdout.rows || 40,
    profile: options.profile,
    ptyHost: nodePtyHost(),
    log,
    stallTimeoutMs: options.stallTimeoutSeconds * 1000,
    ...(usesFleet ? { transcriptDir: paths.paneLogsDir } : {}),
    // The outer terminal answers the agent's queries (cursor position...) when there is one.
    answerQueries: !stdout.isTTY,
  });
  launch?.bind(sp);
  if (options.profile.kind === 'codex' && options.protocol !== false) {
    const { attachCodexAppServer, codexHomeFor } = await import('../core/agents/codex/codexAttach');
    sp.attach(
      attachCodexAppServer(sp, {
        codexHome: codexHomeFor(launch ? { ...process.env, ...launch.env } : process.env),
        cwd: options.cwd,
        args: launch?.args ?? options.args,
        log,
      }),
    );
  }
  sp.onState((event) => {
    const line = watchLine(event);
    events?.write(line);
    if (options.json) process.stderr.write(line);
  });

  sp.pane.onData((data) => stdout.write(data));
  const onInput = (data: Buffer): void => sp.pane.write(data.toString('utf8'));
  if (interactive) stdin.setRawMode(true);
  stdin.on('data', onInput);
  stdin.resume();
  const onResize = (): void => sp.pane.resize(stdout.columns, stdout.rows);
  stdout.on('resize', onResize);
  const forward = (signal: NodeJS.Signals): void => sp.pane.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);

  const exit = await sp.pane.whenExited();
  stdin.off('data', onInput);
  stdout.off('resize', onResize);
  process.off('SIGTERM', forward);
  process.off('SIGHUP', forward);
  if (interactive) stdin.setRawMode(false);
  stdin.pause();
  await sp.dispose();
  await hooks?.close();
  await log.close();
  if (events) await new Promise<void>((resolve) => events.end(resolve));
  return exit.signal ? 128 + exit.signal : exit.exitCode;
}

/** This CLI's own file (`dist/cli.js`), which the agent's hooks run as `fleet hook`. */
function ownScript(): string {
  return typeof __filename === 'string' && __filename.endsWith('.js')
    ? __filename
    : path.resolve(process.argv[1] ?? '');
}
