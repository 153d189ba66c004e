import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * `dist/approve.js`: `fleet approvals:approve ID` and `fleet approvals:deny ID --reason TEXT` through a running
 * supervisor's control socket, without loading the whole CLI (zod, commander, the core): the answer reaches the
 * agent ~100 ms sooner. With no supervisor to answer, the whole CLI takes over and decides in the approval files.
 * Output and exit codes are those of the whole CLI (extension/cli/controlCommands.ts).
 */
interface Args {
  decision: 'approve' | 'approve_for_session' | 'deny';
  id?: string;
  reason?: string;
  workspace: string;
  json: boolean;
  unknown: boolean;
}

function parse(argv: string[]): Args {
  const [command, ...rest] = argv;
  const args: Args = {
    decision: command === 'approvals:deny' ? 'deny' : 'approve',
    workspace: process.cwd(),
    json: false,
    unknown: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--session' && args.decision === 'approve') args.decision = 'approve_for_session';
    else if ((a === '-r' || a === '--reason') && i + 1 < rest.length) args.reason = rest[++i];
    else if ((a === '-w' || a === '--workspace') && i + 1 < rest.length) args.workspace = rest[++i]!;
    else if (!a.startsWith('-') && args.id === undefined) args.id = a;
    else args.unknown = true;
  }
  return args;
}

function wholeCli(): void {
  const load = require as (id: string) => unknown;
  load(path.join(__dirname, 'fleet.js'));
}

interface Control {
  socket: string;
  token: string;
}

function readControl(workspace: string): Control | undefined {
  try {
    const data = JSON.parse(
      readFileSync(path.join(path.resolve(workspace), '.fleetai', 'state', 'control.json'), 'utf8'),
    ) as Partial<Control>;
    return typeof data.socket === 'string' && typeof data.token === 'string'
      ? { socket: data.socket, token: data.token }
      : undefined;
  } catch {
    return undefined;
  }
}

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

function ask(control: Control, params: Record<string, unknown>): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const socket = net.createConnection(control.socket);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, 10_000);
    socket.setEncoding('utf8');
    socket.on('connect', () =>
      socket.write(
        `${JSON.stringify({ id: 1, token: control.token, method: 'approvals.decide', params })}\n`,
      ),
    );
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buffer.slice(0, end)) as Answer);
      } catch {
        resolve(undefined);
      }
    });
    // Nobody listens (a supervisor that died and left its file): the whole CLI decides in the files.
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const control = args.id && !args.unknown ? readControl(args.workspace) : undefined;
  // Usage errors, and workspaces without a supervisor, are the whole CLI's to handle.
  if (!control || !args.id) return wholeCli();
  const answer = await ask(control, {
    id: args.id,
    decision: args.decision,
    ...(args.reason ? { message: args.reason } : {}),
  });
  if (!answer || (!answer.ok && answer.error.code === 'E_CONTROL_UNREACHABLE')) return wholeCli();
  const name = args.decision === 'deny' ? 'approvals:deny' : 'approvals:approve';
  if (!answer.ok) {
    if (args.json) process.stdout.write(`${JSON.stringify({ ok: false, error: answer.error })}\n`);
    process.stderr.write(`fleet ${name}: ${answer.error.message} (${answer.error.code})\n`);
    process.exitCode = 1;
    return;
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, record: answer.value })}\n`);
  else process.stdout.write(`${args.decision === 'deny' ? 'denied' : 'approved'} ${args.id}\n`);
}

void main();
