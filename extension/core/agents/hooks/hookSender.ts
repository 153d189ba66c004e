import * as net from 'node:net';
import {
  HOOK_MAX_STRING,
  HOOK_PANE_ENV,
  HOOK_SOCKET_ENV,
  HOOK_TOKEN_ENV,
  HOOK_WIRE_VERSION,
  type HookWireMessage,
  type HookWireReply,
} from './hookWire';

/** The whole `fleet hook` run, reading included, ends within this (the agent waits for it). */
const SEND_TIMEOUT_MS = 2000;
/** Claude Code closes the hook's stdin after writing the payload; an inherited terminal never does. */
const STDIN_TIMEOUT_MS = 1000;

export interface HookSendOptions {
  /** The arguments after `hook`: Codex's notify appends its JSON as the last one. */
  args: readonly string[];
  env: Record<string, string | undefined>;
  readStdin?: () => Promise<string | undefined>;
  /** One line per problem; never stdout (Claude Code adds a hook's stdout to the model's context). */
  warn?: (line: string) => void;
}

export type HookSendResult =
  | { sent: true; reply: HookWireReply }
  | { sent: false; why: 'no-env' | 'no-payload' | 'not-json' | 'listener-gone' | 'failed' };

/**
 * `fleet hook`: forwards one agent hook event to the FleetAI process that runs the agent, named by the
 * environment FleetAI gave the agent. It never fails the agent: every outcome is exit code 0, quickly, and a
 * FleetAI that is gone (no socket) is not an error. Only node:net here, so the command starts fast.
 */
export async function sendHook(options: HookSendOptions): Promise<HookSendResult> {
  const warn = options.warn ?? (() => undefined);
  const address = options.env[HOOK_SOCKET_ENV];
  const token = options.env[HOOK_TOKEN_ENV];
  const pane = options.env[HOOK_PANE_ENV];
  // Not started by FleetAI (a user's own config calling `fleet hook`): nothing to tell.
  if (!address || !token || !pane) return { sent: false, why: 'no-env' };

  const text = await payloadText(options);
  if (text === undefined || text.trim() === '') return { sent: false, why: 'no-payload' };
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    warn(`fleet hook: the hook payload is not JSON (${text.length} characters), not sent`);
    return { sent: false, why: 'not-json' };
  }
  const message: HookWireMessage = { v: HOOK_WIRE_VERSION, token, pane, payload: trimPayload(payload) };
  return deliver(address, `${JSON.stringify(message)}\n`, warn);
}

function payloadText(options: HookSendOptions): Promise<string | undefined> {
  // Codex's notify: the JSON is the last argument.
  const last = options.args.at(-1);
  if (last !== undefined && last.trimStart().startsWith('{')) return Promise.resolve(last);
  return options.readStdin ? options.readStdin() : Promise.resolve(undefined);
}

/**
 * FleetAI reads event names, tools, commands and file paths, never tool output: a PostToolUse's
 * `tool_response` (a whole file read) is dropped and long strings (a Write's content) are cut.
 */
export function trimPayload(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length > HOOK_MAX_STRING ? value.slice(0, HOOK_MAX_STRING) : value;
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => trimPayload(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (depth === 0 && key === 'tool_response') continue;
    out[key] = trimPayload(v, depth + 1);
  }
  return out;
}

function deliver(address: string, line: string, warn: (line: string) => void): Promise<HookSendResult> {
  return new Promise((resolve) => {
    let reply = '';
    let done = false;
    const finish = (result: HookSendResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      warn('fleet hook: FleetAI did not answer in time');
      finish({ sent: false, why: 'failed' });
    }, SEND_TIMEOUT_MS);
    const socket = net.createConnection(address, () => socket.end(line));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\n')) settle();
    });
    socket.on('end', settle);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The FleetAI process that started the agent has ended: the agent goes on without it.
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')
        finish({ sent: false, why: 'listener-gone' });
      else {
        warn(`fleet hook: cannot reach FleetAI at ${address}: ${error.message}`);
        finish({ sent: false, why: 'failed' });
      }
    });
    function settle(): void {
      let parsed: HookWireReply;
      try {
        parsed = JSON.parse(reply.split('\n')[0] ?? '') as HookWireReply;
      } catch {
        warn('fleet hook: FleetAI closed the connection without an answer');
        finish({ sent: false, why: 'failed' });
        return;
      }
      if (!parsed.ok)
        warn(`fleet hook: FleetAI refused the event: ${parsed.error.code} ${parsed.error.message}`);
      finish({ sent: true, reply: parsed });
    }
  });
}

/** All of stdin as text; undefined for a terminal, or when it does not close in time. */
export function readProcessStdin(timeoutMs = STDIN_TIMEOUT_MS): Promise<string | undefined> {
  const stdin = process.stdin;
  if (stdin.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      stdin.removeAllListeners('data');
      stdin.removeAllListeners('end');
      stdin.removeAllListeners('error');
      stdin.pause();
      stdin.unref?.();
      resolve(value);
    };
    const timer = setTimeout(
      () => done(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined),
      timeoutMs,
    );
    stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdin.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    stdin.on('error', () => done(undefined));
  });
}
