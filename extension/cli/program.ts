import { Command, InvalidArgumentError, Option } from 'commander';
import { promises as fs } from 'node:fs';
import type { AppLogLine } from '../core/observability/logLine';
import { fleetVersion } from '../core/version';
import { workspacePaths } from '../core/workspacePaths';
import { registerAgentsConfigCommands } from './agentsConfigCli';
import { registerBackupCommands } from './backupCli';
import { registerInitCommand } from './initCli';
import type { CliIo } from './io';
import { registerMcpCommands } from './mcpCli';
import { registerMcpServerCommand } from './mcpServerCli';
import { registerPlanCommands } from './planCli';
import { registerPlanDesignCommand } from './planDesignCli';
import { registerReviewCommand } from './reviewCli';
import { registerServiceCommands } from './serviceCli';
import { registerSupervisorCommands } from './supervisorCommands';
import { registerTasksCommands } from './tasksCli';

export type { CliIo } from './io';

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * The `fleet` command: the same core as the extension, headless, for servers, CI and scripts. Sub-commands load
 * their modules when they run, so `fleet --help` starts fast.
 */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('fleet')
    .description(
      'FleetAI: supervise a fleet of terminal AI coding agents (Codex, Claude Code, Gemini CLI, Aider).',
    )
    .version(fleetVersion, '-v, --version', 'print the FleetAI version')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .showHelpAfterError()
    .exitOverride();

  program
    .command('doctor')
    .description(
      'check node-pty, the state folder, which agent CLIs are installed, and the workspace orchestrator config ' +
        '(its agents, environment variables, model endpoint, webhooks, control socket)',
    )
    .option('-w, --workspace <dir>', 'workspace whose .fleetai/ must be writable', process.cwd())
    .option('--json', 'print the report as JSON')
    .action(async (opts: { workspace: string; json?: boolean }) => {
      const { runDoctor } = await import('../core/doctor/doctor');
      const { builtinProfilesDir } = await import('./resolveAgent');
      const paths = workspacePaths(opts.workspace);
      const report = await runDoctor({
        stateRoot: paths.root,
        workspace: paths,
        builtinProfilesDir: builtinProfilesDir(),
      });
      if (opts.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
      else {
        for (const check of report.checks) {
          const mark = check.status === 'ok' ? 'ok  ' : check.status === 'warn' ? 'warn' : 'FAIL';
          io.out(`${mark}  ${check.summary}${check.detail ? `\n      ${check.detail}` : ''}\n`);
        }
      }
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('log')
    .description('print the newest lines of the workspace application log (.fleetai/logs/app.jsonl)')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .addOption(
      new Option('-n, --limit <count>', 'how many lines')
        .default(20)
        .argParser((v) => parsePositive(v, '--limit')),
    )
    .option('-c, --category <name>', 'only this category')
    .option('--json', 'print raw JSON lines')
    .action(async (opts: { workspace: string; limit: number; category?: string; json?: boolean }) => {
      const file = workspacePaths(opts.workspace).appLog;
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        io.err(`fleet log: no log at ${file}\n`);
        process.exitCode = 1;
        return;
      }
      // Loaded on use: `fleet --help` should not pay for zod.
      const { AppLogLine } = await import('../core/observability/logLine');
      const lines: AppLogLine[] = [];
      text.split('\n').forEach((raw, index) => {
        if (!raw.trim()) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          io.err(`${file}:${index + 1}: not JSON, skipped\n`);
          return;
        }
        const line = AppLogLine.safeParse(parsed);
        if (!line.success) io.err(`${file}:${index + 1}: not a FleetAI log line, skipped\n`);
        else if (!opts.category || line.data.category === opts.category) lines.push(line.data);
      });
      for (const line of lines.slice(-opts.limit)) {
        if (opts.json) io.out(`${JSON.stringify(line)}\n`);
        else
          io.out(
            `${line.ts} ${line.level.padEnd(5)} ${line.category}/${line.event}${line.context ? ` ${JSON.stringify(line.context)}` : ''}\n`,
          );
      }
    });

  program
    .command('replay')
    .description(
      'summarise the application log: event counts, time span, last command, largest queue depth, approvals, ' +
        'pane states, recoveries, errors',
    )
    .option('-w, --workspace <dir>', 'workspace whose .fleetai/logs/app.jsonl to read', process.cwd())
    .option('-l, --log <file>', 'the JSONL log to read (default: the workspace log)')
    .option('-b, --branch <name>', 'only events of this branch')
    .addOption(
      new Option('-n, --limit <count>', 'only the newest N matching events').argParser((v) =>
        parsePositive(v, '--limit'),
      ),
    )
    .option('--json', 'print the summary as one JSON object')
    .action(
      async (opts: { workspace: string; log?: string; branch?: string; limit?: number; json?: boolean }) => {
        const { replayLog, formatReplay } = await import('../core/audit/replay');
        const file = opts.log ?? workspacePaths(opts.workspace).appLog;
        try {
          const summary = await replayLog(file, {
            ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
            ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          });
          io.out(opts.json ? `${JSON.stringify(summary)}\n` : formatReplay(summary));
        } catch (error) {
          io.err(`fleet replay: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exitCode = 1;
        }
      },
    );

  program
    .command('watch')
    .description(
      'run COMMAND in a supervised pane inside this terminal and report each state change it detects ' +
        '(working, awaiting_approval, awaiting_input, stalled, error, exited)',
    )
    .usage('[options] -- COMMAND [ARGS...]')
    .option(
      '-a, --agent <kind>',
      'agent profile to use (codex, claude, gemini, aider, shell...); inferred from COMMAND',
    )
    .option('-e, --events <file>', 'append each state change as a JSON line to this file')
    .option('--json', 'write each state change as a JSON line to stderr')
    .addOption(
      new Option('-s, --stall-timeout <seconds>', 'working without progress this long counts as stalled')
        .default(120)
        .argParser((v) => parsePositive(v, '--stall-timeout')),
    )
    .option('-C, --cwd <dir>', 'folder to run COMMAND in', process.cwd())
    .option('--no-hooks', "read the agent's screen only: no Claude Code hooks, no Codex notify")
    .option(
      '--no-protocol',
      "don't follow Codex through its app-server protocol: read its screen (and hooks) only",
    )
    .argument('<command...>', 'the agent command line, after --')
    .action(
      async (
        commandLine: string[],
        opts: {
          agent?: string;
          events?: string;
          json?: boolean;
          stallTimeout: number;
          cwd: string;
          hooks: boolean;
          protocol: boolean;
        },
      ) => {
        const { resolveAgent } = await import('./resolveAgent');
        const { runWatch } = await import('./watch');
        const [command, ...args] = commandLine as [string, ...string[]];
        const resolved = await resolveAgent({
          command,
          args,
          cwd: opts.cwd,
          ...(opts.agent ? { kind: opts.agent } : {}),
        });
        for (const problem of resolved.problems) io.err(`fleet watch: skipped ${problem}\n`);
        process.exitCode = await runWatch({
          command,
          args,
          cwd: opts.cwd,
          profile: resolved.profile,
          stallTimeoutSeconds: opts.stallTimeout,
          ...(opts.events ? { eventsFile: opts.events } : {}),
          ...(opts.json ? { json: true } : {}),
          ...(opts.hooks && resolved.hooks
            ? { hooks: { setup: resolved.hooks, approval: resolved.approval } }
            : {}),
          ...(opts.protocol ? {} : { protocol: false }),
        });
      },
    );

  program
    .command('hook')
    .description(
      'forward an agent hook event to the FleetAI process that runs the agent: Claude Code hooks pass their JSON ' +
        'on stdin, Codex notify as the last argument. Prints nothing and always exits 0, so it never blocks or ' +
        'breaks the agent',
    )
    .argument('[payload...]', "Codex notify's JSON")
    .allowUnknownOption()
    .action(async (payload: string[]) => {
      const { runHook } = await import('./hook');
      await runHook(payload, io);
      process.exitCode = 0;
    });

  registerInitCommand(program, io);
  registerSupervisorCommands(program, io);
  registerPlanCommands(program, io);
  registerPlanDesignCommand(program, io);
  registerTasksCommands(program, io);
  registerReviewCommand(program, io);
  registerMcpServerCommand(program, io);
  registerMcpCommands(program, io);
  registerAgentsConfigCommands(program, io);
  registerBackupCommands(program, io);
  registerServiceCommands(program, io);
  return program;
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}
