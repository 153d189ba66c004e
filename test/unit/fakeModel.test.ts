import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';

interface SseEvent {
  event?: string;
  data: unknown;
}

/** Splits an SSE body into events; every event must carry JSON data. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
        else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
      }
      return { event, data: JSON.parse(data.join('\n')) as unknown };
    });
}

type Json = Record<string, unknown>;
const typeOf = (e: SseEvent) => (e.data as Json).type;

let server: FakeModelServer;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const openaiTurn = (text: string, extra: Json = {}) => ({
  model: 'gpt-test',
  stream: true,
  tools: [{ type: 'function', name: 'exec_command' }],
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }] as Json[],
  ...extra,
});
const anthropicTurn = (text: string, extra: Json = {}) => ({
  model: 'claude-test',
  stream: true,
  max_tokens: 100,
  tools: [{ name: 'Bash', input_schema: {} }],
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});
const geminiTurn = (text: string) => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  tools: [{ functionDeclarations: [{ name: 'run_shell_command' }] }],
});

beforeEach(async () => {
  server = await startFakeModel();
});

afterEach(async () => {
  await server.close();
});

describe('fake model server: OpenAI Responses', () => {
  it('streams a plain answer the way Codex reads it', async () => {
    const res = await post('/v1/responses', openaiTurn('fake:plain hi'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await res.text());
    for (const e of events) expect(e.event).toBe(typeOf(e));
    const types = events.map(typeOf);
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.output_item.added');
    expect(types).toContain('response.output_text.delta');
    expect(types.slice(-2)).toEqual(['response.output_item.done', 'response.completed']);
    const text = events
      .filter((e) => typeOf(e) === 'response.output_text.delta')
      .map((e) => (e.data as Json).delta)
      .join('');
    expect(text).toBe('Hello from the fake model. This is a short plain answer.');
    const done = events.at(-1)?.data as { response: { id: string; usage: { total_tokens: number } } };
    expect(done.response.id).toMatch(/^resp_/);
    expect(done.response.usage.total_tokens).toBeGreaterThan(0);
    expect(server.requests).toMatchObject([
      { method: 'POST', path: '/v1/responses', api: 'openai', behaviour: 'plain' },
    ]);
  });

  it('asks for an escalated exec_command, then answers the tool result plainly', async () => {
    const events = parseSse(await (await post('/v1/responses', openaiTurn('fake:approval go'))).text());
    const item = events.find((e) => typeOf(e) === 'response.output_item.done')?.data as {
      item: { type: string; name: string; arguments: string; call_id: string };
    };
    expect(item.item).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(JSON.parse(item.item.arguments)).toEqual({
      cmd: 'touch approved.txt',
      sandbox_permissions: 'require_escalated',
      justification: expect.any(String) as string,
    });
    const body = openaiTurn('fake:approval go');
    body.input.push(
      {
        type: 'function_call',
        call_id: item.item.call_id,
        name: 'exec_command',
        arguments: item.item.arguments,
      },
      { type: 'function_call_output', call_id: item.item.call_id, output: 'ok' },
    );
    const follow = parseSse(await (await post('/v1/responses', body)).text());
    expect(follow.at(-1)?.event).toBe('response.completed');
    expect(server.requests[1]).toMatchObject({ toolResult: true, behaviour: 'plain', source: 'after-tool' });
  });

  it('counts tools in an additional_tools item as tools, and a JSON-schema request as a side request', async () => {
    const tools = {
      type: 'additional_tools',
      role: 'developer',
      tools: [{ type: 'namespace', tools: [{ name: 'exec' }] }],
    };
    const turn = openaiTurn('fake:http500 x');
    turn.input.unshift(tools);
    const schema = { format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } } };
    const title = await post('/v1/responses', { ...turn, tools: undefined, text: schema });
    expect(title.status).toBe(200);
    expect(await title.text()).toContain('\\"title\\":\\"Fake session\\"');
    expect((await post('/v1/responses', { ...turn, tools: undefined })).status).toBe(500);
    expect(server.requests.map((r) => [r.aux, r.tools])).toEqual([
      [true, 1],
      [false, 1],
    ]);
  });

  it('answers GET /v1/models', async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('data');
  });
});

describe('fake model server: Anthropic Messages', () => {
  it('streams a plain answer the way Claude Code reads it', async () => {
    const res = await post('/v1/messages?beta=true', anthropicTurn('fake:plain hi'), {
      'anthropic-version': '2023-06-01',
    });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    for (const e of events) expect(e.event).toBe(typeOf(e));
    const types = events.map(typeOf).filter((t) => t !== 'ping');
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const text = events
      .filter((e) => typeOf(e) === 'content_block_delta')
      .map((e) => ((e.data as Json).delta as { text: string }).text)
      .join('');
    expect(text).toBe('Hello from the fake model. This is a short plain answer.');
    const delta = events.find((e) => typeOf(e) === 'message_delta')?.data as {
      delta: { stop_reason: string };
    };
    expect(delta.delta.stop_reason).toBe('end_turn');
  });

  it('asks to run Bash with a tool_use block', async () => {
    const events = parseSse(await (await post('/v1/messages', anthropicTurn('fake:approval go'))).text());
    const start = events.find(
      (e) =>
        typeOf(e) === 'content_block_start' &&
        (e.data as { content_block: Json }).content_block.type === 'tool_use',
    );
    expect((start?.data as { content_block: Json }).content_block).toMatchObject({ name: 'Bash' });
    const json = events
      .filter((e) => ((e.data as Json).delta as Json | undefined)?.type === 'input_json_delta')
      .map((e) => ((e.data as Json).delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toMatchObject({ command: 'touch approved.txt' });
    const delta = events.find((e) => typeOf(e) === 'message_delta')?.data as {
      delta: { stop_reason: string };
    };
    expect(delta.delta.stop_reason).toBe('tool_use');
  });

  it('counts tokens and lists models', async () => {
    const count = await post('/v1/messages/count_tokens', anthropicTurn('hi'));
    expect(await count.json()).toEqual({ input_tokens: expect.any(Number) as number });
    const models = await fetch(`${server.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(((await models.json()) as { data: Json[] }).data[0]).toMatchObject({ type: 'model' });
  });

  it('answers a side request (no tools) with its JSON schema filled, without taking a scripted turn', async () => {
    server.script(['http500']);
    const res = await post('/v1/messages', {
      ...anthropicTurn('name this session'),
      tools: [],
      stream: false,
      output_config: {
        format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } },
      },
    });
    const message = (await res.json()) as { content: { text: string }[] };
    expect(JSON.parse(message.content[0]?.text ?? '')).toEqual({ title: 'Fake session' });
    expect((await post('/v1/messages', anthropicTurn('next'))).status).toBe(500);
  });
});

describe('fake model server: Gemini', () => {
  it('streams GenerateContentResponse chunks over SSE', async () => {
    const res = await post(
      '/v1beta/models/gemini-test:streamGenerateContent?alt=sse',
      geminiTurn('fake:plain hi'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await res.text());
    for (const e of events) expect(e.event).toBeUndefined();
    type Chunk = { candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[] };
    const chunks = events.map((e) => e.data as Chunk);
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text ?? '').join('')).toBe(
      'Hello from the fake model. This is a short plain answer.',
    );
    expect(server.requests[0]).toMatchObject({ api: 'gemini', model: 'gemini-test', behaviour: 'plain' });
  });

  it('asks for run_shell_command, and answers generateContent and countTokens', async () => {
    const events = parseSse(
      await (
        await post('/v1beta/models/m:streamGenerateContent?alt=sse', geminiTurn('fake:approval go'))
      ).text(),
    );
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]?.data)).toContain('"functionCall":{"name":"run_shell_command"');
    const res = await post('/v1beta/models/m:generateContent', geminiTurn('fake:plain hi'));
    expect(await res.json()).toHaveProperty('candidates');
    const count = await post('/v1beta/models/m:countTokens', geminiTurn('hi'));
    expect(await count.json()).toEqual({ totalTokens: expect.any(Number) as number });
  });
});

describe('fake model server: failures and scripts', () => {
  it('answers http500 and http429 (with retry-after) in each API’s error format', async () => {
    const r500 = await post('/v1/responses', openaiTurn('fake:http500 x'));
    expect(r500.status).toBe(500);
    expect(await r500.json()).toMatchObject({ error: { type: 'server_error' } });
    const r429 = await post('/v1/messages', anthropicTurn('fake:http429 x'));
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('1');
    expect(await r429.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const g429 = await post('/v1beta/models/m:streamGenerateContent?alt=sse', geminiTurn('fake:http429 x'));
    expect(g429.status).toBe(429);
    expect(await g429.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });

  it('keeps failing the retries of a failed turn, up to `times`', async () => {
    server.script([{ kind: 'http500', times: 2 }]);
    const body = openaiTurn('no token here');
    expect((await post('/v1/responses', body)).status).toBe(500);
    expect((await post('/v1/responses', body)).status).toBe(500);
    expect((await post('/v1/responses', body)).status).toBe(200);
    expect(server.requests.map((r) => r.source)).toEqual(['script', 'retry', 'default']);
  });

  it('stall: sends headers, then nothing completes within 500 ms', async () => {
    const res = await post('/v1/messages', anthropicTurn('fake:stall x'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value as Uint8Array)).toContain('message_start');
    const outcome = await Promise.race([
      reader.read().then(() => 'more'),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 500)),
    ]);
    expect(outcome).toBe('silent');
    await reader.cancel().catch(() => undefined);
  });

  it('stall without streaming sends JSON headers and no body', async () => {
    const res = await post('/v1/messages', anthropicTurn('fake:stall x', { stream: false }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const outcome = await Promise.race([
      res.text().then(
        () => 'body',
        () => 'closed',
      ),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 500)),
    ]);
    expect(outcome).toBe('silent');
  });

  it('stall on Gemini sends only headers', async () => {
    const res = await post('/v1beta/models/m:streamGenerateContent?alt=sse', geminiTurn('fake:stall x'));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const outcome = await Promise.race([
      reader.read().then(() => 'data'),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 500)),
    ]);
    expect(outcome).toBe('silent');
    await reader.cancel().catch(() => undefined);
  });

  it('takes scripted turns in order, then the default; a header or prompt token wins', async () => {
    server.script(['http429', { kind: 'plain', text: 'scripted words' }]);
    expect((await post('/v1/responses', openaiTurn('first'))).status).toBe(429);
    const second = parseSse(await (await post('/v1/responses', openaiTurn('second'))).text());
    expect(JSON.stringify(second.at(-1)?.data)).toContain('scripted words');
    expect((await post('/v1/responses', openaiTurn('third'))).status).toBe(200);
    expect(
      (await post('/v1/responses', openaiTurn('fourth'), { 'x-fake-behaviour': 'http500' })).status,
    ).toBe(500);
    expect(server.requests.map((r) => [r.userText, r.behaviour, r.source])).toEqual([
      ['first', 'http429', 'script'],
      ['second', 'plain', 'script'],
      ['third', 'plain', 'default'],
      ['fourth', 'http500', 'header'],
    ]);
  });

  it('slow: stays silent first, then streams the words over time', async () => {
    server.script([{ kind: 'slow', firstDelayMs: 200, seconds: 0.3, text: 'one two three' }]);
    const t0 = Date.now();
    const events = parseSse(await (await post('/v1/messages', anthropicTurn('go'))).text());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(events.filter((e) => typeOf(e) === 'content_block_delta')).toHaveLength(3);
  });
});
