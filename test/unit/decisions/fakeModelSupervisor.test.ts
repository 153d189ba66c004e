import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';

// The fake model server's answers to FleetAI's own structured requests, and its Chat Completions wire, called
// directly over HTTP (the decider tests call it through @openai/agents).
let server: FakeModelServer;
beforeEach(async () => {
  server = await startFakeModel();
});
afterEach(async () => {
  await server.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const schema = (tag: string) => ({ type: 'object', description: `fleetai:${tag} - test`, properties: {} });

async function responsesJson(
  tag: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await post(
    '/v1/responses',
    {
      model: 'm',
      stream: false,
      instructions: 'x',
      input: [{ role: 'user', content: JSON.stringify(input) }],
      text: { format: { type: 'json_schema', name: 'output', strict: true, schema: schema(tag) } },
    },
    headers,
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { output: { content: { text: string }[] }[] };
  return JSON.parse(body.output[0]?.content[0]?.text ?? '');
}

describe('fake model: FleetAI structured requests', () => {
  it('decide: an idle pane gets a nudge; a working one gets nothing; an approval needs a person', async () => {
    const pane = { id: 'p1', agent: 'codex', state: 'awaiting_input' };
    expect(
      await responsesJson('decide', { pane, phase: 'EXECUTING', screen: [], blockers: [] }),
    ).toMatchObject({
      commands: [{ text: 'continue', pane: 'p1', risk: 'low' }],
      phase: 'EXECUTING',
    });
    expect(
      await responsesJson('decide', {
        pane: { ...pane, state: 'working' },
        phase: 'EXECUTING',
        blockers: [],
      }),
    ).toMatchObject({ commands: [], next_actions: ['Wait: the agent is working.'] });
    expect(
      await responsesJson('decide', {
        pane: { ...pane, state: 'awaiting_approval' },
        phase: 'EXECUTING',
        blockers: [],
      }),
    ).toMatchObject({ commands: [], requires_confirmation: true, risk: 'medium' });
    expect(
      await responsesJson('decide', { pane, phase: 'VERIFYING', screen: ['All tests passed'], blockers: [] }),
    ).toMatchObject({ phase: 'DONE', commands: [] });
    expect(server.requests.map((r) => [r.fleetai, r.source, r.behaviour])).toEqual(
      Array.from({ length: 4 }, () => ['decide', 'fleetai', 'plain']),
    );
  });

  it('the x-fake-behaviour header picks a failure too; a stalled structured request sends headers only', async () => {
    const res = await post(
      '/v1/chat/completions',
      {
        model: 'm',
        messages: [{ role: 'user', content: '{}' }],
        response_format: { type: 'json_schema', json_schema: { name: 'output', schema: schema('judge') } },
      },
      { 'x-fake-behaviour': 'stall' },
    );
    expect(res.status).toBe(200);
    const outcome = await Promise.race([
      res.text().then(() => 'body'),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 500)),
    ]);
    expect(outcome).toBe('silent');
    expect(server.requests[0]).toMatchObject({
      api: 'chat',
      fleetai: 'judge',
      source: 'header',
      behaviour: 'stall',
    });
  });

  it('a CLI’s own JSON-schema side request (no fleetai tag) is still answered as before', async () => {
    const res = await post('/v1/responses', {
      model: 'm',
      stream: false,
      input: [{ role: 'user', content: 'fleetai-fake:http500 name this' }],
      text: { format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } } },
    });
    expect(res.status).toBe(200);
    expect(server.requests[0]).toMatchObject({ aux: true, source: 'aux' });
  });
});

describe('fake model: Chat Completions for the ordinary behaviours', () => {
  it('streams a plain answer as chunks ending in [DONE]', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'm',
      stream: true,
      tools: [{ type: 'function', function: { name: 'exec_command' } }],
      messages: [{ role: 'user', content: 'fake:plain hi' }],
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const text = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Hello from the fake model. This is a short plain answer.');
  });

  it('asks for a tool call, and answers a 429 in OpenAI’s error format', async () => {
    const tools = [{ type: 'function', function: { name: 'exec_command' } }];
    const res = await post('/v1/chat/completions', {
      model: 'm',
      tools,
      messages: [{ role: 'user', content: 'fake:approval go' }],
    });
    const body = (await res.json()) as {
      choices: { finish_reason: string; message: { tool_calls: { function: { arguments: string } }[] } }[];
    };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(JSON.parse(body.choices[0]?.message.tool_calls[0]?.function.arguments ?? '')).toMatchObject({
      cmd: 'touch approved.txt',
    });
    const limited = await post('/v1/chat/completions', {
      model: 'm',
      tools,
      messages: [{ role: 'user', content: 'fake:http429 go' }],
    });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { type: 'rate_limit_exceeded' } });
  });
});
