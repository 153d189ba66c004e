import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import { writeJsonAtomic } from '../store/jsonStore';
import { formatIssues } from '../schemas/issues';
import {
  controlRequestSchema,
  type ControlFile,
  type ControlRequest,
  type ControlResponse,
} from './controlProtocol';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

/** A unix socket path must fit in sun_path (108 bytes on Linux, 104 on macOS); deep workspaces fall back to tmp. */
const MAX_SOCKET_PATH = 100;

export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlServer {
  readonly socket: string;
  close(): Promise<void>;
}

/**
 * Serves the control channel. Every request must carry the token (compared in constant time); a request without
 * it, malformed JSON or an unknown method gets a coded error naming the problem, never a crash, and is logged
 * without the token.
 */
export async function startControlServer(options: {
  preferredSocket: string;
  controlFile: string;
  workspace: string;
  handler: ControlHandler;
  log: Logger;
}): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const socket = await usableSocketPath(options.preferredSocket);
  const server = net.createServer((connection) => {
    connection.setEncoding('utf8');
    let buffer = '';
    connection.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 1_000_000) {
        connection.destroy();
        return;
      }
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        void answer(line).then((response) => {
          if (!connection.destroyed) connection.write(`${JSON.stringify(response)}\n`);
        });
      }
    });
    connection.on('error', () => undefined);
  });

  const answer = async (line: string): Promise<ControlResponse> => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      options.log.warn('control', 'control.request.malformed', { error: describeError(error) });
      return {
        id: -1,
        ok: false,
        error: { code: 'E_CONTROL_MALFORMED', message: `not JSON: ${describeError(error)}` },
      };
    }
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
    const parsed = controlRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = formatIssues(parsed.error.issues).join('; ');
      options.log.warn('control', 'control.request.invalid', { problems });
      return { id, ok: false, error: { code: 'E_CONTROL_MALFORMED', message: problems } };
    }
    const given = Buffer.from(parsed.data.token);
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      options.log.warn('control', 'control.request.unauthorized', { method: parsed.data.method });
      return { id, ok: false, error: { code: 'E_CONTROL_TOKEN', message: 'wrong or missing control token' } };
    }
    try {
      return { id, ok: true, value: (await options.handler(parsed.data)) ?? null };
    } catch (error) {
      const code =
        error instanceof ControlError
          ? error.code
          : ((error as { code?: unknown }).code as string | undefined);
      return {
        id,
        ok: false,
        error: { code: typeof code === 'string' ? code : 'E_CONTROL_FAILED', message: describeError(error) },
      };
    }
  };

  if (process.platform !== 'win32') await fs.rm(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') await fs.chmod(socket, 0o600).catch(() => undefined);
  const file: ControlFile = {
    socket,
    token,
    pid: process.pid,
    started_at: new Date().toISOString(),
    workspace: options.workspace,
  };
  await writeJsonAtomic(options.controlFile, file);
  options.log.info('control', 'control.listening', { socket });
  return {
    socket,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (process.platform !== 'win32') await fs.rm(socket, { force: true });
      // Only our own file: another supervisor may have taken over the workspace since.
      const current = await fs.readFile(options.controlFile, 'utf8').catch(() => '');
      if (current.includes(token)) await fs.rm(options.controlFile, { force: true });
    },
  };
}

async function usableSocketPath(preferred: string): Promise<string> {
  if (process.platform === 'win32' || Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) {
    await fs.mkdir(path.dirname(preferred), { recursive: true }).catch(() => undefined);
    return preferred;
  }
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'fleetai-'));
  return path.join(dir, 'control.sock');
}
