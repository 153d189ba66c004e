import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createAppLog, createMemoryLog, redactContext } from '../../extension/core/observability/appLog';
import { AppLogLine } from '../../extension/core/observability/logLine';
import { useTempDirs } from './helpers';

const tempDir = useTempDirs();

function readLines(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createAppLog', () => {
  it('writes one JSON line per entry with ts, level label, category, event and context', async () => {
    const file = path.join(tempDir(), 'logs', 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    log.info('store', 'layout.saved', { panes: 2 });
    log.warn('webview', 'protocol.error', { code: 'E_PROTOCOL_BAD_MESSAGE' });
    log.error('pty', 'spawn.failed');
    await log.close();

    const lines = readLines(file);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(AppLogLine.safeParse(line).success).toBe(true);
      expect(Date.parse(String(line.ts))).not.toBeNaN();
    }
    expect(lines[0]).toMatchObject({
      level: 'info',
      category: 'store',
      event: 'layout.saved',
      context: { panes: 2 },
    });
    expect(Object.keys(lines[0] ?? {}).sort()).toEqual(['category', 'context', 'event', 'level', 'ts']);
    expect(lines[1]).toMatchObject({ level: 'warn', category: 'webview', event: 'protocol.error' });
    expect(lines[2]).toMatchObject({ level: 'error', category: 'pty', event: 'spawn.failed' });
    expect(lines[2]).not.toHaveProperty('context');
  });

  it('drops entries below the configured level', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true, level: 'info' });
    log.debug('store', 'debug.hidden');
    log.log('trace', 'store', 'trace.hidden');
    log.info('store', 'info.shown');
    log.log('fatal', 'store', 'fatal.shown');
    await log.close();
    expect(readLines(file).map((l) => [l.level, l.event])).toEqual([
      ['info', 'info.shown'],
      ['fatal', 'fatal.shown'],
    ]);
  });

  it('keeps debug entries when the level is debug', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true, level: 'debug' });
    log.debug('store', 'debug.shown');
    await log.close();
    expect(readLines(file)).toEqual([expect.objectContaining({ level: 'debug', event: 'debug.shown' })]);
  });

  it('redacts secrets anywhere in the context', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const secret = 'sk-live-0123456789abcdef';
    const log = createAppLog({ file, sync: true });
    log.info('agent', 'request.sent', {
      apiKey: secret,
      token: `${secret}-token`,
      headers: { authorization: `Bearer ${secret}`, accept: 'application/json' },
      webhook: { config: { webhookKey: `${secret}-hook` } },
      model: 'gpt-x',
    });
    await log.close();

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret);
    const [line] = readLines(file);
    expect(line?.context).toEqual({
      apiKey: '[redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'application/json' },
      webhook: { config: { webhookKey: '[redacted]' } },
      model: 'gpt-x',
    });
  });

  it('redacts secrets at depth 1, 2 and 3, inside arrays and deeper than pino paths reached', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    const context = {
      password: 'depth-1-secret',
      provider: { api_key: 'depth-2-secret', model: 'gpt-x' },
      request: { headers: { Authorization: 'Bearer depth-3-secret', accept: '*/*' } },
      hooks: [{ name: 'a', cookie: 'array-secret' }, 'plain', [{ accessToken: 'nested-array-secret' }]],
      deep: { a: { b: { c: { d: { secret: 'depth-6-secret' } } } } },
      mixedCase: { TOKEN: 'upper-case-secret', tokens: 12 },
    };
    const before = JSON.stringify(context);
    log.info('agent', 'request.sent', context);
    await log.close();

    const text = readFileSync(file, 'utf8');
    for (const leak of ['depth-1', 'depth-2', 'depth-3', 'array-secret', 'depth-6', 'upper-case'])
      expect(text).not.toContain(leak);
    expect(readLines(file)[0]?.context).toEqual({
      password: '[redacted]',
      provider: { api_key: '[redacted]', model: 'gpt-x' },
      request: { headers: { Authorization: '[redacted]', accept: '*/*' } },
      hooks: [{ name: 'a', cookie: '[redacted]' }, 'plain', [{ accessToken: '[redacted]' }]],
      deep: { a: { b: { c: { d: { secret: '[redacted]' } } } } },
      mixedCase: { TOKEN: '[redacted]', tokens: 12 },
    });
    // The caller's object is never changed: it may be logged elsewhere or used after.
    expect(JSON.stringify(context)).toBe(before);
  });

  it('writes a flat context without secrets unchanged, as the same object', async () => {
    const context = {
      alias: 'everything',
      tool: 'echo',
      arguments: '{"message":"hi","token":"***"}',
      duration_ms: 0.31,
      result_bytes: 42,
      is_error: false,
    };
    expect(redactContext(context)).toBe(context);
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    log.info('mcp', 'mcp.tool.invoke', context);
    await log.close();
    const [line] = readLines(file);
    expect(line?.context).toEqual(context);
    expect(Object.keys(line?.context as object)).toEqual(Object.keys(context));
  });

  it('keeps the line shape: level, ts, category, event, context in that order, nothing else', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    log.warn('mcp', 'mcp.tool.invoke', { alias: 'x', error: { code: 'E_MCP_CALL_FAILED', message: 'no' } });
    await log.close();
    const raw = readFileSync(file, 'utf8').trimEnd();
    expect(raw).toMatch(
      /^\{"level":"warn","ts":"[^"]+","category":"mcp","event":"mcp\.tool\.invoke","context":\{"alias":"x","error":\{"code":"E_MCP_CALL_FAILED","message":"no"\}\}\}$/,
    );
    expect(AppLogLine.safeParse(JSON.parse(raw)).success).toBe(true);
  });

  it('writes a circular or throwing context without throwing into the caller', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    const loop: Record<string, unknown> = { name: 'loop', token: 'loop-secret' };
    loop.self = loop;
    log.info('store', 'circular', { loop });
    const throwing = {
      get broken(): string {
        throw new Error('getter failed');
      },
    };
    expect(() => log.info('store', 'throwing', throwing)).not.toThrow();
    await log.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('loop-secret');
    const lines = readLines(file);
    expect(lines[0]?.context).toEqual({ loop: { name: 'loop', token: '[redacted]', self: '[Circular]' } });
    expect(lines[1]?.context).toEqual({ unloggable_context: 'getter failed' });
  });

  it('with asynchronous writes, flush() puts every line on disk', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: false });
    try {
      for (let i = 0; i < 100; i++) log.info('bench', 'tick', { i });
      await log.flush();
      const lines = readLines(file);
      expect(lines).toHaveLength(100);
      expect(lines[99]).toMatchObject({ event: 'tick', context: { i: 99 } });
    } finally {
      await log.close();
    }
  });

  it('with synchronous writes, a line is in the file as soon as the call returns', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: true });
    try {
      log.info('cli', 'started');
      expect(readLines(file)).toEqual([expect.objectContaining({ event: 'started' })]);
    } finally {
      await log.close();
    }
  });

  it('with asynchronous writes, lines reach the file without an explicit flush', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file, sync: false });
    try {
      log.info('host', 'activated');
      await vi.waitFor(() => expect(readLines(file)).toHaveLength(1), { timeout: 2000 });
    } finally {
      await log.close();
    }
  });

  it('close() is idempotent and flush() after close() resolves', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const log = createAppLog({ file });
    log.info('host', 'stopping');
    await log.close();
    await log.close();
    await log.flush();
    expect(readLines(file)).toEqual([expect.objectContaining({ event: 'stopping' })]);
  });
});

describe('createAppLog when the file cannot be written', () => {
  it('reports the failure once through onError and keeps the process alive', async () => {
    const dir = tempDir();
    // The log path is a folder: opening it for appending fails asynchronously.
    const file = path.join(dir, 'app.jsonl');
    mkdirSync(file);
    const onError = vi.fn();
    const log = createAppLog({ file, onError });
    log.info('store', 'first');
    log.info('store', 'second');
    await vi.waitFor(() => expect(onError).toHaveBeenCalled(), { timeout: 2000 });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String((onError.mock.calls[0]?.[0] as Error).message)).toMatch(/EISDIR|directory/i);
  });
});

describe('createMemoryLog', () => {
  it('keeps lines that fit the app log schema', () => {
    const log = createMemoryLog();
    log.info('store', 'saved', { file: 'a.json' });
    log.debug('store', 'noise');
    expect(log.lines).toHaveLength(2);
    for (const line of log.lines) expect(AppLogLine.safeParse(line).success).toBe(true);
    expect(log.lines[0]).toMatchObject({ level: 'info', category: 'store', event: 'saved' });
  });
});
