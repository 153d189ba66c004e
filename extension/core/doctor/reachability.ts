import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import { describeError } from '../errors';
import { timeoutSignal } from '../timeoutSignal';

/** Network probes for `fleet doctor`: they look, they never send a message anywhere. */

export type HttpProbe = { ok: true; status: number; body: string } | { ok: false; reason: string };

/**
 * GET `url` with a deadline. Any HTTP answer counts as reached (the status says the rest); only a network
 * failure or the deadline is `ok: false`. At most 64 KiB of the body is kept.
 */
export async function probeHttp(
  url: string,
  options: { timeoutMs: number; headers?: Record<string, string> },
): Promise<HttpProbe> {
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: options.headers ?? {},
      redirect: 'manual',
      signal: timeoutSignal(options.timeoutMs),
    });
    const body = await readSome(response, 64 * 1024, options.timeoutMs);
    return { ok: true, status: response.status, body };
  } catch (error) {
    return { ok: false, reason: networkReason(error, options.timeoutMs) };
  }
}

async function readSome(response: Response, limit: number, timeoutMs: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const deadline = setTimeout(() => void reader.cancel().catch(() => undefined), timeoutMs);
  try {
    while (size < limit) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done || !value) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still tells that the server answered.
  } finally {
    clearTimeout(deadline);
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** fetch() wraps the interesting part ("ECONNREFUSED 127.0.0.1:9") in `cause`. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (cause instanceof Error) return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  return describeError(error);
}

/** Resolves `host` and opens (then closes) a TCP connection to `port`: reachability without a request. */
export async function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
  let address: string;
  try {
    address = net.isIP(host) ? host : (await withDeadline(dns.lookup(host), timeoutMs, 'DNS lookup')).address;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === 'ENOTFOUND' ? `${host} does not resolve (DNS)` : describeError(error),
    };
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (result: { ok: true; address: string } | { ok: false; reason: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `no TCP connection to ${address}:${port} within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ ok: true, address }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, reason: `${error.code ?? 'error'} connecting to ${address}:${port}` }),
    );
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Whether something listens on the unix socket (named pipe) at `socket`: `listening`, `refused` (a file is there
 * but nobody accepts: left behind by a process that did not exit cleanly), `absent`, or `other` with the reason.
 */
export async function probeSocket(
  socket: string,
  timeoutMs: number,
): Promise<{ state: 'listening' | 'refused' | 'absent' } | { state: 'other'; reason: string }> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    const done = (
      result: { state: 'listening' | 'refused' | 'absent' } | { state: 'other'; reason: string },
    ): void => {
      clearTimeout(timer);
      connection.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ state: 'other', reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    connection.once('connect', () => done({ state: 'listening' }));
    connection.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done({ state: 'refused' });
      else if (error.code === 'ENOENT') done({ state: 'absent' });
      else done({ state: 'other', reason: `${error.code ?? 'error'}: ${error.message}` });
    });
  });
}

/** A URL fit to print: no user name, password, query (webhook keys live there) or fragment. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
