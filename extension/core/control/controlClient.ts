import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import { ErrorCode, FleetError, describeError } from '../errors';
import { parseJsonText } from '../store/jsonStore';
import type { CONTROL_METHODS } from './controlProtocol';
import { controlFileSchema, type ControlFile, type ControlResponse } from './controlProtocol';

type Method = (typeof CONTROL_METHODS)[number];

/** Reads `.fleetai/state/control.json`; undefined when no supervisor runs for the workspace. */
export async function readControlFile(file: string): Promise<ControlFile | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return parseJsonText(file, text, controlFileSchema);
}

/**
 * One request to the running supervisor. E_CONTROL_UNREACHABLE names the socket when nothing answers (the
 * supervisor is gone and left its file behind), E_CONTROL_TIMEOUT when it does not answer in time.
 */
export async function callControl(
  control: ControlFile,
  method: Method,
  params: Record<string, unknown> = {},
  timeoutMs = 10_000,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(control.socket);
    let buffer = '';
    const timer = setTimeout(() => {
      connection.destroy();
      reject(
        new FleetError(
          ErrorCode.ControlTimeout,
          `The supervisor at ${control.socket} did not answer within ${timeoutMs} ms`,
          { socket: control.socket },
        ),
      );
    }, timeoutMs);
    connection.setEncoding('utf8');
    connection.on('connect', () => {
      connection.write(`${JSON.stringify({ id: 1, token: control.token, method, params })}\n`);
    });
    connection.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      connection.end();
      try {
        resolve(JSON.parse(buffer.slice(0, newline)) as ControlResponse);
      } catch (error) {
        reject(
          new FleetError(
            ErrorCode.ControlUnreachable,
            `Bad answer from ${control.socket}: ${describeError(error)}`,
          ),
        );
      }
    });
    connection.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new FleetError(
          ErrorCode.ControlUnreachable,
          `No supervisor answers at ${control.socket} (pid ${control.pid}, started ${control.started_at}): ${describeError(error)}`,
          { socket: control.socket },
        ),
      );
    });
  });
}

/** A supervisor's answer, flattened: the value, or a code and a message a person can read. */
export type SupervisorAnswer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/**
 * Reads the workspace's control file and asks its supervisor; undefined when no supervisor runs. Never throws:
 * an unreadable control file is `E_CONTROL_FILE`, a supervisor that left its file behind `E_CONTROL_UNREACHABLE`
 * (or the socket's own code), a slow one `E_CONTROL_TIMEOUT`. Shared by the CLI, FleetAI's MCP server and
 * `fleet mcp:*`, which differ only in what they do when nobody answers.
 */
export async function askSupervisor(
  controlFile: string,
  method: Method,
  params: Record<string, unknown> = {},
  timeoutMs?: number,
): Promise<SupervisorAnswer | undefined> {
  let control: ControlFile | undefined;
  try {
    control = await readControlFile(controlFile);
  } catch (error) {
    return { ok: false, code: 'E_CONTROL_FILE', message: describeError(error) };
  }
  if (!control) return undefined;
  try {
    const response = await callControl(control, method, params, timeoutMs);
    return response.ok
      ? { ok: true, value: response.value }
      : { ok: false, code: response.error.code, message: response.error.message };
  } catch (error) {
    return {
      ok: false,
      code: (error as { code?: string }).code ?? 'E_CONTROL_UNREACHABLE',
      message: describeError(error),
    };
  }
}
