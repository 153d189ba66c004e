import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppServerClient } from '../../../extension/core/agents/codex/appServerClient';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { caught, useTempDirs } from '../helpers';

// The JSON-RPC client against a real WebSocket server on a real unix socket, playing the app-server's side
// (the real daemon is exercised in test/agents/codexAppServer.test.ts; here the server misbehaves on purpose:
// slow answers, errors, garbage, a dropped connection).

const tempDir = useTempDirs();
const servers: { http: Server; wss: WebSocketServer }[] = [];
const clients: AppServerClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const { http, wss } of servers.splice(0)) {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  }
});

/** A server whose `onMessage` plays the daemon; the folder has a space, which `ws+unix:` URLs cannot carry. */
async function server(
  onMessage: (
    ws: WebSocket,
    message: { id?: number; method?: string; params?: unknown; result?: unknown },
  ) => void,
): Promise<{ socketPath: string; sockets: WebSocket[] }> {
  const dir = path.join(tempDir(), 'with space');
  mkdirSync(dir);
  const socketPath = path.join(dir, 's.sock');
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) =>
      onMessage(ws, JSON.parse((data as Buffer).toString('utf8')) as { id?: number; method?: string }),
    );
  });
  await new Promise<void>((resolve) => http.listen(socketPath, resolve));
  servers.push({ http, wss });
  return { socketPath, sockets };
}

async function connect(socketPath: string, requestTimeoutMs?: number): Promise<AppServerClient> {
  const client = await AppServerClient.connect({
    socketPath,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
  clients.push(client);
  return client;
}

describe('AppServerClient (JSON-RPC over WebSocket over a unix socket)', () => {
  it('requests get their own answers, in any order; the wire has no jsonrpc member, as Codex speaks it', async () => {
    const seen: unknown[] = [];
    const { socketPath } = await server((ws, m) => {
      seen.push(m);
      // Answer the second request first.
      const answer = () => ws.send(JSON.stringify({ id: m.id, result: { echo: m.params } }));
      if (m.method === 'slow') setTimeout(answer, 50);
      else answer();
    });
    const client = await connect(socketPath);
    const [a, b] = await Promise.all([client.request('slow', { n: 1 }), client.request('fast', { n: 2 })]);
    expect(a).toEqual({ echo: { n: 1 } });
    expect(b).toEqual({ echo: { n: 2 } });
    expect(seen).toEqual([
      { id: 1, method: 'slow', params: { n: 1 } },
      { id: 2, method: 'fast', params: { n: 2 } },
    ]);
  });

  it('a JSON-RPC error answer is E_CODEX_APP_SERVER_RPC with the method and code', async () => {
    const { socketPath } = await server((ws, m) =>
      ws.send(
        JSON.stringify({ id: m.id, error: { code: -32600, message: 'no rollout found for thread id x' } }),
      ),
    );
    const client = await connect(socketPath);
    const error = await caught(() => client.request('thread/resume', { threadId: 'x' }));
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({
      code: ErrorCode.CodexAppServerRpc,
      details: { method: 'thread/resume', rpcCode: -32600 },
    });
    expect((error as Error).message).toContain('no rollout found');
  });

  it('no answer in time is E_CODEX_APP_SERVER_TIMEOUT naming the socket; a late answer is dropped', async () => {
    let late: (() => void) | undefined;
    const { socketPath } = await server((ws, m) => {
      late = () => ws.send(JSON.stringify({ id: m.id, result: {} }));
    });
    const client = await connect(socketPath, 100);
    const error = await caught(() => client.request('thread/loaded/list'));
    expect(error).toMatchObject({ code: ErrorCode.CodexAppServerTimeout });
    expect((error as Error).message).toContain(socketPath);
    late?.();
    expect(client.closed).toBe(false);
  });

  it('notifications and server requests are events; a server request is answered later with respond', async () => {
    const answers: unknown[] = [];
    const { socketPath, sockets } = await server((_ws, m) => answers.push(m));
    const client = await connect(socketPath);
    const notifications: unknown[] = [];
    const requests: unknown[] = [];
    client.onNotification((n) => notifications.push(n));
    client.onServerRequest((r) => requests.push(r));
    await until(() => sockets.length === 1);
    sockets[0]?.send(JSON.stringify({ method: 'turn/started', params: { threadId: 't' } }));
    sockets[0]?.send(
      JSON.stringify({ id: 0, method: 'item/commandExecution/requestApproval', params: { a: 1 } }),
    );
    await until(() => requests.length === 1);
    expect(notifications).toEqual([{ method: 'turn/started', params: { threadId: 't' } }]);
    expect(requests).toEqual([{ id: 0, method: 'item/commandExecution/requestApproval', params: { a: 1 } }]);
    expect(client.respond(0, { decision: 'accept' })).toBe(true);
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ id: 0, result: { decision: 'accept' } }]);
  });

  it('garbage is a protocol error event, and the connection stays usable', async () => {
    const { socketPath, sockets } = await server((ws, m) => ws.send(JSON.stringify({ id: m.id, result: 1 })));
    const client = await connect(socketPath);
    const errors: FleetError[] = [];
    client.onProtocolError((e) => errors.push(e));
    await until(() => sockets.length === 1);
    sockets[0]?.send('not json');
    sockets[0]?.send(JSON.stringify({ hello: 'world' }));
    await until(() => errors.length === 2);
    expect(errors.map((e) => e.code)).toEqual([
      ErrorCode.CodexAppServerProtocol,
      ErrorCode.CodexAppServerProtocol,
    ]);
    expect(await client.request('ping')).toBe(1);
  });

  it('the server going away fails pending requests (E_CODEX_APP_SERVER_CLOSED) and fires onClose once', async () => {
    const { socketPath, sockets } = await server(() => undefined);
    const client = await connect(socketPath);
    const closes: unknown[] = [];
    client.onClose((c) => closes.push(c));
    const pending = client.request('thread/read', { threadId: 't' });
    await until(() => sockets.length === 1);
    sockets[0]?.terminate();
    const error = await caught(() => pending);
    expect(error).toMatchObject({ code: ErrorCode.CodexAppServerClosed });
    await until(() => closes.length === 1);
    expect(client.closed).toBe(true);
    expect(client.respond(1, {})).toBe(false);
    expect(await caught(() => client.request('x'))).toMatchObject({ code: ErrorCode.CodexAppServerClosed });
    await client.close();
    expect(closes).toHaveLength(1);
  });

  it('a missing socket, or a path too long for a unix socket, is E_CODEX_APP_SERVER_CONNECT naming it', async () => {
    const missing = path.join(tempDir(), 'none.sock');
    const error = await caught(() => AppServerClient.connect({ socketPath: missing }));
    expect(error).toMatchObject({ code: ErrorCode.CodexAppServerConnect, details: { socket: missing } });
    expect((error as Error).message).toContain(missing);
    const long = `/tmp/${'x'.repeat(120)}.sock`;
    const tooLong = await caught(() => AppServerClient.connect({ socketPath: long }));
    expect(tooLong).toMatchObject({ code: ErrorCode.CodexAppServerConnect });
    expect((tooLong as Error).message).toContain('too long');
  });
});

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
