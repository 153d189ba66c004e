import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorPayload } from '../../extension/protocol/envelope';
import { Endpoint, ProtocolErrorCode, type RequestHandlers } from '../../extension/protocol/endpoint';
import type { FleetSnapshot, HostInfo } from '../../extension/protocol/messages';
import { createMemoryTransportPair, type Transport } from '../../extension/protocol/transport';

const info: HostInfo = {
  name: 'FleetAI',
  version: '1.2.3',
  hostVersion: '1.95.0',
  uiLanguage: 'en',
  workspace: '/w',
};

const snapshot: FleetSnapshot = {
  heartbeat: 'running',
  panes: 3,
  pendingApprovals: 1,
  updatedAt: '2025-01-02T03:04:05.000Z',
};

interface Pair {
  host: Endpoint;
  webview: Endpoint;
  hostTransport: Transport;
  webviewTransport: Transport;
  hostErrors: { error: ErrorPayload; raw: unknown }[];
  webviewErrors: { error: ErrorPayload; raw: unknown }[];
}

const open: Endpoint[] = [];
afterEach(() => {
  for (const endpoint of open.splice(0)) endpoint.dispose();
});

function connect(handlers: RequestHandlers = {}): Pair {
  const [hostTransport, webviewTransport] = createMemoryTransportPair();
  const hostErrors: Pair['hostErrors'] = [];
  const webviewErrors: Pair['webviewErrors'] = [];
  const host = new Endpoint(hostTransport, handlers, {
    idPrefix: 'host',
    onProtocolError: (error, raw) => hostErrors.push({ error, raw }),
  });
  const webview = new Endpoint(
    webviewTransport,
    {},
    {
      idPrefix: 'view',
      timeoutMs: 2000,
      onProtocolError: (error, raw) => webviewErrors.push({ error, raw }),
    },
  );
  open.push(host, webview);
  return { host, webview, hostTransport, webviewTransport, hostErrors, webviewErrors };
}

/** Lets queued microtasks and already-due timers run. */
const settle = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Endpoint requests', () => {
  it('answers a request with {ok:true, value}', async () => {
    const getInfo = vi.fn(() => info);
    const { webview } = connect({ 'host.getInfo': getInfo });
    await expect(webview.request('host.getInfo', {})).resolves.toEqual({ ok: true, value: info });
    expect(getInfo).toHaveBeenCalledWith({});
  });

  it('accepts asynchronous handlers and keeps concurrent requests apart', async () => {
    const { webview } = connect({
      'host.getInfo': async () => {
        await settle(20);
        return info;
      },
      'fleet.getSnapshot': () => snapshot,
    });
    const [a, b] = await Promise.all([
      webview.request('host.getInfo', {}),
      webview.request('fleet.getSnapshot', {}),
    ]);
    expect(a).toEqual({ ok: true, value: info });
    expect(b).toEqual({ ok: true, value: snapshot });
  });

  it('answers an unknown method with E_PROTOCOL_UNKNOWN_METHOD', async () => {
    const { webview, webviewTransport } = connect({ 'host.getInfo': () => info });
    // Declared, but this host has no handler for it.
    await expect(webview.request('host.openLog', {})).resolves.toMatchObject({
      ok: false,
      error: { code: ProtocolErrorCode.UnknownMethod },
    });
    // Not declared at all: speak the wire format directly.
    const answers: unknown[] = [];
    webviewTransport.onMessage((m) => answers.push(m));
    for (const method of ['host.nope', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      webviewTransport.send({ kind: 'request', id: `raw-${method}`, method, params: {} });
    }
    await settle(10);
    expect(answers).toHaveLength(5);
    for (const answer of answers) {
      expect(answer).toMatchObject({
        kind: 'response',
        ok: false,
        error: { code: ProtocolErrorCode.UnknownMethod },
      });
    }
  });

  it('answers invalid params with E_PROTOCOL_BAD_PARAMS without calling the handler', async () => {
    const getInfo = vi.fn(() => info);
    const { webview } = connect({ 'host.getInfo': getInfo });
    const result = await webview.request('host.getInfo', 'not an object' as unknown as Record<string, never>);
    expect(result).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.BadParams } });
    expect(getInfo).not.toHaveBeenCalled();
  });

  it('reports a malformed result as E_PROTOCOL_BAD_RESULT at the caller', async () => {
    const { webview } = connect({
      'fleet.getSnapshot': () => ({ ...snapshot, panes: -1 }),
    });
    const result = await webview.request('fleet.getSnapshot', {});
    expect(result).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.BadResult } });
    expect(!result.ok && result.error.message).toContain('panes');
  });

  it('keeps the string code of an Error a handler throws', async () => {
    const { webview } = connect({
      'host.openLog': () => {
        throw Object.assign(new Error('no workspace is open'), { code: 'E_NO_WORKSPACE' });
      },
    });
    await expect(webview.request('host.openLog', {})).resolves.toEqual({
      ok: false,
      error: { code: 'E_NO_WORKSPACE', message: 'no workspace is open' },
    });
  });

  it('answers at once when a handler throws an Error with an empty code', async () => {
    const { webview, webviewErrors } = connect({
      'host.openLog': () => {
        throw Object.assign(new Error('blank code'), { code: '' });
      },
    });
    await expect(webview.request('host.openLog', {}, { timeoutMs: 1000 })).resolves.toEqual({
      ok: false,
      error: { code: ProtocolErrorCode.Handler, message: 'blank code' },
    });
    expect(webviewErrors).toEqual([]);
  });

  it('turns a plain Error, a rejection or a non-Error throw into E_PROTOCOL_HANDLER', async () => {
    const { webview } = connect({
      'host.openLog': () => {
        throw new Error('disk on fire');
      },
      'host.getInfo': () => Promise.reject(Object.assign(new Error('numeric code'), { code: 42 })),
      'fleet.getSnapshot': () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a careless handler is the point
        throw 'a bare string';
      },
    });
    await expect(webview.request('host.openLog', {})).resolves.toEqual({
      ok: false,
      error: { code: ProtocolErrorCode.Handler, message: 'disk on fire' },
    });
    await expect(webview.request('host.getInfo', {})).resolves.toEqual({
      ok: false,
      error: { code: ProtocolErrorCode.Handler, message: 'numeric code' },
    });
    await expect(webview.request('fleet.getSnapshot', {})).resolves.toEqual({
      ok: false,
      error: { code: ProtocolErrorCode.Handler, message: 'a bare string' },
    });
  });

  it('times out with E_PROTOCOL_TIMEOUT after timeoutMs when nobody answers', async () => {
    const { webview } = connect({ 'host.getInfo': () => new Promise<HostInfo>(() => undefined) });
    const started = performance.now();
    const result = await webview.request('host.getInfo', {}, { timeoutMs: 50 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Timeout } });
    expect(!result.ok && result.error.message).toContain('50 ms');
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(1000);
  });

  it('uses the endpoint-wide timeout when the request gives none', async () => {
    const [, side] = createMemoryTransportPair(); // nothing listens on the other end
    const lonely = new Endpoint(side, {}, { timeoutMs: 40 });
    open.push(lonely);
    const result = await lonely.request('host.getInfo', {});
    expect(result).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Timeout } });
    expect(!result.ok && result.error.message).toContain('40 ms');
  });

  it('reports a response that arrives after the timeout as a protocol error', async () => {
    const { webview, webviewErrors } = connect({
      'host.getInfo': async () => {
        await settle(80);
        return info;
      },
    });
    const result = await webview.request('host.getInfo', {}, { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Timeout } });
    expect(webviewErrors).toEqual([]);
    await vi.waitFor(() => expect(webviewErrors).toHaveLength(1), { timeout: 2000 });
    expect(webviewErrors[0]?.error.code).toBe(ProtocolErrorCode.BadMessage);
    expect(webviewErrors[0]?.raw).toMatchObject({ kind: 'response', ok: true });
  });

  it('answers outstanding requests with E_PROTOCOL_CLOSED on dispose, and later ones at once', async () => {
    const { webview } = connect({
      'host.getInfo': () => new Promise<HostInfo>(() => undefined),
      'fleet.getSnapshot': () => new Promise<FleetSnapshot>(() => undefined),
    });
    const first = webview.request('host.getInfo', {}, { timeoutMs: 10_000 });
    const second = webview.request('fleet.getSnapshot', {}, { timeoutMs: 10_000 });
    await settle();
    webview.dispose();
    await expect(first).resolves.toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Closed } });
    await expect(second).resolves.toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Closed } });
    await expect(webview.request('host.getInfo', {})).resolves.toMatchObject({
      ok: false,
      error: { code: ProtocolErrorCode.Closed },
    });
  });
});

describe('Endpoint validation of incoming messages', () => {
  it.each([
    ['an unknown kind', { kind: 'nope' }],
    ['a string', 'hello'],
    ['null', null],
    ['a number', 42],
    ['a request without id', { kind: 'request', method: 'host.getInfo', params: {} }],
    ['a response with ok:false and no error', { kind: 'response', id: 'x', ok: false }],
    ['an error without code', { kind: 'response', id: 'x', ok: false, error: { message: 'm' } }],
  ])('reports %s as E_PROTOCOL_BAD_MESSAGE and does not throw', async (_what, raw) => {
    const { host, webviewTransport, hostErrors } = connect({ 'host.getInfo': () => info });
    webviewTransport.send(raw);
    await settle();
    expect(hostErrors).toHaveLength(1);
    expect(hostErrors[0]?.error.code).toBe(ProtocolErrorCode.BadMessage);
    expect(hostErrors[0]?.raw).toEqual(raw);
    expect(host).toBeDefined();
  });

  it('reports a response to a request it never sent', async () => {
    const { webviewTransport, hostErrors } = connect();
    webviewTransport.send({ kind: 'response', id: 'never-sent', ok: true, value: 1 });
    await settle();
    expect(hostErrors.map((e) => e.error.code)).toEqual([ProtocolErrorCode.BadMessage]);
    expect(hostErrors[0]?.error.message).toContain('never-sent');
  });
});

describe('Endpoint events', () => {
  it('delivers an emitted event to every `on` listener until it is disposed', async () => {
    const { host, webview } = connect();
    const first = vi.fn();
    const second = vi.fn();
    const subscription = webview.on('fleet.snapshot', first);
    webview.on('fleet.snapshot', second);
    host.emit('fleet.snapshot', snapshot);
    await settle();
    expect(first).toHaveBeenCalledExactlyOnceWith(snapshot);
    expect(second).toHaveBeenCalledExactlyOnceWith(snapshot);

    subscription.dispose();
    host.emit('fleet.snapshot', { ...snapshot, panes: 4 });
    await settle();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenLastCalledWith({ ...snapshot, panes: 4 });
  });

  it('refuses to emit a malformed payload', () => {
    const { host, webviewTransport } = connect();
    const heard = vi.fn();
    webviewTransport.onMessage(heard);
    expect(() =>
      host.emit('fleet.snapshot', { ...snapshot, heartbeat: 'dizzy' } as unknown as FleetSnapshot),
    ).toThrow(/fleet\.snapshot.*heartbeat/);
    expect(heard).not.toHaveBeenCalled();
  });

  it('reports an incoming malformed or unknown event instead of delivering it', async () => {
    const { webview, hostTransport, webviewErrors } = connect();
    const listener = vi.fn();
    webview.on('fleet.snapshot', listener);
    hostTransport.send({ kind: 'event', name: 'fleet.snapshot', payload: { ...snapshot, panes: 'three' } });
    hostTransport.send({ kind: 'event', name: 'fleet.unknown', payload: {} });
    hostTransport.send({ kind: 'event', name: 'constructor', payload: {} });
    await settle();
    expect(listener).not.toHaveBeenCalled();
    expect(webviewErrors.map((e) => e.error.code)).toEqual([
      ProtocolErrorCode.BadMessage,
      ProtocolErrorCode.BadMessage,
      ProtocolErrorCode.BadMessage,
    ]);
    expect(webviewErrors[0]?.error.message).toContain('panes');
    expect(webviewErrors[1]?.error.message).toContain('fleet.unknown');
  });

  it('ignores incoming messages and emits nothing after dispose', async () => {
    const { host, webview, webviewTransport } = connect();
    const listener = vi.fn();
    const heard = vi.fn();
    webview.on('fleet.snapshot', listener);
    webviewTransport.onMessage(heard);
    webview.dispose();
    host.emit('fleet.snapshot', snapshot);
    await settle();
    expect(listener).not.toHaveBeenCalled();
    expect(heard).toHaveBeenCalledTimes(1);
    host.dispose();
    host.emit('fleet.snapshot', snapshot);
    await settle();
    expect(heard).toHaveBeenCalledTimes(1);
  });
});

describe('createMemoryTransportPair', () => {
  it('delivers asynchronously, to the other side only, as a copy', async () => {
    const [a, b] = createMemoryTransportPair();
    const onA = vi.fn();
    const onB = vi.fn();
    a.onMessage(onA);
    b.onMessage(onB);
    const message = { kind: 'event', nested: { n: 1 } };
    a.send(message);
    expect(onB).not.toHaveBeenCalled();
    message.nested.n = 2;
    await settle();
    expect(onA).not.toHaveBeenCalled();
    expect(onB).toHaveBeenCalledExactlyOnceWith({ kind: 'event', nested: { n: 1 } });
  });
});
